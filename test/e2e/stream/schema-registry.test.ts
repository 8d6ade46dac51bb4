import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveWorldInput } from '../../../src/config/world-input';
import { canonicalSchema } from '../../../src/formats/avro/message-framing';
import { readContainer } from '../../../src/formats/avro/read-container';
import { loadSchemaJson, schemaType } from '../../../src/formats/avro/schemas';
import { listeningHistorySchemaFile } from '../../../src/formats/listening-history-versions';
import { readManifest } from '../../../src/pipeline/manifest';
import { WorldLayout } from '../../../src/pipeline/world-layout';
import { advanceOneDay, createWorld, daysToAdvance } from '../../../src/pipeline/world-store';
import { registerValueSchema } from '../../../src/stream/schema-registry';
import { streamWorld } from '../../../src/stream/stream-world';
import { startKafka, type KafkaBroker } from '../../helpers/kafka-broker';
import { startSchemaRegistry, type SchemaRegistry } from '../../helpers/schema-registry';
import { ensureKafkaJars, ensurePythonTools, ensureSchemaRegistry, pythonEnv } from '../../helpers/test-tools';
import { makeTmpDir } from '../../helpers/tmp-dir';
import { dayShardsInThread } from '../../helpers/world-files';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const tmp = makeTmpDir('wrapped-etl-registry-world-');
const worldDir = path.join(tmp.dir, 'data', 'w2');
const fullSchema = (version: 1 | 2) => JSON.stringify(loadSchemaJson(listeningHistorySchemaFile(version)));
const canonical = (version: 1 | 2) => canonicalSchema(schemaType(listeningHistorySchemaFile(version)));
let kafka: KafkaBroker;
let registry: SchemaRegistry;
let v1Id: number;
let compatibilityStatus: number;
let streamed: Awaited<ReturnType<typeof streamWorld>>;

/** why a real broker, registry or Confluent's deserializer cannot run here (only when a prerequisite of README's is missing) */
const missing = ensureKafkaJars() ?? ensureSchemaRegistry() ?? ensurePythonTools();
beforeEach((ctx) => {
  if (missing) ctx.skip(missing);
});
beforeAll(async () => {
  if (missing) return;
  [kafka, registry] = await Promise.all([startKafka(), startSchemaRegistry()]);
  const input = resolveWorldInput({
    name: 'w2',
    users: 40,
    shardSize: 20,
    start: '2025-06-01',
    catalog: ['synthetic:300'],
    schemaVersion: 2,
  });
  await createWorld(worldDir, input);
  for (const day of daysToAdvance(worldDir, '2025-06-01')) await advanceOneDay(worldDir, day, dayShardsInThread);
  // the topic's subject already holds v1 (the seed's schema as written) and checks BACKWARD compatibility; then the world
  // streams into it (here, so that each test runs alone)
  v1Id = await registerValueSchema(registry.url, 'listens', fullSchema(1));
  compatibilityStatus = (await registry_('PUT', '/config/listens-value', { compatibility: 'BACKWARD' })).status;
  streamed = await streamWorld({ worldDir, brokers: [kafka.brokers], topic: 'listens', speed: 'max', schemaRegistry: registry.url });
}, 400_000);
afterAll(async () => {
  await Promise.all([kafka?.stop(), registry?.stop()]);
  tmp.cleanup();
});

async function registry_(method: string, route: string, body?: object): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${registry.url}${route}`, {
    method,
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    body: body && JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('stream --schema-registry against a real registry (Apicurio Registry, Confluent-compatible API)', () => {
  it('registers the full v2 writer schema as a BACKWARD-compatible next version of v1 under one subject', async () => {
    expect(v1Id).toBeGreaterThan(0);
    expect(compatibilityStatus).toBe(200);
    expect(streamed.days).toEqual(['2025-06-01']);

    const versions = await registry_('GET', '/subjects/listens-value/versions');
    expect(versions.json).toEqual([1, 2]);
    const latest = await registry_('GET', '/subjects/listens-value/versions/latest');
    // the whole schema: docs, defaults, logical types, as schemas/listening-history-v2.avsc holds it
    expect(JSON.parse(latest.json.schema as string)).toEqual(loadSchemaJson(listeningHistorySchemaFile(2)));

    // the registry's check is real: the canonical form (no defaults) of v2 is refused after v1
    await registerValueSchema(registry.url, 'stripped', canonical(1));
    await registry_('PUT', '/config/stripped-value', { compatibility: 'BACKWARD' });
    await expect(registerValueSchema(registry.url, 'stripped', canonical(2))).rejects.toThrow(/HTTP 409/);
  });

  it("decodes with Confluent's AvroDeserializer (confluent-kafka) into typed timestamps, record for record", async () => {
    const layout = new WorldLayout(worldDir);
    const expected = new Map<string, { start: number; end: number }>();
    for (const part of readManifest(layout.day('2025-06-01').manifestPath).parts) {
      for await (const r of readContainer(layout.day('2025-06-01').pathOf(part.file))) {
        const rec = r as { session_id: string; user_id: number; listening_time: { start_time: number; end_time: number } };
        expected.set(`${rec.user_id}/${rec.listening_time.start_time}`, {
          start: rec.listening_time.start_time,
          end: rec.listening_time.end_time,
        });
      }
    }
    const dump = spawnSync(
      'python3',
      [path.join(ROOT, 'test', 'helpers', 'python', 'kafka_dump.py'), kafka.brokers, 'listens', registry.url],
      {
        encoding: 'utf8',
        env: pythonEnv(),
        maxBuffer: 256 << 20,
      },
    );
    expect(dump.status, dump.stderr).toBe(0);
    const values = dump.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { value: { user_id: number; listening_time: { start_time: unknown; end_time: unknown } } }).value);
    expect(values).toHaveLength(expected.size);
    for (const v of values) {
      const { start_time, end_time } = v.listening_time as { start_time: { datetime: string }; end_time: { datetime: string } };
      // a datetime (typed by the registered schema's logicalType), not a long
      expect(start_time).toEqual({ datetime: expect.stringMatching(/^2025-06-01T\d\d:\d\d:\d\d(\.\d+)?\+00:00$/) });
      const want = expected.get(`${v.user_id}/${Date.parse(start_time.datetime)}`);
      expect(want, `no record of user ${v.user_id} starting ${start_time.datetime} in the parts`).toBeDefined();
      expect(Date.parse(end_time.datetime)).toBe(want!.end);
    }
  });
});
