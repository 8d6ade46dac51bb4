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
 * Splits streams (already in time order) into the files of a layout, each at most
 * `maxBytes` (a stream bigger than that alone gets a file of its own). A file's text is
 * exactly JSON.stringify(itsStreams, null, 2) plus a newline.
 */
export function* historyFiles(
  streams: readonly object[],
  layout: HistoryLayout,
  maxBytes = DEFAULT_MAX_FILE_BYTES,
): Generator<HistoryFile> {
  let entries: string[] = [];
  let bytes = 0;
  let first = 0;
  let index = 0;
  const file = (end: number): HistoryFile => {
    const year = (i: number) => Number(layout.endedAt(streams[i]).slice(0, 4));
    const data = Buffer.from(OPEN + entries.join(SEPARATOR) + CLOSE);
    return { name: layout.fileName(index++, year(first), year(end - 1)), data, streams: end - first };
  };
  for (let i = 0; i < streams.length; i++) {
    const text = entryText(streams[i]);
    const size = Buffer.byteLength(text);
    if (entries.length && bytes + SEPARATOR.length + size + CLOSE.length > maxBytes) {
      yield file(i);
      [entries, first] = [[], i];
    }
    bytes = entries.length ? bytes + SEPARATOR.length + size : OPEN.length + size;
    entries.push(text);
  }
  if (entries.length) yield file(streams.length);
}
