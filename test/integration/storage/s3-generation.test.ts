import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ListMultipartUploadsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/domain/errors';
import { shardCount } from '../../../src/config/generation-input';
import { STAGING_DIR } from '../../../src/runtime/storage/staged-place';
import { createGenerationSteps, type GenerationSteps } from '../../../src/pipeline/steps/generation-steps';
import { NO_SHARD_FAULTS } from '../../../src/pipeline/steps/shard-faults';
import { inProcessContext } from '../../../src/pipeline/steps/step-context';
import type { RunRef } from '../../../src/pipeline/steps/step-refs';
import { logger } from '../../../src/runtime/logger';
import { S3Store } from '../../../src/runtime/storage/s3-store';
import { inlineJobs } from '../../../src/runtime/thread-job';
import { useS3Server } from '../../helpers/s3-server';
import {
  avroReaderLibsDir,
  DUCKDB_HTTPFS,
  ensurePipPackage,
  ensurePythonTools,
  ensureSparkS3a,
  pipPackageDir,
  PYARROW,
  pysparkDir,
  pythonEnv,
  pythonToolsDir,
  sparkS3aJarsDir,
} from '../../helpers/test-tools';
import { makeTmpDir } from '../../helpers/tmp-dir';

const BUCKET = 'runs';
const INPUT = { users: 14, sessionsPerUser: 3, shardSize: 5, seed: 11, catalog: ['synthetic:300'], format: ['avro', 'parquet'] };

/** every file below `dir` by its key ('/'-separated, relative to dir) */
function filesBelow(dir: string, prefix = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const key = prefix + e.name;
    if (e.isDirectory()) for (const [k, v] of filesBelow(path.join(dir, e.name), `${key}/`)) out.set(k, v);
    else out.set(key, fs.readFileSync(path.join(dir, e.name)));
  }
  return out;
}

describe('generation into a bucket of a real S3-compatible server (SeaweedFS)', () => {
  const s3 = useS3Server([BUCKET, 'elsewhere'], (server) => {
    Object.assign(process.env, server.env, { WRAPPED_ETL_S3_ALLOW: `${BUCKET}/gen` });
  });
  const tmp = makeTmpDir('wrapped-etl-s3-gen-');
  const savedEnv = { ...process.env };

  /** the steps of a worker whose data root is `root` (a worker on its own machine) */
  const stepsAt = (root: string): GenerationSteps =>
    createGenerationSteps({
      dataRoot: () => root,
      jobs: inlineJobs,
      sourceAccess: {},
      faults: NO_SHARD_FAULTS,
      log: logger.child({}, { level: 'warn' }),
    });
  const ctx = inProcessContext();

  async function generate(steps: GenerationSteps, input: object, stopAfterShards?: number): Promise<RunRef> {
    const ref = await steps.resolve(ctx, { input, workflowId: 'wf' });
    const { sha256: catalogSha256 } = await steps.catalog(ctx, ref);
    await steps.users(ctx, ref);
    const shards = stopAfterShards ?? shardCount(ref.params);
    for (let shard = 0; shard < shards; shard++) await steps.shard(ctx, { ...ref, shard, catalogSha256 });
    if (stopAfterShards === undefined) await steps.manifest(ctx, ref);
    return ref;
  }

  const store = (prefix: string) => new S3Store({ bucket: BUCKET, prefix });
  const objects = async (prefix: string) => {
    const s = store(prefix);
    const out = new Map<string, Buffer>();
    for (const key of await s.list('')) out.set(key, await s.read(key));
    return out;
  };
  const pendingUploads = async () => (await s3.server.client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? [];

  afterAll(() => {
    process.env = savedEnv;
    tmp.cleanup();
  });

  it('writes parts, checkpoints, _manifest.json and _SUCCESS byte-identical to the same run on disk', async () => {
    const diskRoot = path.join(tmp.dir, 'disk');
    await generate(stepsAt(diskRoot), { ...INPUT, out: 'data', runId: 'r1' });
    const bucketRoot = path.join(tmp.dir, 'worker-a');
    const ref = await generate(stepsAt(bucketRoot), { ...INPUT, out: `s3://${BUCKET}/gen`, runId: 'r1' });
    expect(ref.location).toBe(`s3://${BUCKET}/gen/r1`);

    const onDisk = filesBelow(path.join(diskRoot, 'data', 'r1'));
    const inBucket = await objects('gen/r1');
    const dataKeys = [...onDisk.keys()].filter((k) => /^(avro|parquet)\//.test(k)).sort();
    expect(dataKeys).toHaveLength(2 * 3);
    expect([...inBucket.keys()].filter((k) => /^(avro|parquet)\//.test(k))).toEqual(dataKeys);
    for (const key of dataKeys) expect(inBucket.get(key)!.equals(onDisk.get(key)!), key).toBe(true);
    for (let shard = 0; shard < 3; shard++) {
      const key = `_work/parts/part-0000${shard}.json`;
      expect(inBucket.get(key)!.equals(onDisk.get(key)!), key).toBe(true);
    }
    // the manifests differ only in the params' out (where the run was asked to go)
    const manifest = (bytes: Buffer) => JSON.parse(bytes.toString()) as { params: { out: string } };
    const m3 = manifest(inBucket.get('_manifest.json')!);
    const m1 = manifest(onDisk.get('_manifest.json')!);
    expect(m3.params.out).toBe(`s3://${BUCKET}/gen`);
    expect({ ...m3, params: { ...m3.params, out: '.' } }).toEqual({ ...m1, params: { ...m1.params, out: '.' } });
    expect(inBucket.get('_SUCCESS')!.length).toBe(0);
    // nothing half-written left behind, and the staging folder (with the folders above it it leaves empty) is gone once the run is complete
    expect(await pendingUploads()).toEqual([]);
    expect(fs.existsSync(path.join(bucketRoot, STAGING_DIR))).toBe(false);
  });

  it('an independent reader reads the run in the bucket: pyarrow S3FileSystem (Parquet) and fastavro over it (AVRO)', async (c) => {
    const missingReader = ensurePythonTools() ?? ensurePipPackage(PYARROW);
    if (missingReader) c.skip(missingReader);
    const script = [
      'import hashlib, io, json, os, sys',
      'import fastavro',
      'from pyarrow import fs, parquet as pq',
      "s3 = fs.S3FileSystem(endpoint_override=os.environ['AWS_ENDPOINT_URL_S3'], scheme='http', region='us-east-1')",
      'run = sys.argv[1]',
      "manifest = json.loads(s3.open_input_stream(run + '/_manifest.json').read())",
      "parquet = pq.read_table(run + '/parquet/', filesystem=s3)",
      'avro, intact = 0, True',
      "for p in manifest['parts']:",
      "    data = s3.open_input_file(run + '/' + p['file']).read()",
      "    intact = intact and hashlib.sha256(data).hexdigest() == p['sha256']",
      '    avro += sum(1 for _ in fastavro.reader(io.BytesIO(data)))',
      "print('RESULT ' + json.dumps({'manifest': manifest['totalRecords'], 'parquet': parquet.num_rows, 'avro': avro, 'intact': intact,",
      "  'users': len(set(parquet.column('user_id').to_pylist()))}))",
    ].join('\n');
    const r = spawnSync('python3', ['-c', script, `${BUCKET}/gen/r1`], {
      env: { ...pythonEnv(), ...s3.server.env, PYTHONPATH: [pythonToolsDir(), pipPackageDir(PYARROW)].join(path.delimiter) },
      encoding: 'utf8',
    });
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, r.stderr.slice(-3000)).toBeDefined();
    const read = JSON.parse(line!.slice('RESULT '.length));
    expect(read.manifest).toBeGreaterThan(0);
    expect(read).toEqual({ manifest: read.manifest, parquet: read.manifest, avro: read.manifest, intact: true, users: INPUT.users });
  });

  it('DuckDB (1.4.4, httpfs from PyPI) queries the run in place: read_parquet over s3://, counts equal the manifest', async (c) => {
    const missing = ensurePipPackage(DUCKDB_HTTPFS);
    if (missing) c.skip(missing);
    const script = [
      'import json, os, sys, duckdb, duckdb_ext',
      'con = duckdb.connect()',
      "con.execute(\"SET extension_directory = '%s'\" % os.path.join(list(duckdb_ext.__path__)[0], 'extensions'))",
      "con.execute('SET autoinstall_known_extensions = false')",
      "con.execute('LOAD httpfs')",
      "endpoint = os.environ['AWS_ENDPOINT_URL_S3'].split('://', 1)[1]",
      "con.execute(\"CREATE SECRET (TYPE s3, KEY_ID '%s', SECRET '%s', ENDPOINT '%s', URL_STYLE 'path', USE_SSL false, REGION 'us-east-1')\"",
      "  % (os.environ['AWS_ACCESS_KEY_ID'], os.environ['AWS_SECRET_ACCESS_KEY'], endpoint))",
      'run = sys.argv[1]',
      'manifest = json.loads(con.sql("SELECT content FROM read_text(\'%s/_manifest.json\')" % run).fetchone()[0])',
      'rows, users = con.sql("SELECT count(*), count(DISTINCT user_id) FROM read_parquet(\'%s/parquet/*.parquet\')" % run).fetchone()',
      "print('RESULT ' + json.dumps({'manifest': manifest['totalRecords'], 'rows': rows, 'users': users}))",
    ].join('\n');
    const r = spawnSync('python3', ['-c', script, `s3://${BUCKET}/gen/r1`], {
      env: { ...pythonEnv(), ...s3.server.env, PYTHONPATH: pipPackageDir(DUCKDB_HTTPFS) },
      encoding: 'utf8',
    });
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, r.stderr.slice(-3000)).toBeDefined();
    const read = JSON.parse(line!.slice('RESULT '.length));
    expect(read.manifest).toBeGreaterThan(0);
    expect(read).toEqual({ manifest: read.manifest, rows: read.manifest, users: INPUT.users });
  });

  it('Spark (pyspark 4.2.0, hadoop-aws 3.5.0) reads the run in place over s3a://: Parquet and AVRO (spark-avro) counts equal the manifest', async (c) => {
    const missing = ensureSparkS3a();
    if (missing) c.skip(missing);
    const manifest = JSON.parse((await store('gen/r1').read('_manifest.json')).toString()) as { totalRecords: number };
    const jars = [
      ...fs.readdirSync(sparkS3aJarsDir()).map((f) => path.join(sparkS3aJarsDir(), f)),
      ...fs
        .readdirSync(avroReaderLibsDir())
        .filter((f) => f.startsWith('spark-avro_2.13-'))
        .map((f) => path.join(avroReaderLibsDir(), f)),
    ];
    // the server, region and credentials from the environment, as a worker has them; path-style URLs, plain HTTP
    const script = `import json, os, sys
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[2]").config("spark.jars", sys.argv[2])
    .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
    .config("spark.hadoop.fs.s3a.endpoint", os.environ["AWS_ENDPOINT_URL_S3"])
    .config("spark.hadoop.fs.s3a.endpoint.region", os.environ["AWS_REGION"])
    .config("spark.hadoop.fs.s3a.path.style.access", "true")
    .config("spark.hadoop.fs.s3a.connection.ssl.enabled", "false")
    .config("spark.hadoop.fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider")
    .config("spark.hadoop.fs.s3a.access.key", os.environ["AWS_ACCESS_KEY_ID"])
    .config("spark.hadoop.fs.s3a.secret.key", os.environ["AWS_SECRET_ACCESS_KEY"])
    .getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
run = sys.argv[1]
parquet = spark.read.parquet(run + "/parquet/")
avro = spark.read.format("avro").load(run + "/avro/")
print("RESULT " + json.dumps({"parquet": parquet.count(), "avro": avro.count(), "users": parquet.select("user_id").distinct().count()}))
spark.stop()
`;
    const r = spawnSync('python3', ['-c', script, `s3a://${BUCKET}/gen/r1`, jars.join(',')], {
      env: { ...process.env, ...s3.server.env, PYTHONPATH: pysparkDir(), PYTHONDONTWRITEBYTECODE: '1' },
      encoding: 'utf8',
    });
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, r.stderr.slice(-3000)).toBeDefined();
    expect(manifest.totalRecords).toBeGreaterThan(0);
    expect(JSON.parse(line!.slice('RESULT '.length))).toEqual({
      parquet: manifest.totalRecords,
      avro: manifest.totalRecords,
      users: INPUT.users,
    });
  }, 600_000);

  it('resumes on another worker from what is in the bucket: valid parts kept (checked by content), a damaged one written again', async () => {
    const input = { ...INPUT, out: `s3://${BUCKET}/gen`, runId: 'r2' };
    const first = await generate(stepsAt(path.join(tmp.dir, 'worker-b')), input, 2);
    expect(first.location).toBe(`s3://${BUCKET}/gen/r2`);
    const s = store('gen/r2');
    // halfway: no manifest, no marker, two parts with their checkpoints
    expect(await s.stat('_manifest.json')).toBeUndefined();
    expect(await s.stat('_SUCCESS')).toBeUndefined();
    expect((await s.list('avro/')).length).toBe(2);
    const good = await s.read('avro/part-00001.avro');
    // a part damaged in the bucket: same size, other bytes
    const damaged = Buffer.from(good);
    damaged[damaged.length - 1] ^= 0xff;
    await s3.server.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'gen/r2/avro/part-00001.avro', Body: damaged }));

    // another machine: an empty data root, so everything comes from the bucket
    const steps = stepsAt(path.join(tmp.dir, 'worker-c'));
    const ref = await steps.resolve(ctx, { input: { resume: 'r2', out: input.out, runId: 'r2' }, workflowId: 'wf' });
    expect(ref.params).toEqual(first.params);
    const { sha256: catalogSha256 } = await steps.catalog(ctx, ref);
    expect(await steps.users(ctx, ref)).toMatchObject({ users: 14 });
    expect(await steps.shard(ctx, { ...ref, shard: 0, catalogSha256 })).toMatchObject({ reused: true });
    expect(await steps.shard(ctx, { ...ref, shard: 1, catalogSha256 })).toMatchObject({ reused: false });
    expect(await steps.shard(ctx, { ...ref, shard: 2, catalogSha256 })).toMatchObject({ reused: false });
    await steps.manifest(ctx, ref);
    expect((await s.read('avro/part-00001.avro')).equals(good)).toBe(true);

    const onDisk = filesBelow(path.join(tmp.dir, 'disk', 'data', 'r1'));
    const inBucket = await objects('gen/r2');
    for (const key of [...onDisk.keys()].filter((k) => /^(avro|parquet)\//.test(k))) {
      expect(inBucket.get(key)!.equals(onDisk.get(key)!), key).toBe(true);
    }
  });

  it('two workers with their own data roots serve one run, step by step: each fetches (checked by content) what it did not stage', async () => {
    const [a, b] = [stepsAt(path.join(tmp.dir, 'worker-e')), stepsAt(path.join(tmp.dir, 'worker-f'))];
    const ref = await a.resolve(ctx, { input: { ...INPUT, out: `s3://${BUCKET}/gen`, runId: 'r4' }, workflowId: 'wf' });
    // a ref as the workflow carries it: the resolving worker's staging folder, which worker f does not have
    const { sha256: catalogSha256 } = await b.catalog(ctx, ref);
    await a.users(ctx, ref);
    for (let shard = 0; shard < 3; shard++) await [b, a, b][shard].shard(ctx, { ...ref, shard, catalogSha256 });
    const manifest = await b.manifest(ctx, ref);
    expect(manifest.manifest).toBe(`s3://${BUCKET}/gen/r4/_manifest.json`);

    const onDisk = filesBelow(path.join(tmp.dir, 'disk', 'data', 'r1'));
    const inBucket = await objects('gen/r4');
    const dataKeys = [...onDisk.keys()].filter((k) => /^(avro|parquet|_work\/parts)\//.test(k));
    expect(dataKeys).toHaveLength(3 * 3);
    for (const key of dataKeys) expect(inBucket.get(key)!.equals(onDisk.get(key)!), key).toBe(true);

    // a damaged catalog in the bucket is not taken by a worker that must fetch it: the shard fails naming it
    const damaged = Buffer.from(inBucket.get('_work/catalog.avro')!);
    damaged[damaged.length - 1] ^= 0xff;
    await s3.server.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'gen/r4/_work/catalog.avro', Body: damaged }));
    await s3.server.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'gen/r4/_work/parts/part-00002.json', Body: 'gone' }));
    const c = stepsAt(path.join(tmp.dir, 'worker-g'));
    await expect(c.shard(ctx, { ...ref, shard: 2, catalogSha256 })).rejects.toThrow(`s3://${BUCKET}/gen/r4/_work/catalog.avro hashes to `);
  });

  it('a worker whose staging folder names the workflow of a stopped earlier attempt takes it over for the resumed run', async () => {
    const [a, b] = [stepsAt(path.join(tmp.dir, 'worker-h')), stepsAt(path.join(tmp.dir, 'worker-i'))];
    const input = { ...INPUT, out: `s3://${BUCKET}/gen`, runId: 'r5' };
    const first = await a.resolve(ctx, { input, workflowId: 'wf' });
    const { sha256: catalogSha256 } = await a.catalog(ctx, first);
    await a.users(ctx, first);
    await b.shard(ctx, { ...first, shard: 0, catalogSha256 });
    // the first workflow stopped; a resume (another workflow) resolves on worker h and sends a shard to worker i
    const gone = { ...inProcessContext(), ownerId: 'wf-resumed', holderAlive: async () => false };
    const running = { ...gone, holderAlive: async () => true };
    const resumed = await a.resolve(gone, { input: { resume: 'r5', out: input.out, runId: 'r5' }, workflowId: 'wf-resumed' });
    await expect(b.shard(running, { ...resumed, shard: 1, catalogSha256 })).rejects.toThrow(/took it over; this run stops/);
    expect(await b.shard(gone, { ...resumed, shard: 1, catalogSha256 })).toMatchObject({ reused: false });
  });

  it('refuses at once a bucket or prefix outside WRAPPED_ETL_S3_ALLOW, naming the field, and writes nothing', async () => {
    const steps = stepsAt(path.join(tmp.dir, 'worker-d'));
    for (const out of ['s3://elsewhere/gen', `s3://${BUCKET}/gen2`, `s3://${BUCKET}`]) {
      const attempt = steps.resolve(ctx, { input: { ...INPUT, out, runId: 'r3' }, workflowId: 'wf' });
      await expect(attempt).rejects.toThrow(InputError);
      await expect(attempt).rejects.toThrow(/invalid input: out: .*not among the buckets and prefixes this worker may use/);
    }
    expect(fs.existsSync(path.join(tmp.dir, 'worker-d'))).toBe(false);
    const malformed = steps.resolve(ctx, { input: { ...INPUT, out: `s3://${BUCKET}/gen/../x`, runId: 'r3' }, workflowId: 'wf' });
    await expect(malformed).rejects.toThrow(/out: .*has a prefix that has an empty, '\.' or '\.\.' segment/);
  });
});
