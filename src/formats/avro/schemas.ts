import * as fs from 'node:fs';
import * as path from 'node:path';
import * as avro from 'avsc';

/** The schemas/ folder, both from sources (ts) and from the build (dist/). */
const SCHEMAS_DIR = [path.resolve(__dirname, '../../../schemas'), path.resolve(__dirname, '../../../../schemas')].find((d) =>
  fs.existsSync(path.join(d, 'listening-history.avsc')),
)!;

const cache = new Map<string, avro.Type>();

/**
 * `timestamp-millis` on a long, values kept as epoch milliseconds (numbers). Registered so
 * the logical type stays in the schema written to each file's header (avsc drops logical
 * types it does not know), and readers such as fastavro or Spark see timestamps.
 */
class EpochMillis extends avro.types.LogicalType {
  override _fromValue(value: number): number {
    return value;
  }
  override _toValue(value: number): number {
    return value;
  }
  override _resolve(type: avro.Type): ((value: number) => number) | undefined {
    if (avro.Type.isType(type, 'long', 'int', 'logical:timestamp-millis')) return (value) => value;
    return undefined;
  }
}

/** fresh each time: avsc keeps the named types it meets in the options' registry */
const typeOptions = () => ({ logicalTypes: { 'timestamp-millis': EpochMillis } });

export function loadSchemaJson(file: string): avro.Schema {
  return JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, file), 'utf8'));
}

export function schemaType(file: string): avro.Type {
  let type = cache.get(file);
  if (!type) {
    type = avro.Type.forSchema(loadSchemaJson(file), typeOptions());
    cache.set(file, type);
  }
  return type;
}

/**
 * A record type of some of the fields of the record schema in `file`, in its order: its
 * encoding of a value is those fields' part of the whole record's encoding.
 */
export function fieldsType(file: string, names: readonly string[]): avro.Type {
  const schema = loadSchemaJson(file) as avro.schema.RecordType;
  const fields = schema.fields.filter((f) => names.includes(f.name));
  const missing = names.filter((n) => !fields.some((f) => f.name === n));
  if (missing.length) throw new Error(`${file} has no field ${missing.join(', ')}`);
  return avro.Type.forSchema({ ...schema, fields }, typeOptions());
}

export const LISTENING_HISTORY_SCHEMA = 'listening-history.avsc';
export const SONG_SCHEMA = 'song.avsc';
