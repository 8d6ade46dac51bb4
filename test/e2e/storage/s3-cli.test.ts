import * as fs from 'node:fs';
import * as path from 'node:path';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { S3Store } from '../../../src/runtime/storage/s3-store';
import { STAGING_DIR } from '../../../src/runtime/storage/staged-place';
import { runCli } from '../../helpers/cli-process';
import { freePort } from '../../../bench/free-port';
import { useS3Server } from '../../helpers/s3-server';
import { makeTmpDir } from '../../helpers/tmp-dir';

const BUCKET = 'datasets';

describe('the CLI with s3:// locations, against a real S3-compatible server (SeaweedFS)', () => {
  const tmp = makeTmpDir('wrapped-etl-s3-cli-');
  let env: Record<string, string>;
  let ports: string[];
  const s3 = useS3Server([BUCKET], async (server) => {
    env = { ...server.env, WRAPPED_ETL_S3_ALLOW: `${BUCKET}/team`, WRAPPED_ETL_DATA_ROOT: tmp.dir };
    ports = ['--port', String(await freePort()), '--ui-port', String(await freePort())];
  });
  const GEN = ['--users', '12', '--sessions-per-user', '3', '--shard-size', '5', '--seed', '9', '--format', 'avro,parquet'];

  afterAll(() => {
    tmp.cleanup();
  });

  it('generate --out s3://bucket/prefix writes the run into the bucket, byte-identical to the same run on disk', async () => {
    const local = await runCli(['generate', ...GEN, '--out', 'local', '--run-name', 'r1', '--json', ...ports], env);
    expect(local.stderr).toBe('');
    expect(local.code).toBe(0);
    const r = await runCli(['generate', ...GEN, '--out', `s3://${BUCKET}/team`, '--run-name', 'r1', '--json', ...ports], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const line = JSON.parse(r.stdout.trim());
    expect(line).toMatchObject({ runName: 'r1', outDir: `s3://${BUCKET}/team/r1`, manifest: `s3://${BUCKET}/team/r1/_manifest.json` });
    expect(line.totalRecords).toBe(JSON.parse(local.stdout.trim()).totalRecords);

    const store = new S3Store({ bucket: BUCKET, prefix: 'team/r1' }, s3.server.client);
    const keys = await store.list('');
    const dataKeys = keys.filter((k) => /^(avro|parquet)\//.test(k));
    expect(dataKeys).toEqual([
      'avro/part-00000.avro',
      'avro/part-00001.avro',
      'avro/part-00002.avro',
      'parquet/part-00000.parquet',
      'parquet/part-00001.parquet',
      'parquet/part-00002.parquet',
    ]);
    expect(keys).toContain('_manifest.json');
    expect(keys).toContain('_SUCCESS');
    for (const key of dataKeys) {
      const onDisk = fs.readFileSync(path.join(tmp.dir, 'local', 'r1', ...key.split('/')));
      expect((await store.read(key)).equals(onDisk), key).toBe(true);
    }
    expect((await s3.server.client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? []).toEqual([]);
  });

  it('realism and profile read the run from the bucket through the run reader: the same figures as from the folder', async () => {
    for (const command of ['realism', 'profile']) {
      const fromDisk = await runCli([command, path.join(tmp.dir, 'local', 'r1'), '--json'], env);
      expect(fromDisk.code, fromDisk.stderr).toBe(0);
      const fromBucket = await runCli([command, `s3://${BUCKET}/team/r1`, '--json'], env);
      expect(fromBucket.code, fromBucket.stderr).toBe(0);
      const [a, b] = [JSON.parse(fromDisk.stdout), JSON.parse(fromBucket.stdout)];
      expect(b.runDir).toBe(`s3://${BUCKET}/team/r1`);
      expect({ ...b, runDir: '' }).toEqual({ ...a, runDir: '' });
      expect(b.catalogFrom ?? b.reference).toBe('catalog');
    }
    const refused = await runCli(['realism', `s3://${BUCKET}/elsewhere/r1`], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/run: "s3:\/\/datasets\/elsewhere\/r1" is not among the buckets and prefixes this worker may use/);
    const unfinished = await runCli(['realism', `s3://${BUCKET}/team/nothing`], env);
    expect(unfinished.code).toBe(2);
    expect(unfinished.stderr).toMatch(/s3:\/\/datasets\/team\/nothing holds no _manifest.json: not a finished run/);
  });

  it('export reads the run from the bucket: the same zip as from the folder; an s3:// --out is refused', async () => {
    const zips: Buffer[] = [];
    for (const run of [path.join(tmp.dir, 'local', 'r1'), `s3://${BUCKET}/team/r1`]) {
      const out = path.join(tmp.dir, `export-${zips.length}.zip`);
      const r = await runCli(['export', run, '--format', 'spotify-extended', '--out', out, '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ users: 12, files: 12 });
      zips.push(fs.readFileSync(out));
    }
    expect(zips[1].equals(zips[0])).toBe(true);
    const one = await runCli(['export', `s3://${BUCKET}/team/r1`, '--format', 'spotify-basic', '--user', '7', '--out', '-'], env);
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout).length).toBeGreaterThan(0);
    const toBucket = await runCli(['export', `s3://${BUCKET}/team/r1`, '--format', 'spotify-basic', '--out', `s3://${BUCKET}/team/x`], env);
    expect(toBucket.code).toBe(2);
    expect(toBucket.stderr).toMatch(/--out s3:\/\/datasets\/team\/x: an export is written to this machine/);
    const refused = await runCli(
      ['export', `s3://${BUCKET}/elsewhere/r1`, '--format', 'spotify-basic', '--out', path.join(tmp.dir, 'x')],
      env,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/RUN_DIR: "s3:\/\/datasets\/elsewhere\/r1" is not among the buckets/);
  });

  it('wrapped reads the run from the bucket and writes beside it (RUN-wrapped), or to a folder; never inside the run', async () => {
    const local = await runCli(['wrapped', path.join('local', 'r1'), '--json', ...ports], env);
    expect(local.code, local.stderr).toBe(0);
    const r = await runCli(['wrapped', `s3://${BUCKET}/team/r1`, '--json', ...ports], env);
    expect(r.code, r.stderr).toBe(0);
    const line = JSON.parse(r.stdout);
    expect(line).toMatchObject({ outDir: `s3://${BUCKET}/team/r1-wrapped`, users: 12, records: JSON.parse(local.stdout).records });
    expect(line.files.report).toBe(`s3://${BUCKET}/team/r1-wrapped/report.html`);
    // generate and wrapped into the bucket are complete there: no staging folder stays in the data root, not even empty ones
    expect(fs.existsSync(path.join(tmp.dir, STAGING_DIR))).toBe(false);
    const beside = new S3Store({ bucket: BUCKET, prefix: 'team/r1-wrapped' }, s3.server.client);
    expect(await beside.list('')).toEqual([
      '_work/part-00000.wrapped.partial',
      '_work/part-00001.wrapped.partial',
      '_work/part-00002.wrapped.partial',
      'hourly.parquet',
      'report.html',
      'summary.json',
      'top-items.parquet',
      'users.json',
      'users.parquet',
    ]);
    const localDir = path.join(tmp.dir, 'local', 'r1', 'wrapped');
    for (const file of ['users.json', 'users.parquet', 'top-items.parquet', 'hourly.parquet'])
      expect((await beside.read(file)).equals(fs.readFileSync(path.join(localDir, file))), file).toBe(true);
    const summary = JSON.parse((await beside.read('summary.json')).toString());
    expect(summary.runDir).toBe(`s3://${BUCKET}/team/r1`);
    expect({ ...summary, runDir: '' }).toEqual({ ...JSON.parse(fs.readFileSync(path.join(localDir, 'summary.json'), 'utf8')), runDir: '' });
    // the run's own objects are untouched: nothing was written below its prefix
    expect((await new S3Store({ bucket: BUCKET, prefix: 'team/r1' }, s3.server.client).list('')).some((k) => k.includes('wrapped'))).toBe(
      false,
    );

    const toFolder = await runCli(['wrapped', `s3://${BUCKET}/team/r1`, '--out', 'wrapped-r1', '--json', ...ports], env);
    expect(toFolder.code, toFolder.stderr).toBe(0);
    expect(fs.readFileSync(path.join(tmp.dir, 'wrapped-r1', 'users.json')).equals(fs.readFileSync(path.join(localDir, 'users.json')))).toBe(
      true,
    );
    const inside = await runCli(['wrapped', `s3://${BUCKET}/team/r1`, '--out', `s3://${BUCKET}/team/r1/wrapped`, ...ports], env);
    expect(inside.code).not.toBe(0);
    expect(inside.stderr).toMatch(/out: "s3:\/\/datasets\/team\/r1\/wrapped" is inside the run s3:\/\/datasets\/team\/r1/);
  });

  it('refuses a bucket the worker may not use at once, naming --out, and starts nothing', async () => {
    const r = await runCli(['generate', ...GEN, '--out', `s3://${BUCKET}/other`, '--run-name', 'r2', ...ports], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/out: "s3:\/\/datasets\/other\/r2" is not among the buckets and prefixes this worker may use/);
    expect(r.stderr).not.toContain(s3.server.env.AWS_SECRET_ACCESS_KEY);
    expect(r.stderr).not.toContain('team');
  });
});
