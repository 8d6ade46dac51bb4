import type * as avro from 'avsc';

/** A decoded column: numbers in a typed array (longs as float64: exact below 2^53), strings in an array. */
export type Column = Int32Array | Float64Array | Float32Array | Uint8Array | (string | null)[];

/** The leaf types a column can hold; a nullable union [null, T] gives T's column with null (strings) or NaN (numbers). */
type ColumnType = 'int' | 'long' | 'float' | 'double' | 'boolean' | 'string' | 'enum';

/** A block's records, column by column: only the fields a decoder was asked for that the writer schema has. */
export class ColumnBatch {
  constructor(
    readonly length: number,
    private readonly columns: ReadonlyMap<string, Column>,
    /** each column's field, type and nullability, in the writer schema's order */
    readonly fields: readonly ColumnField[],
    /** the block the records were decoded from, and where each record's encoding ends in it */
    private readonly data: Buffer,
    private readonly ends: Int32Array,
  ) {}

  /** Row `row`'s record as its writer encoded it (a view of the block, not a copy). */
  recordBytes(row: number): Buffer {
    return this.data.subarray(row === 0 ? 0 : this.ends[row - 1], this.ends[row]);
  }

  /** true when the part's writer schema has the field (e.g. a v2 field in a v1 part: false) */
  has(field: string): boolean {
    return this.columns.has(field);
  }

  numbers(field: string): ArrayLike<number> {
    const c = this.column(field);
    if (Array.isArray(c)) throw new Error(`field ${field} holds strings, not numbers`);
    return c;
  }

  strings(field: string): readonly (string | null)[] {
    const c = this.column(field);
    if (!Array.isArray(c)) throw new Error(`field ${field} holds numbers, not strings`);
    return c;
  }

  /** the column of `field` as decoded (see Column), for readers that go through every column */
  column(field: string): Column {
    const c = this.columns.get(field);
    if (!c) throw new Error(`field ${field} is not in this part's schema (or was not asked for)`);
    return c;
  }
}

type Op =
  | { kind: 'int' | 'long' | 'float' | 'double' | 'boolean' | 'string' | 'bytes'; col: number }
  | { kind: 'enum'; col: number; symbols: string[] }
  | { kind: 'fixed'; col: -1; size: number }
  | { kind: 'union'; col: number; branches: Op[][] }
  | { kind: 'array'; col: -1; items: Op[] }
  | { kind: 'map'; col: -1; values: Op[] };

const PRIMITIVES = new Set(['null', 'int', 'long', 'float', 'double', 'boolean', 'string', 'bytes']);

export interface ColumnField {
  field: string;
  type: ColumnType;
  nullable: boolean;
}

type Target = ColumnField;

/**
 * Compiles a writer schema into a flat list of steps, one per leaf in encoding order: the
 * wanted leaves fill a column, the others are skipped by their encoded size without being decoded.
 */
class Compiler {
  readonly targets: Target[] = [];
  private readonly named = new Map<string, avro.Schema>();

  /** `wanted` undefined: every leaf */
  constructor(private readonly fields: ReadonlySet<string> | undefined) {}

  private wanted(field: string): boolean {
    return this.fields === undefined || this.fields.has(field);
  }

  compile(schema: avro.Schema, pathName: string, namespace: string | undefined): Op[] {
    if (typeof schema === 'string') {
      if (PRIMITIVES.has(schema)) return this.leaf(schema, pathName);
      const named = this.named.get(schema) ?? (namespace ? this.named.get(`${namespace}.${schema}`) : undefined);
      if (!named) throw new Error(`unknown type ${schema} in the writer schema`);
      return this.compile(named, pathName, namespace);
    }
    if (Array.isArray(schema)) return this.union(schema, pathName, namespace);
    const s = schema as { type: string; name?: string; namespace?: string; [k: string]: unknown };
    if (s.name) {
      const ns = s.namespace ?? namespace;
      this.named.set(s.name.includes('.') || !ns ? s.name : `${ns}.${s.name}`, schema);
      this.named.set(s.name, schema);
    }
    const ns = s.namespace ?? (s.name?.includes('.') ? s.name.slice(0, s.name.lastIndexOf('.')) : namespace);
    switch (s.type) {
      case 'record':
      case 'error': {
        if (this.fields?.has(pathName)) throw new Error(`field ${pathName} is a record: ask for its fields (${pathName}.<name>)`);
        const ops: Op[] = [];
        for (const f of s.fields as { name: string; type: avro.Schema }[])
          ops.push(...this.compile(f.type, pathName ? `${pathName}.${f.name}` : f.name, ns));
        return ops;
      }
      case 'enum': {
        const col = this.target(pathName, 'enum', false);
        return [{ kind: 'enum', col, symbols: s.symbols as string[] }];
      }
      case 'fixed':
        this.refuse(pathName, 'fixed');
        return [{ kind: 'fixed', col: -1, size: s.size as number }];
      case 'array':
        this.refuse(pathName, 'array');
        return [{ kind: 'array', col: -1, items: this.compile(s.items as avro.Schema, `${pathName}[]`, ns) }];
      case 'map':
        this.refuse(pathName, 'map');
        return [{ kind: 'map', col: -1, values: this.compile(s.values as avro.Schema, `${pathName}{}`, ns) }];
      default:
        // a primitive written as {"type": "long", "logicalType": ...}: the column holds the underlying values
        if (PRIMITIVES.has(s.type)) return this.leaf(s.type, pathName);
        return this.compile(s.type as avro.Schema, pathName, ns);
    }
  }

  private leaf(type: string, pathName: string): Op[] {
    if (type === 'null') return [];
    if (type === 'bytes') {
      this.refuse(pathName, 'bytes');
      return [{ kind: 'bytes', col: -1 }];
    }
    const kind = type as 'int' | 'long' | 'float' | 'double' | 'boolean' | 'string';
    return [{ kind, col: this.target(pathName, kind, false) }];
  }

  private union(branches: avro.Schema[], pathName: string, namespace: string | undefined): Op[] {
    const nonNull = branches.filter((b) => b !== 'null' && (b as { type?: string }).type !== 'null');
    if (this.wanted(pathName)) {
      const only = nonNull.length === 1 ? nonNull[0] : undefined;
      const type = typeof only === 'string' ? only : (only as { type?: unknown } | undefined)?.type;
      if (typeof type !== 'string' || !['int', 'long', 'float', 'double', 'boolean', 'string'].includes(type))
        throw new Error(`field ${pathName} is a union other than [null, primitive]: it cannot be read as a column`);
      const col = this.target(pathName, type as ColumnType, true);
      return [{ kind: 'union', col, branches: branches.map((b) => (b === nonNull[0] ? [{ kind: type, col } as Op] : [])) }];
    }
    return [{ kind: 'union', col: -1, branches: branches.map((b, i) => this.compile(b, `${pathName}|${i}`, namespace)) }];
  }

  private target(field: string, type: ColumnType, nullable: boolean): number {
    if (!this.wanted(field)) return -1;
    this.targets.push({ field, type, nullable });
    return this.targets.length - 1;
  }

  private refuse(field: string, type: string): void {
    if (this.wanted(field)) throw new Error(`field ${field} is of type ${type}: it cannot be read as a column`);
  }
}

// Each step is an opcode and a column index; a record is decoded by one pass over the steps.
// Opcodes that fill a column come right after their skipping twin (opcode + 1).
const SKIP_VARINT = 0,
  INT = 1,
  LONG = 2,
  SKIP4 = 3,
  FLOAT = 4,
  SKIP8 = 5,
  DOUBLE = 6,
  SKIP1 = 7,
  BOOLEAN = 8,
  SKIP_BYTES = 9,
  STRING = 10,
  ENUM = 11,
  FIXED = 12,
  UNION = 13,
  BLOCKS = 14;

/** Steps in typed arrays (a monomorphic loop); `extra` holds what a step needs beyond its column. */
class Program {
  readonly codes: Uint8Array;
  readonly cols: Int32Array;
  readonly extra: unknown[];

  constructor(ops: readonly Op[]) {
    this.codes = new Uint8Array(ops.length);
    this.cols = new Int32Array(ops.length);
    this.extra = new Array<unknown>(ops.length);
    ops.forEach((op, k) => {
      this.cols[k] = op.col;
      const wanted = op.col >= 0 ? 1 : 0;
      switch (op.kind) {
        case 'int':
          this.codes[k] = wanted ? INT : SKIP_VARINT;
          break;
        case 'long':
          this.codes[k] = wanted ? LONG : SKIP_VARINT;
          break;
        case 'float':
          this.codes[k] = SKIP4 + wanted;
          break;
        case 'double':
          this.codes[k] = SKIP8 + wanted;
          break;
        case 'boolean':
          this.codes[k] = SKIP1 + wanted;
          break;
        case 'string':
        case 'bytes':
          this.codes[k] = SKIP_BYTES + wanted;
          break;
        case 'enum':
          this.codes[k] = wanted ? ENUM : SKIP_VARINT;
          this.extra[k] = op.symbols;
          break;
        case 'fixed':
          this.codes[k] = FIXED;
          this.extra[k] = op.size;
          break;
        case 'union':
          this.codes[k] = UNION;
          this.extra[k] = op.branches.map((b) => new Program(b));
          break;
        case 'array':
          this.codes[k] = BLOCKS;
          this.extra[k] = { map: false, items: new Program(op.items) };
          break;
        case 'map':
          this.codes[k] = BLOCKS;
          this.extra[k] = { map: true, items: new Program(op.values) };
          break;
      }
    });
  }
}

// the decoding position, shared by the functions below (decoding is synchronous, never re-entered)
let pos = 0;

function readLong(d: Uint8Array): number {
  let b = d[pos++];
  let n = b & 0x7f;
  let f = 1;
  while (b & 0x80) {
    b = d[pos++];
    f *= 128;
    n += (b & 0x7f) * f;
  }
  // zig-zag: even values are >= 0
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

function run(p: Program, d: Buffer, row: number, cols: Column[]): void {
  const codes = p.codes;
  for (let k = 0; k < codes.length; k++) {
    switch (codes[k]) {
      case SKIP_VARINT:
        while (d[pos++] & 0x80);
        break;
      case INT:
        (cols[p.cols[k]] as Int32Array)[row] = readLong(d);
        break;
      case LONG:
        (cols[p.cols[k]] as Float64Array)[row] = readLong(d);
        break;
      case SKIP4:
        pos += 4;
        break;
      case FLOAT:
        (cols[p.cols[k]] as Float32Array)[row] = d.readFloatLE(pos);
        pos += 4;
        break;
      case SKIP8:
        pos += 8;
        break;
      case DOUBLE:
        (cols[p.cols[k]] as Float64Array)[row] = d.readDoubleLE(pos);
        pos += 8;
        break;
      case SKIP1:
        pos += 1;
        break;
      case BOOLEAN:
        (cols[p.cols[k]] as Uint8Array)[row] = d[pos++];
        break;
      case SKIP_BYTES: {
        // (not `pos += readLong(d)`: that adds to the position from before the length was read)
        const n = readLong(d);
        pos += n;
        break;
      }
      case STRING: {
        const n = readLong(d);
        (cols[p.cols[k]] as (string | null)[])[row] = utf8(d, pos, pos + n);
        pos += n;
        break;
      }
      case ENUM:
        (cols[p.cols[k]] as (string | null)[])[row] = (p.extra[k] as string[])[readLong(d)];
        break;
      case FIXED:
        pos += p.extra[k] as number;
        break;
      case UNION:
        union(p, k, d, row, cols);
        break;
      case BLOCKS:
        skipBlocks(p.extra[k] as { map: boolean; items: Program }, d);
        break;
    }
  }
}

function union(p: Program, k: number, d: Buffer, row: number, cols: Column[]): void {
  const branch = (p.extra[k] as Program[])[readLong(d)];
  if (branch === undefined) throw new Error('a union branch index is out of range');
  const col = p.cols[k];
  if (col >= 0 && branch.codes.length === 0) {
    // the null branch of a wanted [null, T]
    const c = cols[col];
    if (Array.isArray(c)) c[row] = null;
    else c[row] = NaN;
  }
  run(branch, d, row, cols);
}

function skipBlocks(blocks: { map: boolean; items: Program }, d: Buffer): void {
  for (let n = readLong(d); n !== 0; n = readLong(d)) {
    if (n < 0) {
      // a block with its size in bytes: skipped whole
      const size = readLong(d);
      pos += size;
      continue;
    }
    for (let i = 0; i < n; i++) {
      if (blocks.map) {
        const key = readLong(d);
        pos += key;
      }
      run(blocks.items, d, 0, []);
    }
  }
}

type Utf8Slicing = { utf8Slice?(start: number, end: number): string };
/** Buffer's own UTF-8 slice where Node has it (as avsc uses it): toString's argument checks cost as much as the decoding */
const slice: (d: Buffer, start: number, end: number) => string =
  typeof (Buffer.prototype as Utf8Slicing).utf8Slice === 'function'
    ? (d, start, end) => (d as Utf8Slicing).utf8Slice!(start, end)
    : (d, start, end) => d.toString('utf8', start, end);

/**
 * Short strings repeat (countries, genres, artists, titles): a direct-mapped cache keyed by
 * their bytes gives the string decoded before, so each distinct value is decoded about once
 * and equal values are one string. Longer strings are decoded every time.
 */
const CACHED_BYTES = 48;
const CACHE_SLOTS = 1 << 14;
const cacheBytes = new Uint8Array(CACHE_SLOTS * CACHED_BYTES);
const cacheLengths = new Int32Array(CACHE_SLOTS).fill(-1);
const cacheStrings = new Array<string>(CACHE_SLOTS).fill('');

function utf8(d: Buffer, start: number, end: number): string {
  const n = end - start;
  if (n > CACHED_BYTES) return slice(d, start, end);
  let h = 0x811c9dc5 ^ n;
  for (let i = start; i < end; i++) h = Math.imul(h ^ d[i], 16777619);
  const slot = (h ^ (h >>> 15)) & (CACHE_SLOTS - 1);
  const at = slot * CACHED_BYTES;
  if (cacheLengths[slot] === n) {
    let i = 0;
    while (i < n && cacheBytes[at + i] === d[start + i]) i++;
    if (i === n) return cacheStrings[slot];
  }
  const value = slice(d, start, end);
  for (let i = 0; i < n; i++) cacheBytes[at + i] = d[start + i];
  cacheLengths[slot] = n;
  cacheStrings[slot] = value;
  return value;
}

function allocate(t: Target, n: number): Column {
  if (t.type === 'string' || t.type === 'enum') return new Array<string | null>(n);
  if (t.nullable) return new Float64Array(n);
  switch (t.type) {
    case 'int':
      return new Int32Array(n);
    case 'float':
      return new Float32Array(n);
    case 'boolean':
      return new Uint8Array(n);
    default:
      return new Float64Array(n);
  }
}

/**
 * Decodes AVRO-encoded records of one writer schema into columns of only the requested
 * fields, named by path ('user_id', 'user_location.country', 'listening_time.start_time').
 * The other fields' bytes are skipped, and no object is built per record. Requested fields
 * the writer schema lacks are absent from the batches (ColumnBatch.has).
 */
export class ColumnDecoder {
  private readonly program: Program;
  private readonly targets: readonly Target[];

  /** `fields` 'all': every leaf field of the writer schema */
  constructor(writerSchema: avro.Schema, fields: readonly string[] | 'all') {
    const compiler = new Compiler(fields === 'all' ? undefined : new Set(fields));
    this.program = new Program(compiler.compile(writerSchema, '', undefined));
    this.targets = compiler.targets;
  }

  /** the requested fields the writer schema has, with their column types */
  get columns(): readonly ColumnField[] {
    return this.targets;
  }

  /** `count` records encoded one after another in `data` (one container block), as columns. */
  decode(data: Buffer, count: number): ColumnBatch {
    const cols = this.targets.map((t) => allocate(t, count));
    const ends = new Int32Array(count);
    pos = 0;
    for (let row = 0; row < count; row++) {
      run(this.program, data, row, cols);
      ends[row] = pos;
    }
    if (pos !== data.length) throw new Error(`a block of ${count} records holds ${data.length} bytes, its records ${pos}`);
    return new ColumnBatch(count, new Map(this.targets.map((t, i) => [t.field, cols[i]])), this.targets, data, ends);
  }
}
