import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSchemaJson, LISTENING_HISTORY_SCHEMA } from '../../../src/formats/avro/schemas';
import { startGenerationStack, type GenerationStack } from '../../helpers/generation-stack';
import { readRun, schemaTypeOf, sha256 } from '../../helpers/read-run';

const TASK_QUEUE = 'it-generate';

describe('generateDataset on a real Temporal dev server', () => {
  let stack: GenerationStack;

  beforeAll(async () => {
    stack = await startGenerationStack({ taskQueue: TASK_QUEUE });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const generate = (workflowId: string, input: object) => stack.generate(workflowId, input);

  it('writes part files and a manifest whose counts and checksums are true', async () => {
    const result = await generate('it-small', {
      users: 25,
      shardSize: 10,
      sessionsPerUser: 3,
      seed: 7,
      parallelism: 2,
      catalog: ['synthetic:300'],
    });
    expect(result.outDir).toBe(path.join(stack.dataRoot, 'data', 'it-small'));
    const { manifest, records, perPart } = await readRun(result.outDir);

    expect(manifest.runId).toBe('it-small');
    expect(manifest.schema).toEqual(loadSchemaJson(LISTENING_HISTORY_SCHEMA));
    expect(manifest.params.seed).toBe(7);
    expect(manifest.params.users).toBe(25);
    expect(manifest.parts.map((p) => p.file)).toEqual(['avro/part-00000.avro', 'avro/part-00001.avro', 'avro/part-00002.avro']);
    // the manifest, then the empty marker: the folder holds nothing else but the AVRO parts and _work
    expect(fs.readFileSync(path.join(result.outDir, '_SUCCESS'), 'utf8')).toBe('');
    expect(fs.readdirSync(result.outDir).sort()).toEqual(['_SUCCESS', '_manifest.json', '_work', 'avro']);
    manifest.parts.forEach((part, i) => {
      const file = path.join(result.outDir, part.file);
      expect(part.records).toBe(perPart[i]);
      expect(part.bytes).toBe(fs.statSync(file).size);
      expect(part.sha256).toBe(sha256(file));
    });
    expect(manifest.totalRecords).toBe(records.length);
    expect(result.totalRecords).toBe(records.length);
    expect(records.length).toBeGreaterThan(25 * 3);

    const type = schemaTypeOf(manifest);
    for (const r of records) expect(type.isValid(r)).toBe(true);
    expect(new Set(records.map((r) => r.user_id))).toEqual(new Set(Array.from({ length: 25 }, (_, i) => i + 1)));
    expect(fs.readdirSync(result.outDir, { recursive: true }).filter((f) => String(f).endsWith('.tmp'))).toEqual([]);
  });

  it('gives byte-identical parts for the same input whatever the parallelism, and each user the same events whatever the sharding', async () => {
    const input = { users: 12, shardSize: 4, sessionsPerUser: 2, seed: 99, catalog: ['synthetic:200'] };
    const a = await generate('it-same-a', { ...input, parallelism: 1 });
    const b = await generate('it-same-b', { ...input, parallelism: 3 });
    const hashes = (dir: string) =>
      JSON.parse(fs.readFileSync(path.join(dir, '_manifest.json'), 'utf8')).parts.map((p: { sha256: string }) => p.sha256);
    expect(hashes(a.outDir)).toEqual(hashes(b.outDir));
    // one shard of all 12 users: a user simulated after 11 others gets the events it got after 3 (or none)
    const one = await generate('it-same-one-shard', { ...input, shardSize: 12, parallelism: 1 });
    expect(hashes(one.outDir)).toHaveLength(1);
    expect((await readRun(one.outDir)).records).toEqual((await readRun(a.outDir)).records);
  });

  it('fails at once, without retrying, on bad input naming the field', async () => {
    const err = await generate('it-bad-input', { users: -3 }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(String(err.cause?.message)).toMatch(/users: must be between 1/);
    const unknown = await generate('it-bad-field', { userz: 3 }).catch((e) => e);
    expect(String(unknown.cause?.message)).toMatch(/userz: unknown field/);
    const history = await stack.env.client.workflow.getHandle('it-bad-input').fetchHistory();
    const attempts = history
      .events!.filter((e) => e.activityTaskStartedEventAttributes)
      .map((e) => e.activityTaskStartedEventAttributes!.attempt);
    expect(attempts).toEqual([1]);
  });

  it('fails at once, naming the field, on a country or personality the population model does not know', async () => {
    const cases = [
      {
        id: 'it-bad-country',
        input: { users: 3, countries: ['SE', 'ZZ'] },
        field: 'countries',
        message: /invalid input: countries: no city known for ZZ/,
      },
      {
        id: 'it-bad-personality',
        input: { users: 3, personalities: { 'The nobody': 1 } },
        field: 'personalities',
        message: /invalid input: personalities: unknown personality "The nobody"; known: /,
      },
    ];
    for (const c of cases) {
      const err = await generate(c.id, c.input).catch((e) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect(String(err.cause?.message)).toMatch(c.message);
      expect(err.cause).toMatchObject({ type: 'InvalidInput', nonRetryable: true, details: [{ field: c.field }] });
      const history = await stack.env.client.workflow.getHandle(c.id).fetchHistory();
      const attempts = history
        .events!.filter((e) => e.activityTaskStartedEventAttributes)
        .map((e) => e.activityTaskStartedEventAttributes!.attempt);
      expect(attempts).toEqual([1]);
    }
  });
});
