import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunLayout } from '../../../src/pipeline/run-layout';
import { WorldLayout } from '../../../src/pipeline/world-layout';
import { BIN, partHashes, spawnWorker, type WorkerProcess } from '../../helpers/cli-process';
import { startDevServerEnv } from '../../helpers/temporal-env';
import { makeTmpDir } from '../../helpers/tmp-dir';
import { worldDayHashes } from '../../helpers/world-files';

/** 120 small shards, so that an embedded run lasts long enough to be interrupted mid-way */
const FLAGS = ['--users', '600', '--shard-size', '5', '--sessions-per-user', '10', '--seed', '11', '--parallelism', '2'];
const GIVEN = [...FLAGS, '--catalog', 'synthetic:300', '--out', 'data', '--run-name', 'same', '--json'];
const TASK_QUEUE = 'same-params';

/** The CLI in `cwd`, as a user runs it; `onStart` sees the child process. */
function cli(args: string[], cwd: string, env: Record<string, string> = {}, onStart?: (child: ReturnType<typeof spawn>) => void) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    onStart?.(child);
  });
}

const paramsOf = (outDir: string) => fs.readFileSync(new RunLayout(outDir).paramsPath, 'utf8');
const definitionOf = (worldDir: string) => fs.readFileSync(new WorldLayout(worldDir).definitionPath, 'utf8');

describe('embedded and remote modes mean the same', () => {
  const tmp = makeTmpDir();
  const dir = (name: string) => {
    fs.mkdirSync(path.join(tmp.dir, name), { recursive: true });
    return path.join(tmp.dir, name);
  };
  let env: TestWorkflowEnvironment;
  let worker: WorkerProcess | undefined;
  /** the run a worker elsewhere made from GIVEN: every test compares with it, so it is made in beforeAll */
  let remote: { outDir: string };
  let sent: { code: number | null; stdout: string; stderr: string };
  /** the data root of a worker elsewhere, started on first use */
  const remoteRoot = () => {
    worker ??= spawnWorker({ address: env.address, taskQueue: TASK_QUEUE, dataRoot: dir('remote') });
    return path.join(tmp.dir, 'remote');
  };

  beforeAll(async () => {
    env = await startDevServerEnv();
    remoteRoot();
    // the user's working directory is not the worker's: --out names a folder under the worker's data root
    sent = await cli(['generate', ...GIVEN, '--address', env.address], dir('elsewhere'), { WRAPPED_ETL_TASK_QUEUE: TASK_QUEUE });
    if (sent.code === 0) remote = JSON.parse(sent.stdout);
  });
  afterAll(async () => {
    worker?.child.kill('SIGTERM');
    await worker?.exited;
    await env?.teardown();
    tmp.cleanup();
  });

  it('records the same params.json for the same generate flags, embedded or through --address', async () => {
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(remote.outDir).toBe(path.join(fs.realpathSync(remoteRoot()), 'data', 'same'));

    const here = dir('embedded');
    const embedded = await cli(['generate', ...GIVEN], here);
    expect(embedded.code).toBe(0);
    const line = JSON.parse(embedded.stdout);
    expect(line.outDir).toBe(path.join(fs.realpathSync(here), 'data', 'same'));
    expect(paramsOf(line.outDir)).toBe(paramsOf(remote.outDir));
    expect(JSON.parse(paramsOf(line.outDir))).toMatchObject({ out: 'data', runId: 'same' });
    expect(partHashes(line.outDir)).toEqual(partHashes(remote.outDir));
  });

  it('embedded, takes WRAPPED_ETL_DATA_ROOT as its data root like a worker: --out under it as given, refused outside it', async () => {
    const root = dir('env-root');
    const given = { WRAPPED_ETL_DATA_ROOT: root };
    const embedded = await cli(['generate', ...GIVEN], dir('elsewhere'), given);
    expect(embedded.code, embedded.stderr).toBe(0);
    const line = JSON.parse(embedded.stdout);
    expect(line.outDir).toBe(path.join(fs.realpathSync(root), 'data', 'same'));
    expect(paramsOf(line.outDir)).toBe(paramsOf(remote.outDir));
    expect(partHashes(line.outDir)).toEqual(partHashes(remote.outDir));

    const outside = await cli(['generate', ...FLAGS, '--out', '../outside', '--run-name', 'out'], dir('elsewhere'), given);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/^wrapped-etl generate: invalid input: out: "..\/outside" is outside the data root .*env-root/);
    expect(fs.existsSync(path.join(tmp.dir, 'outside'))).toBe(false);
  });

  it('resumes an embedded run cancelled mid-way into the same folder, with the same params and bytes', async () => {
    const here = dir('interrupted');
    const outDir = path.join(fs.realpathSync(here), 'data', 'same');
    const cancelled = await cli(['generate', ...GIVEN], here, {}, (child) => {
      const poll = setInterval(() => {
        if (!fs.existsSync(path.join(outDir, 'avro', 'part-00003.avro'))) return;
        clearInterval(poll);
        child.kill('SIGINT');
      }, 100);
      child.once('exit', () => clearInterval(poll));
    });
    expect(cancelled.code).toBe(1);
    expect(cancelled.stderr).toMatch(/was cancelled .*continue with: wrapped-etl resume same/);
    expect(fs.existsSync(path.join(outDir, '_manifest.json'))).toBe(false);

    const resumed = await cli(['resume', 'same', '--json'], here);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ workflowId: 'same', outDir });
    expect(paramsOf(outDir)).toBe(paramsOf(remote.outDir));
    expect(partHashes(outDir)).toEqual(partHashes(remote.outDir));
  });

  it('records the same world.json and days for the same world create and advance, embedded or through --address', async () => {
    const world = ['--users', '40', '--shard-size', '20', '--seed', '5', '--catalog', 'synthetic:300', '--start', '2025-03-01'];
    const here = dir('world-embedded');
    const embeddedWorld = path.join(here, 'worlds', 'w');
    const remoteWorld = path.join(remoteRoot(), 'worlds', 'w');
    for (const [cwd, address] of [
      [dir('elsewhere'), ['--address', env.address]],
      [here, []],
    ] as [string, string[]][]) {
      const created = await cli(['world', 'create', 'w', ...world, '--out', 'worlds', '--json', ...address], cwd, {
        WRAPPED_ETL_TASK_QUEUE: TASK_QUEUE,
      });
      expect(created.code, created.stderr).toBe(0);
      const advanced = await cli(['world', 'advance', 'w', '--out', 'worlds', '--json', ...address], cwd, {
        WRAPPED_ETL_TASK_QUEUE: TASK_QUEUE,
      });
      expect(JSON.parse(advanced.stdout)).toMatchObject({ world: 'w', days: 1 });
    }
    expect(definitionOf(embeddedWorld)).toBe(definitionOf(remoteWorld));
    expect(JSON.parse(definitionOf(embeddedWorld)).params).toMatchObject({ out: 'worlds' });
    expect(worldDayHashes(embeddedWorld, { manifests: true })).toEqual(worldDayHashes(remoteWorld, { manifests: true }));

    // a world created embedded by an older version recorded out "." (its worlds' folder was the data root): it still goes on
    const legacy = JSON.parse(definitionOf(embeddedWorld));
    fs.writeFileSync(
      new WorldLayout(embeddedWorld).definitionPath,
      JSON.stringify({ ...legacy, params: { ...legacy.params, out: '.' } }, null, 2) + '\n',
    );
    const again = await cli(['world', 'create', 'w', ...world, '--out', 'worlds', '--json'], here);
    expect(JSON.parse(again.stdout)).toMatchObject({ existed: true });
    const next = await cli(['world', 'advance', 'w', '--out', 'worlds', '--json'], here);
    expect(JSON.parse(next.stdout)).toMatchObject({ world: 'w', first: '2025-03-02', days: 1 });
  });
});
