import * as fs from 'node:fs';
import { AvroContainerWriter } from '../formats/avro/container-writer';
import * as avro from 'avsc';
import { readContainer, readContainerSync } from '../formats/avro/read-container';
import { fileHead } from '../runtime/output-place';
import { loadSchemaJson, SONG_SCHEMA, schemaType } from '../formats/avro/schemas';
import { derivedBytes } from '../simulation/seeded-random';
import type { SimulatedSong, Song } from '../domain/song';
import { SongTable } from '../simulation/song-table';

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

/** The fields of a catalog song that the simulation does not read. */
const PROVENANCE_FIELDS: readonly string[] = ['source', 'imputed'] satisfies Exclude<keyof Song, keyof SimulatedSong>[];
let simulatedSongType: avro.Type | undefined;

/**
 * The catalog as the simulation reads it, decoded synchronously (a worker thread loads
 * it when its columns file cannot serve): only the fields it reads (the provenance fields
 * are skipped, an album missing from older catalogs is ''), as columns.
 */
export function readSimulatedCatalog(filePath: string): SongTable {
  if (!fs.existsSync(filePath)) throw new Error(`catalog file not found: ${filePath}`);
  if (!simulatedSongType) {
    const schema = loadSchemaJson(SONG_SCHEMA) as avro.schema.RecordType;
    simulatedSongType = avro.Type.forSchema({ ...schema, fields: schema.fields.filter((f) => !PROVENANCE_FIELDS.includes(f.name)) });
  }
  const songs = readContainerSync<SimulatedSong>(filePath, simulatedSongType);
  if (songs.length === 0) throw new Error(`catalog file ${filePath} holds no songs`);
  return SongTable.fromSongs(songs);
}

/** A catalog file this project wrote: an AVRO container whose schema is the Song record of music.catalog. */
export function isCatalogFile(file: string): boolean {
  const head = fileHead(file, 8192);
  return head.subarray(0, 4).equals(Buffer.from('Obj\x01', 'latin1')) && head.includes('music.catalog');
}
