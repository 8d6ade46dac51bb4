import * as fs from 'node:fs';
import * as path from 'node:path';
import * as avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { loadSchemaJson, LISTENING_HISTORY_SCHEMA } from '../../src/formats/avro/schemas';

/** The schema as printed in the seed spec (../shared/spec/seed.md), the output contract. */
function seedSchema(): unknown {
  const candidates = [path.resolve(__dirname, '../../../shared/spec/seed.md'), path.resolve(process.cwd(), '../shared/spec/seed.md')];
  const file = candidates.find((f) => fs.existsSync(f));
  const text = file ? fs.readFileSync(file, 'utf8') : fs.readFileSync(path.resolve(__dirname, '../fixtures/seed-schema.json'), 'utf8');
  const m = file ? /```json\n([\s\S]*?)```/.exec(text) : [text, text];
  return JSON.parse(m![1]);
}

describe('schemas/listening-history.avsc', () => {
  it('is the seed spec\'s ListeningHistory, field for field and in order', () => {
    expect(loadSchemaJson(LISTENING_HISTORY_SCHEMA)).toEqual(seedSchema());
  });

  it('parses as AVRO with the namespaced nested records', () => {
    const type = avro.Type.forSchema(loadSchemaJson(LISTENING_HISTORY_SCHEMA)) as avro.types.RecordType;
    expect(type.name).toBe('music.ListeningHistory');
    expect(type.fields.map((f) => f.name)).toEqual([
      'user_id', 'user_location', 'interaction', 'song_name', 'artist', 'genre', 'year', 'popularity',
      'danceability', 'energy', 'length_seconds', 'listening_time', 'personality',
    ]);
    expect((type.field('user_location')!.type as avro.types.RecordType).name).toBe('music.Location');
    expect((type.field('listening_time')!.type as avro.types.RecordType).name).toBe('music.ListeningPeriod');
  });
});
