import { describe, expect, it } from 'vitest';
import { simulatedEvent } from '../../../src/domain/listening-record';
import type { SimulatedSong } from '../../../src/domain/song';
import { schemaType } from '../../../src/formats/avro/schemas';
import { songEventEncoder } from '../../../src/formats/avro/song-event-encoder';
import {
  eventMapper,
  listeningHistorySchemaFile,
  type PartEvent,
  type SchemaVersion,
} from '../../../src/formats/listening-history-versions';
import { SongTable } from '../../../src/simulation/song-table';

const songs: SimulatedSong[] = [
  {
    title: 'Plain',
    artist: 'A',
    album: 'One',
    genre: 'pop',
    year: 2001,
    popularity: 50,
    danceability: 0.5,
    energy: 0.25,
    length_seconds: 200,
  },
  {
    title: 'Ünïcødé ♫ 音楽 😀',
    artist: 'Björk',
    album: '',
    genre: 'électro',
    year: -1,
    popularity: 0,
    danceability: 0.1,
    energy: 1,
    length_seconds: 1,
  },
  {
    title: '',
    artist: 'A',
    album: 'One',
    genre: 'pop',
    year: 2147483647,
    popularity: -2147483648,
    danceability: 0,
    energy: 0.333,
    length_seconds: 63,
  },
  {
    title: 'x'.repeat(5000),
    artist: 'B'.repeat(300),
    album: 'long '.repeat(100),
    genre: 'rock',
    year: 64,
    popularity: -65,
    danceability: 0.9,
    energy: 0.7,
    length_seconds: 8192,
  },
];
// -64 zig-zags to 127, the largest one-byte varint
songs.push({ ...songs[0], title: 'Edge', popularity: -64, year: 63 });
// enough further songs that the encoder's store of song bytes has to grow
for (let i = 0; i < 3000; i++) {
  songs.push({
    // every tenth title 4,000 bytes long: 1.2 MB of titles, past the store's first 1 MiB
    title: `Song ${i} ${i % 10 === 0 ? 'ü'.repeat(2000) : 'ä'.repeat(i % 40)}`,
    artist: `Artist ${i % 97}`,
    album: `Album ${i % 301}`,
    genre: ['pop', 'jazz'][i % 2],
    year: 1950 + (i % 75),
    popularity: i % 101,
    danceability: (i % 17) / 17,
    energy: (i % 13) / 13,
    length_seconds: 30 + i,
  });
}
const table = SongTable.fromSongs(songs);
const location = { latitude: 52.52, longitude: 13.405, country: 'DE', city: 'Berlin', timezone: 'Europe/Berlin' };

/** The record avsc encodes: the event's fields and its song's. */
function wholeRecord(event: PartEvent, song: number) {
  const s = table.song(song);
  return {
    ...event,
    song_name: s.title,
    artist: s.artist,
    genre: s.genre,
    year: s.year,
    popularity: s.popularity,
    danceability: s.danceability,
    energy: s.energy,
    length_seconds: s.length_seconds,
    album: s.album,
  };
}

function events() {
  return songs.map((_, i) =>
    simulatedEvent(
      { userId: i * 7919, personality: 'ETFC' },
      location,
      i % 3 ? 'played' : 'skipped',
      i,
      1_700_000_000_000 + i * 1000,
      1_700_000_200_000 + i * 1000,
      i % 5,
      'smartphone',
    ),
  );
}

describe('songEventEncoder', () => {
  for (const version of [1, 2] as SchemaVersion[]) {
    it(`writes the bytes avsc writes for the whole record (schema v${version}), songs used in any order and again`, () => {
      const file = listeningHistorySchemaFile(version);
      const encode = songEventEncoder(file, table);
      const map = eventMapper(version, 11, table);
      const all = events();
      const order = [...all.keys()].reverse().concat([...all.keys()]);
      const buf = Buffer.alloc(64 * 1024);
      for (const i of order) {
        const event = map(all[i]);
        const end = encode(event, buf, 3);
        expect(end).toBeGreaterThan(3);
        expect(buf.subarray(3, end).equals(schemaType(file).toBuffer(wholeRecord(event, i)))).toBe(true);
      }
    });
  }

  it('says when the buffer is too short, leaving the records before its position as they were', () => {
    const encode = songEventEncoder(listeningHistorySchemaFile(1), table);
    const event = events()[3];
    const whole = schemaType(listeningHistorySchemaFile(1)).toBuffer(wholeRecord(event, 3));
    for (const room of [10, 100, whole.length - 1]) {
      // as the container writer calls it: records up to `pos`, then one that does not fit
      const pos = 4;
      const buf = Buffer.alloc(pos + room, 0xee);
      expect(encode(event, buf, pos)).toBeLessThan(0);
      expect(buf.subarray(0, pos).every((b) => b === 0xee)).toBe(true);
    }
    expect(encode(event, Buffer.alloc(whole.length), 0)).toBe(whole.length);
  });
});
