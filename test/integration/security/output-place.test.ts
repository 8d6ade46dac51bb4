import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveWrappedInput } from '../../../src/config/wrapped-input';
import { runInProcess } from '../../../src/pipeline/in-process-run';
import { RunLayout } from '../../../src/pipeline/run-layout';
import { sha256File } from '../../../src/runtime/atomic-file';
import { checkOutputPlace } from '../../../src/runtime/output-place';
import { runCli } from '../../helpers/cli-process';
import { makeTmpDir } from '../../helpers/tmp-dir';

/** A temporary file's name as a dead writer on this host would have left it (see AtomicFile). */
async function deadWritersTemp(finalPath: string): Promise<string> {
  const dead = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => dead.once('exit', r));
  const host = crypto.createHash('sha256').update(os.hostname()).digest('hex').slice(0, 8);
  return `${finalPath}.${host}-${dead.pid}-0-0000abcd.tmp`;
}

describe('outputs land outside run and world folders, over nothing the command did not write', () => {
  const tmp = makeTmpDir('security-output-');
  const runDir = path.join(tmp.dir, 'data', 'r');
  const cli = (args: string[]) => runCli(args, { WRAPPED_ETL_DATA_ROOT: tmp.dir });
  const exportUser = (out: string, user = '1') => cli(['export', runDir, '--format', 'spotify-extended', '--user', user, '--out', out]);
  beforeAll(async () => {
    await runInProcess(runDir, { users: 4, shardSize: 2, sessionsPerUser: 3, seed: 3, catalog: ['synthetic:100'] });
  }, 120_000);
  afterAll(() => tmp.cleanup());

  it('refuses an export into the run folder (its manifest stays), and a file it did not write', async () => {
    const manifest = new RunLayout(runDir).manifestPath;
    const listing = fs.readdirSync(runDir).sort();
    const before = sha256File(manifest);
    for (const out of [manifest, path.join(runDir, '_work', 'u.zip'), path.join(runDir, 'exports')]) {
      const r = await exportUser(out);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--out ${out} is inside the run or world folder ${fs.realpathSync(runDir)}`);
    }
    expect(sha256File(manifest)).toBe(before);
    expect(fs.readdirSync(runDir).sort()).toEqual(listing);

    const notes = path.join(tmp.dir, 'notes.json');
    fs.writeFileSync(notes, '{"mine": true}\n');
    const r = await exportUser(notes);
    expect(r.stderr).toContain(`--out ${notes} exists and is not an export this command wrote`);
    expect(fs.readFileSync(notes, 'utf8')).toBe('{"mine": true}\n');
    const zip = path.join(tmp.dir, 'photos.zip');
    fs.writeFileSync(zip, 'PK\x03\x04 not ours');
    expect((await exportUser(zip)).stderr).toContain('exists and is not an export zip this command wrote');
    // an export it wrote is replaced by the next one
    const own = path.join(tmp.dir, 'u1.json');
    expect((await exportUser(own)).code).toBe(0);
    expect((await exportUser(own, '2')).code).toBe(0);
  });

  it('reads --user in decimal only', async () => {
    for (const user of ['0x2', '1e0', ' 2', '0b1']) {
      const r = await exportUser(path.join(tmp.dir, 'x.json'), user);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--user needs a whole number >= 1, got "${user}"`);
    }
  });

  it('removes what a killed zip export left before writing the next', async () => {
    const zip = path.join(tmp.dir, 'all.zip');
    const stale = await deadWritersTemp(zip);
    fs.writeFileSync(stale, 'half a zip');
    const r = await cli(['export', runDir, '--format', 'spotify-extended', '--out', zip]);
    expect(r.code).toBe(0);
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.readdirSync(tmp.dir).filter((n) => n.startsWith('all.zip'))).toEqual(['all.zip']);
  });

  it('refuses a catalog written into a run folder or over a file that is not a catalog', async () => {
    const inRun = await cli(['catalog', 'import', 'synthetic:20', '--out', path.join(runDir, '_work', 'catalog.avro')]);
    expect(inRun.code).toBe(2);
    expect(inRun.stderr).toContain('is inside the run or world folder');
    const other = path.join(tmp.dir, 'other.avro');
    fs.writeFileSync(other, 'someone else’s data');
    expect((await cli(['catalog', 'import', 'synthetic:20', '--out', other])).stderr).toContain(
      'exists and is not a catalog this command wrote',
    );
    const own = path.join(tmp.dir, 'songs.avro');
    expect((await cli(['catalog', 'import', 'synthetic:20', '--out', own])).code).toBe(0);
    expect((await cli(['catalog', 'import', 'synthetic:30', '--out', own])).code).toBe(0);
  });

  it("keeps a run's Wrapped in RUN/wrapped or outside any run (Web UI input too)", () => {
    expect(resolveWrappedInput({ run: 'data/r' }, tmp.dir).outDir).toBe(path.join(runDir, 'wrapped'));
    expect(resolveWrappedInput({ run: 'data/r', out: 'reports/r' }, tmp.dir).outDir).toBe(path.join(tmp.dir, 'reports', 'r'));
    expect(() => resolveWrappedInput({ run: 'data/r', out: 'data/r/_work' }, tmp.dir)).toThrow(
      /invalid input: out: .* is inside the run or world folder/,
    );
    expect(() => resolveWrappedInput({ run: 'data/r', out: 'data/r' }, tmp.dir)).toThrow(/inside the run or world folder/);
  });
  it("takes a Wrapped's own earlier output folder (its _work holds only its analyses) as an output place again, not a run folder", () => {
    const out = path.join(tmp.dir, 'wrapped-again');
    fs.mkdirSync(path.join(out, '_work'), { recursive: true });
    fs.writeFileSync(path.join(out, '_work', 'part-00000.wrapped.partial'), 'x');
    fs.writeFileSync(path.join(out, '_work', '.part-00001.wrapped.partial.0a1b2c3d-42-1-deadbeef.tmp'), 'x');
    expect(() => checkOutputPlace('out', out)).not.toThrow();
    // anything of a run's in its _work, or a manifest, makes it a data folder again
    fs.writeFileSync(path.join(out, '_work', 'params.json'), '{}');
    expect(() => checkOutputPlace('out', path.join(out, 'x'))).toThrow(`is inside the run or world folder ${out}`);
    fs.rmSync(path.join(out, '_work', 'params.json'));
    fs.writeFileSync(path.join(out, '_manifest.json'), '{}');
    expect(() => checkOutputPlace('out', out)).toThrow(`is inside the run or world folder ${out}`);
  });
});
