import type * as avro from 'avsc';
import { copyBytes } from '../../runtime/copy-bytes';
import { RECORD_SONG_FIELDS, type RecordSongField } from '../../domain/listening-record';
import type { SongColumns, SongTable } from '../../simulation/song-table';
import type { StringTable } from '../../simulation/string-table';
import { fieldsType, loadSchemaJson } from './schemas';

/** Writes `value` into `buf` from `pos`: the position after it, or a negative number when `buf` is too short. */
export type RecordEncoder<T> = (value: T, buf: Buffer, pos: number) => number;

/** A song column as AVRO encodes it: a string (by id into its table), an int or a float. */
type SongColumn =
  | { avro: 'string'; table: StringTable; idOf: Uint32Array | undefined }
  | { avro: 'int'; values: Int32Array }
  | { avro: 'float'; values: Float32Array };

function songColumn(c: SongColumns, field: RecordSongField): SongColumn {
  switch (RECORD_SONG_FIELDS[field]) {
    case 'title':
      return { avro: 'string', table: c.titles, idOf: undefined };
    case 'artist':
      return { avro: 'string', table: c.artists, idOf: c.artistOf };
    case 'album':
      return { avro: 'string', table: c.albums, idOf: c.albumOf };
    case 'genre':
      return { avro: 'string', table: c.genres, idOf: c.genreOf };
    case 'year':
      return { avro: 'int', values: c.year };
    case 'popularity':
      return { avro: 'int', values: c.popularity };
    case 'length_seconds':
      return { avro: 'int', values: c.lengthSeconds };
    case 'danceability':
      return { avro: 'float', values: c.danceability };
    case 'energy':
      return { avro: 'float', values: c.energy };
  }
}

/** The largest encoding of one song column value, bar the string's bytes: a 5-byte varint or a 4-byte float. */
const MAX_FIXED_BYTES = 5;

/**
 * AVRO's int (and a string's length, a long below 2^31): zig-zag, then 7 bits a byte, low
 * bits first. By hand: avsc's Type#encode makes a Tap a call, ~4% of a million-song shard
 * that encodes each song on first use (the unit test compares every byte with avsc's).
 */
function writeVarint(n: number, buf: Buffer, pos: number): number {
  let z = ((n << 1) ^ (n >> 31)) >>> 0;
  while (z > 0x7f) {
    buf[pos++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[pos++] = z;
  return pos;
}

/**
 * The AVRO bytes of each song's runs of record fields, made on the song's first use and
 * kept with the catalog: a record's fields are encoded one after the other, so a run of
 * song fields is the same bytes in every record of that song, and writing a record copies
 * them instead of making the song's strings and encoding them again.
 */
class SongFieldBytes {
  private arena = Buffer.allocUnsafe(1 << 20);
  /** 0 is never a run's end, so an end of 0 marks a song not encoded yet */
  private used = 1;
  /** per song: its runs' bounds in the arena, runs + 1 numbers from stride * song */
  private readonly bounds: Uint32Array;
  private readonly stride: number;

  constructor(
    private readonly songs: SongTable,
    private readonly runs: SongColumn[][],
  ) {
    this.stride = runs.length + 1;
    this.bounds = new Uint32Array(this.stride * songs.size);
  }

  /** Copies the song's `run` into `buf` at `pos`: the position after it, or -1 when `buf` is too short. */
  copy(song: number, run: number, buf: Buffer, pos: number): number {
    const at = song * this.stride + run;
    if (this.bounds[at + 1] === 0) this.encode(song);
    const start = this.bounds[at];
    const end = this.bounds[at + 1];
    return pos + end - start > buf.length ? -1 : copyBytes(this.arena, start, end, buf, pos);
  }

  private encode(song: number): void {
    let need = 0;
    for (const run of this.runs) {
      for (const c of run) need += MAX_FIXED_BYTES + (c.avro === 'string' ? c.table.byteLength(c.idOf ? c.idOf[song] : song) : 0);
    }
    if (this.used + need > this.arena.length) this.grow(this.used + need);
    const at = song * this.stride;
    let pos = this.used;
    for (let r = 0; r < this.runs.length; r++) {
      this.bounds[at + r] = pos;
      for (const c of this.runs[r]) {
        if (c.avro === 'int') pos = writeVarint(c.values[song], this.arena, pos);
        else if (c.avro === 'float') pos = this.arena.writeFloatLE(c.values[song], pos);
        else {
          const id = c.idOf ? c.idOf[song] : song;
          pos = c.table.copyTo(id, this.arena, writeVarint(c.table.byteLength(id), this.arena, pos));
        }
      }
    }
    this.bounds[at + this.runs.length] = pos;
    this.used = pos;
  }

  private grow(atLeast: number): void {
    if (atLeast > 0xffffffff) throw new Error(`the encoded song fields of this ${this.songs.size}-song catalog pass 4 GiB`);
    const grown = Buffer.allocUnsafe(Math.min(0xffffffff, Math.max(atLeast, 2 * this.arena.length)));
    this.arena.copy(grown, 0, 0, this.used);
    this.arena = grown;
  }
}

/** The song field bytes of each catalog (as loaded in this thread) and schema, built as songs come up. */
const songFieldBytes = new WeakMap<SongTable, Map<string, { bytes: SongFieldBytes; plan: Segment[] }>>();

/** A run of the schema's fields: the event's (encoded by avsc) or the song's (copied from SongFieldBytes). */
type Segment = { event: avro.Type } | { songRun: number };

/**
 * Encodes records of a ListeningHistory schema from events whose song is a number in
 * `songs`: the same bytes as avsc encoding the whole record (the event's fields and its song's), without making
 * the song's strings. Every song field the schema holds must be a string, int or float.
 */
export function songEventEncoder<E extends { song: number }>(schemaFile: string, songs: SongTable): RecordEncoder<E> {
  let perSchema = songFieldBytes.get(songs);
  if (!perSchema) songFieldBytes.set(songs, (perSchema = new Map()));
  let entry = perSchema.get(schemaFile);
  if (!entry) {
    const plan: Segment[] = [];
    const runs: SongColumn[][] = [];
    let eventFields: string[] = [];
    const endEventRun = () => {
      if (eventFields.length) plan.push({ event: fieldsType(schemaFile, eventFields) });
      eventFields = [];
    };
    let lastWasSong = false;
    for (const field of (loadSchemaJson(schemaFile) as avro.schema.RecordType).fields) {
      if (!Object.hasOwn(RECORD_SONG_FIELDS, field.name)) {
        eventFields.push(field.name);
        lastWasSong = false;
        continue;
      }
      const column = songColumn(songs.columns, field.name as RecordSongField);
      const avroType = typeof field.type === 'string' ? field.type : (field.type as { type?: unknown }).type;
      if (avroType !== column.avro)
        throw new Error(`${schemaFile}: song field ${field.name} is ${JSON.stringify(field.type)}, not ${column.avro}`);
      if (!lastWasSong) {
        endEventRun();
        plan.push({ songRun: runs.length });
        runs.push([]);
      }
      runs[runs.length - 1].push(column);
      lastWasSong = true;
    }
    endEventRun();
    entry = { bytes: new SongFieldBytes(songs, runs), plan };
    perSchema.set(schemaFile, entry);
  }
  const { bytes, plan } = entry;
  return (value, buf, pos) => {
    for (const segment of plan) {
      pos = 'event' in segment ? segment.event.encode(value, buf, pos) : bytes.copy(value.song, segment.songRun, buf, pos);
      if (pos < 0) return pos;
    }
    return pos;
  };
}
