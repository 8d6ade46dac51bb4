import * as fs from 'node:fs';
import * as path from 'node:path';
import * as avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { ColumnDecoder } from '../../../src/formats/avro/column-decoder';
import { AvroContainerWriter } from '../../../src/formats/avro/container-writer';
import { loadSchemaJson } from '../../../src/formats/avro/schemas';
import { LISTENING_HISTORY_SCHEMA_FILES } from '../../../src/formats/listening-history-versions';
import { partColumns } from '../../../src/dataset/part-ref';
import { recordsOf } from '../../../src/dataset/record-view';
import { makeTmpDir } from '../../helpers/tmp-dir';

/** A seeded generator (mulberry32), so a failure names the seed that reproduces it. */
function randomOf(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The leaf paths of a record schema, in encoding order ('user_location.country'). */
function leaves(schema: avro.schema.RecordType, prefix = ''): string[] {
  return schema.fields.flatMap((f) => {
    const t = f.type as { type?: string };
    return t.type === 'record' ? leaves(f.type as avro.schema.RecordType, `${prefix}${f.name}.`) : [`${prefix}${f.name}`];
  });
}

/** What avsc decodes, cut down to `fields` (nested as in the record, in schema order). */
function project(record: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const names = field.split('.');
    let from: Record<string, unknown> = record;
    let to = out;
    for (const n of names.slice(0, -1)) {
      from = from[n] as Record<string, unknown>;
      to = (to[n] ??= {}) as Record<string, unknown>;
    }
    to[names[names.length - 1]] = from[names[names.length - 1]];
  }
  return out;
}

function randomString(random: () => number): string {
  const alphabet = ['a', 'Z', ' ', 'é', 'ß', '東京', '🎵', '\u0001', 'long string '.repeat(6)];
  let s = '';
  for (let n = Math.floor(random() * 8); n > 0; n--) s += alphabet[Math.floor(random() * alphabet.length)];
  return s;
}

/** A random value of an AVRO type, drawn from `random` (strings from a small alphabet, so some repeat). */
function randomValue(type: avro.Type, random: () => number): unknown {
  switch (type.typeName) {
    case 'int':
      return Math.floor((random() - 0.5) * 2 ** 32);
    case 'long':
    case 'logical:timestamp-millis':
      return Math.floor((random() - 0.5) * 2 ** 53);
    case 'float':
      return Math.fround((random() - 0.5) * 1e6);
    case 'double':
      return (random() - 0.5) * 1e300;
    case 'boolean':
      return random() < 0.5;
    case 'string':
      return randomString(random);
    case 'bytes':
      return Buffer.from(randomString(random));
    case 'null':
      return null;
    case 'enum':
      return (type as avro.types.EnumType).symbols[Math.floor(random() * (type as avro.types.EnumType).symbols.length)];
    case 'fixed':
      return Buffer.alloc((type as avro.types.FixedType).size, Math.floor(random() * 256));
    case 'array':
      return Array.from({ length: Math.floor(random() * 4) }, () => randomValue((type as avro.types.ArrayType).itemsType, random));
    case 'map':
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 4) }, (_, i) => [`k${i}`, randomValue((type as avro.types.MapType).valuesType, random)]),
      );
    case 'union:unwrapped': {
      const types = (type as avro.types.UnwrappedUnionType).types;
      return randomValue(types[Math.floor(random() * types.length)], random);
    }
    case 'record':
      return Object.fromEntries((type as avro.types.RecordType).fields.map((f) => [f.name, randomValue(f.type, random)]));
    default:
      throw new Error(`no random value for ${type.typeName}`);
  }
}

/** Beside the listening-history schemas: every kind of field the decoder must skip, around ones it reads. */
const SKIPPING_SCHEMA = {
  type: 'record',
  name: 'Mixed',
  namespace: 'test',
  fields: [
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'id', type: 'long' },
    { name: 'scores', type: { type: 'map', values: 'double' } },
    { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B', 'C'] } },
    { name: 'hash', type: { type: 'fixed', name: 'Hash', size: 5 } },
    { name: 'blob', type: 'bytes' },
    { name: 'maybe', type: ['null', 'string'] },
    { name: 'either', type: ['int', 'string', { type: 'array', items: 'long' }] },
    { name: 'ok', type: 'boolean' },
    {
      name: 'inner',
      type: {
        type: 'record',
        name: 'Inner',
        fields: [
          { name: 'x', type: 'float' },
          { name: 'again', type: 'Kind' },
        ],
      },
    },
    { name: 'last', type: 'string' },
  ],
};

const SCHEMAS: Record<string, avro.Schema> = {
  v1: loadSchemaJson(LISTENING_HISTORY_SCHEMA_FILES[1]),
  v2: loadSchemaJson(LISTENING_HISTORY_SCHEMA_FILES[2]),
  mixed: SKIPPING_SCHEMA as avro.Schema,
};

/** Leaves a column can hold (not bytes, fixed, arrays, maps or unions other than [null, T]). */
const READABLE: Record<string, string[]> = {
  v1: leaves(SCHEMAS.v1 as avro.schema.RecordType),
  v2: leaves(SCHEMAS.v2 as avro.schema.RecordType),
  mixed: ['id', 'kind', 'maybe', 'ok', 'inner.x', 'inner.again', 'last'],
};

describe('ColumnDecoder', () => {
  for (const name of Object.keys(SCHEMAS)) {
    it(`decodes ${name} records as avsc does, for random subsets of the fields, skipping the rest`, () => {
      const type = avro.Type.forSchema(SCHEMAS[name], { wrapUnions: false });
      for (let seed = 1; seed <= 40; seed++) {
        const random = randomOf(seed);
        const records = Array.from({ length: 1 + Math.floor(random() * 60) }, () => randomValue(type, random));
        const block = Buffer.concat(records.map((r) => type.toBuffer(r)));
        const fields = READABLE[name].filter(() => random() < 0.4);
        const batch = new ColumnDecoder(SCHEMAS[name], fields).decode(block, records.length);
        const expected = records.map((r) =>
          project(
            type.fromBuffer(type.toBuffer(r)) as Record<string, unknown>,
            READABLE[name].filter((f) => fields.includes(f)),
          ),
        );
        expect(recordsOf(batch), `seed ${seed}, fields ${fields.join(',')}`).toEqual(expected);
      }
    });
  }

  it("'all' gives every field, as avsc's decode does, key order included", () => {
    const type = avro.Type.forSchema(SCHEMAS.v2);
    const random = randomOf(7);
    const records = Array.from({ length: 50 }, () => type.fromBuffer(type.toBuffer(randomValue(type, random))));
    const batch = new ColumnDecoder(SCHEMAS.v2, 'all').decode(Buffer.concat(records.map((r) => type.toBuffer(r))), records.length);
    expect(JSON.stringify(recordsOf(batch))).toBe(JSON.stringify(records));
  });

  it('fills typed arrays: ints, longs as float64, floats as float32, booleans as bytes', () => {
    const type = avro.Type.forSchema(SCHEMAS.mixed, { wrapUnions: false });
    const random = randomOf(3);
    const records = Array.from({ length: 10 }, () => randomValue(type, random) as Record<string, unknown>);
    const batch = new ColumnDecoder(SCHEMAS.mixed, ['id', 'inner.x', 'ok', 'last']).decode(
      Buffer.concat(records.map((r) => type.toBuffer(r))),
      records.length,
    );
    expect(batch.numbers('id')).toBeInstanceOf(Float64Array);
    expect(batch.numbers('inner.x')).toBeInstanceOf(Float32Array);
    expect(batch.numbers('ok')).toBeInstanceOf(Uint8Array);
    expect(batch.strings('last')).toEqual(records.map((r) => r.last));
    expect(batch.has('kind')).toBe(false);
    expect(() => batch.strings('kind')).toThrow(/not in this part's schema/);
  });

  it('refuses a block whose records do not end where it does, and fields it cannot hold as a column', () => {
    const type = avro.Type.forSchema(SCHEMAS.v1);
    const record = type.fromBuffer(type.toBuffer(randomValue(type, randomOf(1))));
    const one = type.toBuffer(record);
    expect(() => new ColumnDecoder(SCHEMAS.v1, ['user_id']).decode(Buffer.concat([one, one]), 1)).toThrow(
      /holds \d+ bytes, its records \d+/,
    );
    expect(() => new ColumnDecoder(SCHEMAS.mixed, ['tags'])).toThrow(/tags is of type array/);
    expect(() => new ColumnDecoder(SCHEMAS.mixed, ['either'])).toThrow(/cannot be read as a column/);
    expect(() => new ColumnDecoder(SCHEMAS.v1, ['user_location'])).toThrow(/is a record/);
  });

  it('reads container parts block by block (deflate and null) as avsc reads them', () => {
    const tmp = makeTmpDir();
    try {
      for (const [version, codec] of [
        [1, 'deflate'],
        [2, 'null'],
      ] as const) {
        const schema = SCHEMAS[`v${version}`];
        const type = avro.Type.forSchema(schema);
        const random = randomOf(version);
        const records = Array.from({ length: 3000 }, () => type.fromBuffer(type.toBuffer(randomValue(type, random))));
        const file = path.join(tmp.dir, `part-${version}.avro`);
        const w = new AvroContainerWriter(file, type, { syncMarker: Buffer.alloc(16, 9), codec, blockBytes: 16 * 1024 });
        for (const r of records) w.append(r);
        const written = w.commit();
        const ref = { store: tmp.dir, key: path.basename(file), ...written, manifest: 'test', repair: 'none' };
        const batches = [...partColumns(fs.readFileSync(file), ref, 'all')];
        expect(batches.length).toBeGreaterThan(1);
        expect(JSON.stringify(batches.flatMap((b) => recordsOf(b)))).toBe(JSON.stringify(records));
      }
    } finally {
      tmp.cleanup();
    }
  });
});
