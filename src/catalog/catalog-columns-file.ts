import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AtomicFile } from '../runtime/atomic-file';
import { codeDigest } from '../runtime/code-digest';
import type { CatalogIndexParts } from '../simulation/catalog-index';
import { SongTable, type SongColumns } from '../simulation/song-table';
import { StringTable } from '../simulation/string-table';

/**
 * A catalog's columns file (catalog.columns beside catalog.avro): the songs as SongTable
 * columns and the CatalogIndex arrays, so that a worker thread reads them in one go into
 * typed-array views instead of decoding the AVRO into a million objects and indexing them.
 *
 * Layout: MAGIC, the header's length (uint32 LE), the header (JSON: the catalog's sha256,
 * the code digest, each section's kind, offset and length), then the sections, each at an
 * offset that is a multiple of 8, in the machine's (little-endian) byte order, and last
 * the sha256 of every byte before it. It is derived data: any doubt (another catalog,
 * other code, a damaged byte) and the caller goes back to the AVRO file.
 */
const MAGIC = Buffer.from('WETLCOL1');
const SHA_BYTES = 32;

const KINDS = { i32: Int32Array, u32: Uint32Array, f32: Float32Array, u8: Uint8Array } as const;
type Kind = keyof typeof KINDS;
type Column = Int32Array | Uint32Array | Float32Array | Uint8Array;

interface Header {
  catalogSha256: string;
  code: string;
  songs: number;
  /** name -> [kind, byte offset from the file's start, element count] */
  sections: Record<string, [Kind, number, number]>;
}

/** The columns file of a catalog file: catalog.avro -> catalog.columns. */
export function columnsPathOf(catalogPath: string): string {
  return catalogPath.replace(/\.avro$/, '') + '.columns';
}

let digest: string | undefined;

/** What the file's content depends on besides the catalog: the code of the columns and of the index. */
function columnsCodeDigest(): string {
  const include = (names: string) => (f: string) => new RegExp(`^(${names})\\.(js|ts)$`).test(f);
  digest ??= codeDigest(
    [
      { dir: path.join(__dirname, '../simulation'), include: include('song-table|string-table|catalog-index') },
      { dir: __dirname, include: include('catalog-columns-file') },
    ],
    [],
  );
  return digest;
}

function kindOf(column: Column): Kind {
  const kind = (Object.keys(KINDS) as Kind[]).find((k) => column instanceof KINDS[k]);
  if (!kind) throw new Error('not a column type');
  return kind;
}

function sectionsOf(c: SongColumns, parts: CatalogIndexParts): [string, Column][] {
  const strings = (name: string, t: StringTable): [string, Column][] => [
    [`${name}.bytes`, t.bytes],
    [`${name}.offsets`, t.offsets],
  ];
  return [
    ['year', c.year],
    ['popularity', c.popularity],
    ['danceability', c.danceability],
    ['energy', c.energy],
    ['lengthSeconds', c.lengthSeconds],
    ...strings('titles', c.titles),
    ['artistOf', c.artistOf],
    ...strings('artists', c.artists),
    ['albumOf', c.albumOf],
    ...strings('albums', c.albums),
    ['genreOf', c.genreOf],
    ...strings('genres', c.genres),
    ...Object.entries(parts),
  ];
}

const pad8 = (n: number) => (8 - (n % 8)) % 8;

/** Writes the columns file of the catalog hashing to `catalogSha256`, atomically. */
export function writeCatalogColumns(filePath: string, catalogSha256: string, table: SongTable, parts: CatalogIndexParts): void {
  if (os.endianness() !== 'LE') return;
  const sections = sectionsOf(table.columns, parts);
  const header: Header = { catalogSha256, code: columnsCodeDigest(), songs: table.size, sections: {} };
  // the offsets depend on the header's length, and its length on the offsets' digits: lay out until it fits
  let headerLength = 0;
  let headerBytes: Buffer;
  for (;;) {
    let at = MAGIC.length + 4 + headerLength;
    at += pad8(at);
    for (const [name, column] of sections) {
      header.sections[name] = [kindOf(column), at, column.length];
      at += column.byteLength + pad8(column.byteLength);
    }
    const json = JSON.stringify(header);
    if (Buffer.byteLength(json) <= headerLength) {
      headerBytes = Buffer.from(json.padEnd(headerLength));
      break;
    }
    headerLength = Buffer.byteLength(json) + 16;
  }
  const file = new AtomicFile(filePath);
  const hash = crypto.createHash('sha256');
  const write = (chunk: Uint8Array) => {
    file.write(chunk);
    hash.update(chunk);
  };
  try {
    const length = Buffer.alloc(4);
    length.writeUInt32LE(headerBytes.length);
    write(MAGIC);
    write(length);
    write(headerBytes);
    write(Buffer.alloc(pad8(MAGIC.length + 4 + headerBytes.length)));
    for (const [, column] of sections) {
      write(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
      write(Buffer.alloc(pad8(column.byteLength)));
    }
    file.write(hash.digest());
    file.commit();
  } catch (err) {
    file.abort();
    throw err;
  }
}

/** A columns file's content: the table of songs and the index arrays. */
export interface StoredCatalog {
  table: SongTable;
  parts: CatalogIndexParts;
}

/**
 * The columns file of the catalog hashing to `catalogSha256`, or why it cannot serve: it is
 * missing, of another catalog or code, or damaged (its sha256, its sections' shapes).
 * The typed arrays are views on the file's bytes.
 */
export function readCatalogColumns(filePath: string, catalogSha256: string): StoredCatalog | { unusable: string } {
  if (os.endianness() !== 'LE') return { unusable: 'a big-endian machine' };
  let buf: Buffer;
  try {
    buf = fs.readFileSync(filePath);
  } catch (err) {
    return { unusable: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no columns file' : (err as Error).message };
  }
  if (buf.length < MAGIC.length + 4 + SHA_BYTES || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return { unusable: 'not a columns file' };
  const body = buf.subarray(0, buf.length - SHA_BYTES);
  if (!crypto.createHash('sha256').update(body).digest().equals(buf.subarray(body.length))) return { unusable: 'damaged (sha256)' };
  const headerLength = buf.readUInt32LE(MAGIC.length);
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + headerLength)) as Header;
  } catch {
    return { unusable: 'unreadable header' };
  }
  if (header.catalogSha256 !== catalogSha256) return { unusable: 'of another catalog' };
  if (header.code !== columnsCodeDigest()) return { unusable: 'written by other code' };
  // the views need the file's bytes aligned as the sections are
  const bytes = buf.byteOffset % 8 === 0 ? buf : Buffer.from(buf);
  const problems: string[] = [];
  const column = <K extends Kind>(name: string, kind: K, length?: number): InstanceType<(typeof KINDS)[K]> => {
    const [k, offset, count] = header.sections[name] ?? [];
    const Type = KINDS[kind];
    const fits = k === kind && offset! % 8 === 0 && offset! + count! * Type.BYTES_PER_ELEMENT <= body.length;
    if (!fits || (length !== undefined && count !== length)) {
      problems.push(name);
      return new Type(length ?? 0) as InstanceType<(typeof KINDS)[K]>;
    }
    return new Type(bytes.buffer as ArrayBuffer, bytes.byteOffset + offset!, count) as InstanceType<(typeof KINDS)[K]>;
  };
  const n = header.songs;
  const strings = (name: string, size?: number) => {
    const offsets = column(`${name}.offsets`, 'u32', size === undefined ? undefined : size + 1);
    const data = column(`${name}.bytes`, 'u8');
    let sound = offsets.length > 0 && offsets[0] === 0 && offsets[offsets.length - 1] === data.length;
    for (let i = 1; sound && i < offsets.length; i++) sound = offsets[i] >= offsets[i - 1];
    if (!sound) problems.push(name);
    return new StringTable(data, sound ? offsets : new Uint32Array(1));
  };
  const ids = (name: string, tableSize: number) => {
    const of = column(name, 'u32', n);
    let sound = true;
    for (let i = 0; sound && i < of.length; i++) sound = of[i] < tableSize;
    if (!sound) problems.push(name);
    return of;
  };
  const artists = strings('artists');
  const albums = strings('albums');
  const genres = strings('genres');
  const columns: SongColumns = {
    year: column('year', 'i32', n),
    popularity: column('popularity', 'i32', n),
    danceability: column('danceability', 'f32', n),
    energy: column('energy', 'f32', n),
    lengthSeconds: column('lengthSeconds', 'i32', n),
    titles: strings('titles', n),
    artistOf: ids('artistOf', artists.size),
    artists,
    albumOf: ids('albumOf', albums.size),
    albums,
    genreOf: ids('genreOf', genres.size),
    genres,
  };
  const parts: CatalogIndexParts = {
    artistStart: column('artistStart', 'u32', artists.size + 1),
    artistSongs: column('artistSongs', 'u32', n),
    popular: column('popular', 'u8', n),
    popularityRank: column('popularityRank', 'u32', n),
    byYear: column('byYear', 'u32', n),
    yearOfRank: column('yearOfRank', 'i32', n),
  };
  if (n < 1 || problems.length) return { unusable: `damaged (${problems.join(', ') || 'no songs'})` };
  return { table: new SongTable(columns), parts };
}
