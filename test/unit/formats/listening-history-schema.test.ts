import * as fs from 'node:fs';
import * as path from 'node:path';
import * as avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { loadSchemaJson, LISTENING_HISTORY_SCHEMA } from '../../../src/formats/avro/schemas';

/** The schema as printed in the seed spec (docs/seed.md), the output contract. */
function seedSchema(): unknown {
  const text = fs.readFileSync(path.resolve(__dirname, '../../../docs/seed.md'), 'utf8');
  const m = /```json\n([\s\S]*?)```/.exec(text);
  return JSON.parse(m![1]);
}

describe('schemas/listening-history.avsc', () => {
  it("is the seed spec's ListeningHistory, field for field and in order", () => {
    expect(loadSchemaJson(LISTENING_HISTORY_SCHEMA)).toEqual(seedSchema());
  });

  it('parses as AVRO with the namespaced nested records', () => {
    const type = avro.Type.forSchema(loadSchemaJson(LISTENING_HISTORY_SCHEMA)) as avro.types.RecordType;
    expect(type.name).toBe('music.ListeningHistory');
    expect(type.fields.map((f) => f.name)).toEqual([
      'user_id',
      'user_location',
      'interaction',
      'song_name',
      'artist',
      'genre',
      'year',
      'popularity',
      'danceability',
      'energy',
      'length_seconds',
      'listening_time',
      'personality',
    ]);
    expect((type.field('user_location')!.type as avro.types.RecordType).name).toBe('music.Location');
    expect((type.field('listening_time')!.type as avro.types.RecordType).name).toBe('music.ListeningPeriod');
  });
});
