import * as fs from 'node:fs';
import { AvroContainerWriter } from '../formats/avro/container-writer';
import { readContainer } from '../formats/avro/read-container';
import { SONG_SCHEMA, schemaType } from '../formats/avro/schemas';
import { derivedBytes } from '../simulation/seeded-random';
import type { Song } from '../domain/song';

export interface CatalogFile {
  path: string;
  songs: number;
  sha256: string;
}

/** Writes the catalog as an AVRO container (schemas/song.avsc), atomically. */
export function writeCatalogFile(filePath: string, songs: Iterable<Song>): CatalogFile {
  const writer = new AvroContainerWriter<Song>(filePath, schemaType(SONG_SCHEMA), { syncMarker: derivedBytes(['catalog']) });
  try {
    for (const song of songs) writer.append(song);
    const { records, sha256 } = writer.commit();
    return { path: filePath, songs: records, sha256 };
  } catch (err) {
    writer.abort();
    throw err;
  }
}

export async function readCatalogFile(filePath: string): Promise<Song[]> {
  if (!fs.existsSync(filePath)) throw new Error(`catalog file not found: ${filePath}`);
  const songs: Song[] = [];
  // catalogs written before songs had albums resolve to ''
  for await (const song of readContainer<Song>(filePath)) songs.push({ ...song, album: song.album ?? '' });
  if (songs.length === 0) throw new Error(`catalog file ${filePath} holds no songs`);
  return songs;
}
