import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRun, sha256 } from '../../helpers/read-run';
import { makeTmpDir } from '../../helpers/tmp-dir';
import { freePort } from '../../../bench/free-port';
import { isReachable } from '../../../cli/temporal/dev-server';

const BIN = path.resolve(__dirname, '../../../bin/wrapped-etl.js');

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 150_000,
    env: { ...process.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the wrapped-etl CLI, as a user runs it (embedded Temporal)', () => {
  const tmp = makeTmpDir();
  afterAll(() => tmp.cleanup());

  it('generate --json runs a real generation and prints where it went', () => {
    const r = cli(
      [
        'generate',
        '--users',
        '6',
        '--sessions-per-user',
        '2',
        '--shard-size',
        '4',
        '--seed',
        '5',
        '--out',
        'out',
        '--run-name',
        'cli-run',
        '--json',
      ],
      tmp.dir,
    );
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    const line = JSON.parse(r.stdout.trim());
    expect(Object.keys(line)).toEqual(['workflowId', 'runName', 'outDir', 'manifest', 'totalRecords']);
    expect(line).toMatchObject({ workflowId: 'cli-run', runName: 'cli-run', outDir: path.join(tmp.dir, 'out', 'cli-run') });
    expect(fs.existsSync(path.join(tmp.dir, '.temporal', 'dev.db'))).toBe(true);
    return readRun(line.outDir).then(({ manifest, records }) => {
      expect(line.totalRecords).toBe(records.length);
      expect(manifest.parts).toHaveLength(2);
      expect(line.manifest).toBe(path.join(line.outDir, '_manifest.json'));
      expect(manifest.parts[1].sha256).toBe(sha256(path.join(line.outDir, 'avro', 'part-00001.avro')));
    });
  });

  it('inspect prints records as NDJSON and the writer schema', () => {
    const part = path.join(tmp.dir, 'out', 'cli-run', 'avro', 'part-00000.avro');
    const r = cli(['inspect', part, '--limit', '3'], tmp.dir);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0].user_id).toBe(1);
    expect(lines[0].user_location.timezone).toMatch(/\//);
    const schema = JSON.parse(cli(['inspect', part, '--schema'], tmp.dir).stdout);
    expect(schema.name).toBe('music.ListeningHistory');
  });

  it('rejects bad flags before contacting Temporal, naming the problem', () => {
    const r = cli(['generate', '--users', 'many'], tmp.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--users needs a number, got "many"/);
    const bad = cli(['generate', '--session-hours', '5-1'], tmp.dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/sessionHours: needs 0 < min <= max/);
    const missing = cli(['inspect', path.join(tmp.dir, 'nope.avro')], tmp.dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such file/);
    const notAvro = path.join(tmp.dir, 'notes.avro');
    fs.writeFileSync(notAvro, 'not avro');
    for (const file of [notAvro, tmp.dir]) {
      const r = cli(['inspect', file], tmp.dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `wrapped-etl inspect: ${file} is not a readable AVRO container: ${file === tmp.dir ? 'EISDIR: illegal operation on a directory, read' : 'invalid magic bytes'}\n`,
      );
    }
  });

  it('a CLI that dies on a closed pipe (`generate | head`) takes its embedded dev server with it', async () => {
    const [port, uiPort] = [await freePort(), await freePort()];
    const child = spawn(
      process.execPath,
      [BIN, 'generate', '--users', '400', '--out', 'piped', '--port', String(port), '--ui-port', String(uiPort)],
      {
        cwd: tmp.dir,
        env: { ...process.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // the reader goes away once the run has started ("Started RUN — Web UI: …" on stderr): the next progress line meets a closed pipe
    await new Promise<void>((resolve) => child.stderr!.once('data', () => resolve()));
    expect(await isReachable(`127.0.0.1:${port}`)).toBe(true);
    child.stdout!.destroy();
    child.stderr!.destroy();
    expect(await exited).not.toBe(0);
    const deadline = Date.now() + 30_000;
    while ((await isReachable(`127.0.0.1:${port}`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await isReachable(`127.0.0.1:${port}`)).toBe(false);
  }, 120_000);
});
