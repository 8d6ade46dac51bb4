import * as fs from 'node:fs';
import { findManifestKey } from '../dataset/manifest-location';
import { DamagedPart } from '../dataset/part-ref';
import { recordAt, recordSetters } from '../dataset/record-view';
import { RunDataset } from '../dataset/run-dataset';
import { FolderStore } from '../runtime/storage/folder-store';
import { openStore } from '../runtime/storage/open-store';
import { RunLayout } from '../pipeline/run-layout';
import { InputError } from '../domain/errors';
import { derivedBytes } from '../simulation/seeded-random';
import type { ListeningRecord } from '../domain/listening-record';
import type { Song } from '../domain/song';
import { endsEarly, playbackContextsOf, skippedOf, type PlaybackContext } from '../simulation/playback-context';
import { IpAddresses } from './ip-address';

export const SPOTIFY_FORMATS = ['spotify-extended', 'spotify-basic'] as const;
export type SpotifyFormat = (typeof SPOTIFY_FORMATS)[number];

/** One stream of Spotify's Extended Streaming History (Streaming_History_Audio_*.json). */
export interface SpotifyExtendedStream {
  ts: string;
  platform: string;
  ms_played: number;
  conn_country: string;
  ip_addr: string;
  master_metadata_track_name: string;
  master_metadata_album_artist_name: string;
  master_metadata_album_album_name: string;
  spotify_track_uri: string;
  episode_name: null;
  episode_show_name: null;
  spotify_episode_uri: null;
  audiobook_title: null;
  audiobook_uri: null;
  audiobook_chapter_uri: null;
  audiobook_chapter_title: null;
  reason_start: string;
  reason_end: string;
  shuffle: boolean;
  skipped: boolean;
  offline: boolean;
  offline_timestamp: number;
  incognito_mode: boolean;
}

/** One stream of Spotify's basic account-data export (StreamingHistory_music_*.json). */
export interface SpotifyBasicStream {
  endTime: string;
  artistName: string;
  trackName: string;
  msPlayed: number;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A stable Spotify-style track URI for (artist, title): the same song gets the same URI in every run. */
export function trackUri(artist: string, title: string): string {
  let n = BigInt(`0x${derivedBytes(['spotify-track', artist, title]).toString('hex')}`);
  let id = '';
  for (let i = 0; i < 22; i++) {
    id = BASE62[Number(n % 62n)] + id;
    n /= 62n;
  }
  return `spotify:track:${id}`;
}

export const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
export const minuteUtc = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

export type StoredRecord = ListeningRecord & Partial<PlaybackContext> & { album?: string };

function toSpotifyExtended(r: ListeningRecord & { album?: string }, ctx: PlaybackContext, ipAddr: string): SpotifyExtendedStream {
  return {
    ts: isoSeconds(r.listening_time.end_time),
    platform: ctx.device,
    ms_played: Math.max(0, r.listening_time.end_time - r.listening_time.start_time),
    conn_country: r.user_location.country,
    ip_addr: ipAddr,
    master_metadata_track_name: r.song_name,
    master_metadata_album_artist_name: r.artist,
    // a song without a known album stands as its own single, as Spotify lists singles
    master_metadata_album_album_name: r.album || r.song_name,
    spotify_track_uri: trackUri(r.artist, r.song_name),
    episode_name: null,
    episode_show_name: null,
    spotify_episode_uri: null,
    audiobook_title: null,
    audiobook_uri: null,
    audiobook_chapter_uri: null,
    audiobook_chapter_title: null,
    reason_start: ctx.reason_start,
    reason_end: ctx.reason_end,
    shuffle: ctx.shuffle,
    skipped: skippedOf(ctx.reason_end, endsEarly(r.interaction)),
    offline: ctx.offline,
    // current exports give every stream one, in Unix seconds (older ones: milliseconds); docs/spotify-export.md
    offline_timestamp: Math.floor(r.listening_time.start_time / 1000),
    incognito_mode: ctx.incognito_mode,
  };
}

function toSpotifyBasic(r: ListeningRecord): SpotifyBasicStream {
  return {
    endTime: minuteUtc(r.listening_time.end_time),
    artistName: r.artist,
    trackName: r.song_name,
    msPlayed: Math.max(0, r.listening_time.end_time - r.listening_time.start_time),
  };
}

/**
 * A finished run as a dataset, with clear errors for a missing folder and an unknown user.
 * `location` is a folder or s3://bucket/prefix/RUN (a bucket WRAPPED_ETL_S3_ALLOW lists).
 * Every part's size is checked against the manifest here, before anything is written; each
 * part's sha256 when it is read.
 */
export async function openRun(location: string, userId?: number): Promise<RunDataset> {
  const store = openStore(location, 'RUN_DIR');
  if (store instanceof FolderStore) {
    if (!fs.existsSync(location)) throw new InputError('RUN_DIR', `${location} does not exist`);
    if (!fs.statSync(location).isDirectory()) throw new InputError('RUN_DIR', `${location} is not a folder`);
  }
  if (!(await findManifestKey(store)))
    throw new InputError(
      'RUN_DIR',
      `${location} has no ${new RunLayout(location).manifestKey}: not a finished run${store instanceof FolderStore ? ' folder' : ''}`,
    );
  const dataset = await RunDataset.openRun(store);
  const { users } = dataset.manifest.params;
  if (userId !== undefined && (!Number.isInteger(userId) || userId < 1 || userId > users))
    throw new InputError('user', `the run has users 1..${users}, got ${userId}`);
  for (const part of userId === undefined ? dataset.parts : [userPart(dataset, userId)]) {
    const st = await store.stat(part.key);
    if (st?.bytes !== part.bytes) throw new DamagedPart(part, st ? `it is ${st.bytes} bytes` : 'it is missing');
  }
  return dataset;
}

const userPart = (dataset: RunDataset, userId: number) => dataset.parts[Math.floor((userId - 1) / dataset.manifest.params.shardSize)];

/**
 * Records of a v1 run carry no album: the run's catalog checkpoint gives it, as v2 does.
 * Reads the catalog once, and only when a record needs it.
 */
export class AlbumFiller {
  private loading: Promise<Map<string, string> | undefined> | undefined;

  constructor(private readonly dataset: RunDataset) {}

  async fill(records: StoredRecord[]): Promise<void> {
    if (!records.some((r) => r.album === undefined)) return;
    const albums = await this.albums();
    if (albums) for (const r of records) r.album ??= albums.get(`${r.artist}\u0000${r.song_name}`);
  }

  /** the run's albums by `${artist}\u0000${title}`, or undefined when the run has no catalog checkpoint */
  albums(): Promise<Map<string, string> | undefined> {
    return (this.loading ??= this.load());
  }

  private async load(): Promise<Map<string, string> | undefined> {
    const songs = await this.dataset.fileRecords<Song>(new RunLayout(this.dataset.store.location).catalogKey);
    if (!songs) return undefined;
    const albums = new Map<string, string>();
    for await (const s of songs) albums.set(`${s.artist}\u0000${s.title}`, s.album ?? '');
    return albums;
  }
}

const byStart = (a: StoredRecord, b: StoredRecord) => a.listening_time.start_time - b.listening_time.start_time;

/** Reads one user's records from a finished run, in time order. */
export async function readUserRecords(runDir: string, userId: number): Promise<{ records: StoredRecord[]; seed: number }> {
  const dataset = await openRun(runDir, userId);
  const records: StoredRecord[] = [];
  for await (const batch of dataset.columns(userPart(dataset, userId), 'all')) {
    const ids = batch.numbers('user_id');
    const setters = recordSetters(batch);
    for (let i = 0; i < batch.length; i++) if (ids[i] === userId) records.push(recordAt<StoredRecord>(batch, i, setters));
  }
  records.sort(byStart);
  await new AlbumFiller(dataset).fill(records);
  return { records, seed: dataset.manifest.params.seed };
}

/** One user's records as streams of `format`, in the order of `ts` / `endTime`. */
export function toStreams(records: StoredRecord[], seed: number, format: SpotifyFormat): SpotifyExtendedStream[] | SpotifyBasicStream[] {
  const byEnd = records.map((_, i) => i).sort((a, b) => records[a].listening_time.end_time - records[b].listening_time.end_time);
  if (format === 'spotify-basic') return byEnd.map((i) => toSpotifyBasic(records[i]));
  const contexts = playbackContextsOf(records, seed);
  const ips = new IpAddresses(seed);
  return byEnd.map((i) =>
    toSpotifyExtended(records[i], contexts[i], ips.of(records[i].user_id, records[i].user_location, contexts[i].device)),
  );
}

export async function exportUserHistory(
  runDir: string,
  userId: number,
  format: SpotifyFormat,
): Promise<SpotifyExtendedStream[] | SpotifyBasicStream[]> {
  const { records, seed } = await readUserRecords(runDir, userId);
  return toStreams(records, seed, format);
}
