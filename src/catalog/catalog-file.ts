import * as fs from 'node:fs';
import { AvroContainerWriter } from '../formats/avro/container-writer';
import * as avro from 'avsc';
import { readContainer, readContainerSync } from '../formats/avro/read-container';
import { loadSchemaJson, SONG_SCHEMA, schemaType } from '../formats/avro/schemas';
import { derivedBytes } from '../simulation/seeded-random';
import type { SimulatedSong, Song } from '../domain/song';

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

/** The catalog as the simulation reads it, with its artists numbered (CatalogIndex reuses the numbers). */
export interface SimulatedCatalog {
  songs: SimulatedSong[];
  /** each song's artist, numbered by first appearance in the catalog */
  artistOf: Uint32Array;
  artistCount: number;
}

/**
 * The catalog as the simulation reads it, decoded synchronously (a worker thread loads
 * it once per catalog): only the fields it reads (the provenance fields are skipped, an
 * album missing from older catalogs is ''), with each artist and genre string held once
 * and an album's string shared by the album's songs that follow each other (as they do
 * in synthetic catalogs). An artist or genre is compared with the previous song's before
 * it is looked up, since a map of a million distinct strings is slow to fill.
 */
export function readSimulatedCatalog(filePath: string): SimulatedCatalog {
  if (!fs.existsSync(filePath)) throw new Error(`catalog file not found: ${filePath}`);
  if (!simulatedSongType) {
    const schema = loadSchemaJson(SONG_SCHEMA) as avro.schema.RecordType;
    simulatedSongType = avro.Type.forSchema({ ...schema, fields: schema.fields.filter((f) => !PROVENANCE_FIELDS.includes(f.name)) });
  }
  const songs = readContainerSync<SimulatedSong>(filePath, simulatedSongType);
  if (songs.length === 0) throw new Error(`catalog file ${filePath} holds no songs`);
  const artistOf = new Uint32Array(songs.length);
  const artists = new Map<string, number>();
  const names: string[] = [];
  const genres = new Map<string, string>();
  let previous: SimulatedSong | undefined;
  for (let i = 0; i < songs.length; i++) {
    const song = songs[i];
    if (previous?.artist === song.artist) {
      song.artist = previous.artist;
      artistOf[i] = artistOf[i - 1];
    } else {
      let a = artists.get(song.artist);
      if (a === undefined) artists.set(song.artist, (a = names.push(song.artist) - 1));
      song.artist = names[a];
      artistOf[i] = a;
    }
    if (previous?.album === song.album) song.album = previous.album;
    if (previous?.genre === song.genre) song.genre = previous.genre;
    else song.genre = genres.get(song.genre) ?? (genres.set(song.genre, song.genre), song.genre);
    previous = song;
  }
  return { songs, artistOf, artistCount: names.length };
}
