import * as fs from 'node:fs';
import * as path from 'node:path';
import * as avro from 'avsc';

/** The schemas/ folder, both from sources (ts) and from the build (dist/). */
const SCHEMAS_DIR = [path.resolve(__dirname, '../../../schemas'), path.resolve(__dirname, '../../../../schemas')].find((d) =>
  fs.existsSync(path.join(d, 'listening-history.avsc')),
)!;

const cache = new Map<string, avro.Type>();

export function loadSchemaJson(file: string): avro.Schema {
  return JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, file), 'utf8'));
}

export function schemaType(file: string): avro.Type {
  let type = cache.get(file);
  if (!type) {
    type = avro.Type.forSchema(loadSchemaJson(file));
    cache.set(file, type);
  }
  return type;
}

export const LISTENING_HISTORY_SCHEMA = 'listening-history.avsc';
export const SONG_SCHEMA = 'song.avsc';
