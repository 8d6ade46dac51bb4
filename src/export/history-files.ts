import type { SpotifyFormat } from './spotify-export';

/**
 * How Spotify lays out an export: the folder inside my_spotify_data.zip and the names of
 * its JSON files. The extended history names each file by the years of its first and last
 * stream and a running number: Streaming_History_Audio_2023-2024_0.json, ..._2024_1.json.
 */
export interface HistoryLayout {
  folder: string;
  fileName(index: number, firstYear: number, lastYear: number): string;
  /** the UTC time a stream ended, as the file holds it */
  endedAt(stream: object): string;
}

export const HISTORY_LAYOUTS: Record<SpotifyFormat, HistoryLayout> = {
  'spotify-extended': {
    folder: 'Spotify Extended Streaming History',
    fileName: (n, first, last) => `Streaming_History_Audio_${first === last ? first : `${first}-${last}`}_${n}.json`,
    endedAt: (s) => (s as { ts: string }).ts,
  },
  'spotify-basic': {
    folder: 'Spotify Account Data',
    fileName: (n) => `StreamingHistory_music_${n}.json`,
    endedAt: (s) => (s as { endTime: string }).endTime,
  },
};

/**
 * The most bytes one JSON file may hold. Real extended exports come split into files of
 * at most about 12 MB (people report 12-12.8 MB per file); 12 MiB keeps the files in that range.
 */
export const DEFAULT_MAX_FILE_BYTES = 12 * 1024 * 1024;

export interface HistoryFile {
  name: string;
  data: Buffer;
  streams: number;
}

const OPEN = '[\n';
const SEPARATOR = ',\n';
const CLOSE = '\n]\n';

/** One stream as it sits in its file's array: indented two spaces, as JSON.stringify(array, null, 2) lays it out. */
const entryText = (stream: object) => `  ${JSON.stringify(stream, null, 2).replace(/\n/g, '\n  ')}`;

/**
 * One user's streams as their files will hold them, in time order, laid out in `data` one
 * after another with SEPARATOR between them: entry i (its text as entryText gives it) is
 * data[starts[i], ends[i]); `years[i]` is the year of the time it ended as the file holds it,
 * which names the file.
 */
export interface HistoryEntries {
  data: Uint8Array;
  starts: ArrayLike<number>;
  ends: ArrayLike<number>;
  years: ArrayLike<number>;
  length: number;
}

/**
 * Splits streams (already in time order) into the files of a layout, each at most
 * `maxBytes` (a stream bigger than that alone gets a file of its own). A file's text is
 * exactly JSON.stringify(itsStreams, null, 2) plus a newline.
 */
export function historyFiles(streams: readonly object[], layout: HistoryLayout, maxBytes = DEFAULT_MAX_FILE_BYTES): Generator<HistoryFile> {
  const texts = streams.map(entryText);
  const starts: number[] = [];
  const ends: number[] = [];
  let at = 0;
  for (const t of texts) {
    starts.push(at);
    at += Buffer.byteLength(t);
    ends.push(at);
    at += SEPARATOR.length;
  }
  const years = streams.map((s) => Number(layout.endedAt(s).slice(0, 4)));
  return entryFiles({ data: Buffer.from(texts.join(SEPARATOR)), starts, ends, years, length: texts.length }, layout, maxBytes);
}

const OPEN_BYTES = Buffer.from(OPEN);
const CLOSE_BYTES = Buffer.from(CLOSE);

/** historyFiles of entries already laid out (the export's own renderer: src/export/stream-entries.ts). */
export function* entryFiles(entries: HistoryEntries, layout: HistoryLayout, maxBytes = DEFAULT_MAX_FILE_BYTES): Generator<HistoryFile> {
  const { starts, ends, years } = entries;
  let bytes = 0;
  let first = 0;
  let index = 0;
  const file = (end: number): HistoryFile => {
    const body = entries.data.subarray(starts[first], ends[end - 1]);
    const data = Buffer.allocUnsafe(OPEN_BYTES.length + body.length + CLOSE_BYTES.length);
    data.set(OPEN_BYTES, 0);
    data.set(body, OPEN_BYTES.length);
    data.set(CLOSE_BYTES, OPEN_BYTES.length + body.length);
    return { name: layout.fileName(index++, years[first], years[end - 1]), data, streams: end - first };
  };
  for (let i = 0; i < entries.length; i++) {
    const size = ends[i] - starts[i];
    if (i > first && bytes + SEPARATOR.length + size + CLOSE.length > maxBytes) {
      yield file(i);
      first = i;
    }
    bytes = i > first ? bytes + SEPARATOR.length + size : OPEN.length + size;
  }
  if (entries.length > first) yield file(entries.length);
}
