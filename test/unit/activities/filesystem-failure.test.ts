import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { filesystemFailure } from '../../../activities/filesystem-failure';
import { worldWritePlace } from '../../../activities/world-activities';
import { DamagedFile } from '../../../src/domain/errors';
import { makeTmpDir } from '../../helpers/tmp-dir';

const tmp = makeTmpDir('wrapped-etl-fs-failure-');
afterAll(() => tmp.cleanup());

/** A real ENOSPC: /dev/full refuses every write with it (and, like any write error, names no file). */
function enospc(): NodeJS.ErrnoException {
  const fd = fs.openSync('/dev/full', 'w');
  try {
    fs.writeSync(fd, 'x');
  } catch (err) {
    return err as NodeJS.ErrnoException;
  } finally {
    fs.closeSync(fd);
  }
  throw new Error('/dev/full accepted a write');
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

describe('a full disk during a world advance', () => {
  const shm = fs.existsSync('/dev/shm') && fs.statfsSync('/dev/shm').type !== fs.statfsSync(tmp.dir).type;

  it('names the file that could not be written by its final name, its filesystem and free space, not the data root', (ctx) => {
    if (!shm) return ctx.skip('/dev/shm is missing or on the same filesystem as the temporary folder: no second filesystem to write to');
    // the world under the data root (tmp), its day's part on another filesystem (/dev/shm, a tmpfs)
    const worldDir = path.join(tmp.dir, 'data', 'w');
    const part = fs.mkdtempSync('/dev/shm/wrapped-etl-full-');
    try {
      // the part as it is written: under a hidden temporary name of its writer
      const err = Object.assign(enospc(), { path: path.join(part, '.part-00000.avro.0a1b2c3d-4242-1-deadbeef.tmp') });
      const failure = filesystemFailure(err, worldWritePlace(tmp.dir, { worldDir, day: '2025-01-02', shard: 0 }))!;
      const st = fs.statfsSync('/dev/shm');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.type).toBe('DiskFull');
      expect(failure.message).toContain(`no space left to write ${path.join(part, 'part-00000.avro')} (filesystem /dev/shm: `);
      expect(failure.message).toContain(` free of ${mb(st.blocks * st.bsize)})`);
      expect(failure.message).toContain('then go on with `wrapped-etl world advance w` (or start advanceWorld again');
      expect(failure.message).not.toMatch(/resume/);
    } finally {
      fs.rmSync(part, { recursive: true, force: true });
    }
  });

  it('without a path in the error, names the world folder and the advance that goes on, with --out', () => {
    const worldDir = path.join(tmp.dir, 'worlds', 'w');
    const failure = filesystemFailure(enospc(), worldWritePlace(tmp.dir, { worldDir, day: '2025-01-02', shard: 0 }))!;
    expect(failure.message).toContain(`no space left to write ${worldDir} (filesystem `);
    expect(failure.message).toContain('`wrapped-etl world advance w --out worlds`');
    const planning = filesystemFailure(enospc(), worldWritePlace(tmp.dir, { input: { world: 'w' } }))!;
    expect(planning.message).toContain('`wrapped-etl world advance w`');
  });

  it('a damaged file fails at once with its own message', () => {
    const failure = filesystemFailure(new DamagedFile('/x/world.json', 'it is not JSON', 'restore it'), { resume: '' })!;
    expect(failure).toMatchObject({
      nonRetryable: true,
      type: 'DamagedFile',
      message: '/x/world.json is damaged: it is not JSON; restore it',
    });
    // as a pool thread passes it on: by name
    const fromThread = Object.assign(new Error('/x/y is damaged: z'), { name: 'DamagedFile' });
    expect(filesystemFailure(fromThread, { resume: '' })).toMatchObject({ nonRetryable: true, type: 'DamagedFile' });
  });
});
