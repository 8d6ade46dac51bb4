import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commonDir, dataRootOfRun, embeddedPlacement, embeddedRoot } from '../../../cli/temporal/embedded-root';
import { resolveRunDir } from '../../../src/runtime/data-root';
import { makeTmpDir } from '../../helpers/tmp-dir';

describe("the embedded worker's data root", () => {
  const tmp = makeTmpDir();
  afterAll(() => tmp.cleanup());
  const cwd = fs.realpathSync(tmp.dir);
  const project = path.join(cwd, 'project');
  const elsewhere = path.join(cwd, 'elsewhere');
  fs.mkdirSync(project);
  fs.mkdirSync(elsewhere);
  fs.symlinkSync(elsewhere, path.join(project, 'big-disk'));
  const cwdRoot = { root: project, confined: false };

  it('is the working directory when the paths lie under it, and the input keeps them as given', () => {
    for (const out of ['data', '.', 'a/b/', path.join(project, 'datasets')]) {
      const placement = embeddedPlacement({ out }, cwdRoot);
      expect(placement).toMatchObject({ dataRoot: project });
      expect(placement.name(out)).toBe(out);
    }
    expect(embeddedPlacement({ run: 'runs/r1', out: 'runs/r1/wrapped' }, cwdRoot).dataRoot).toBe(project);
  });

  it('is the folder holding them all otherwise (outside, or out through a symbolic link), naming them by absolute real path', () => {
    const outside = embeddedPlacement({ out: path.join(elsewhere, 'data') }, cwdRoot);
    expect(outside.dataRoot).toBe(path.join(elsewhere, 'data'));
    expect(outside.name(path.join(elsewhere, 'data'))).toBe(path.join(elsewhere, 'data'));
    const up = embeddedPlacement({ out: '../elsewhere/x' }, cwdRoot);
    expect(up.dataRoot).toBe(path.join(elsewhere, 'x'));
    expect(up.name('../elsewhere/x')).toBe(path.join(elsewhere, 'x'));
    const linked = embeddedPlacement({ out: 'big-disk/data' }, cwdRoot);
    expect(linked.dataRoot).toBe(path.join(elsewhere, 'data'));
    expect(linked.name('big-disk/data')).toBe(path.join(elsewhere, 'data'));
    // every placement resolves: the worker accepts the named path under its root
    for (const [p, out] of [
      [outside, path.join(elsewhere, 'data')],
      [up, '../elsewhere/x'],
      [linked, 'big-disk/data'],
    ] as const)
      expect(() => resolveRunDir(p.dataRoot, p.name(out), 'r1')).not.toThrow();
    expect(embeddedPlacement({ run: path.join(elsewhere, 'run'), out: path.join(cwd, 'out') }, cwdRoot).dataRoot).toBe(cwd);
    expect(commonDir(['/a/b/c', '/a/b/d', '/a/bc'])).toBe('/a');
    expect(commonDir(['/x', '/y'])).toBe('/');
  });

  it('is WRAPPED_ETL_DATA_ROOT when set, as for a worker: paths resolve against it and one outside it is refused, naming its field', () => {
    expect(embeddedRoot({ WRAPPED_ETL_DATA_ROOT: 'shared' }, project)).toEqual({ root: path.join(project, 'shared'), confined: true });
    expect(embeddedRoot({}, project)).toEqual({ root: project, confined: false });
    const fromEnv = embeddedRoot({ WRAPPED_ETL_DATA_ROOT: elsewhere }, project);
    const placement = embeddedPlacement({ out: 'data' }, fromEnv);
    expect(placement.dataRoot).toBe(elsewhere);
    expect(placement.name('data')).toBe('data');
    expect(resolveRunDir(placement.dataRoot, placement.name('data'), 'r1')).toBe(path.join(elsewhere, 'data', 'r1'));
    expect(embeddedPlacement({ run: 'data/r1', out: path.join(elsewhere, 'w') }, fromEnv).dataRoot).toBe(elsewhere);
    expect(() => embeddedPlacement({ out: path.join(project, 'data') }, fromEnv)).toThrow(
      /^invalid input: out: ".*project\/data" is outside the data root/,
    );
    expect(() => embeddedPlacement({ run: 'data/r1', out: '../w' }, fromEnv)).toThrow(
      /^invalid input: out: "..\/w" is outside the data root/,
    );
    expect(() => embeddedPlacement({ out: 'big-disk' }, { root: project, confined: true })).toThrow(
      /^invalid input: out: "big-disk" leads outside the data root .* through a symbolic link/,
    );
  });

  it('is found again from what a run recorded: its folder, its out and its runId', () => {
    expect(dataRootOfRun('/srv/data/out/run-1', 'out', 'run-1')).toBe('/srv/data');
    expect(dataRootOfRun('/r/a/b/run-1', 'a/b/', 'run-1')).toBe('/r');
    expect(dataRootOfRun('/mnt/disk/data/run-1', '/home/me/project/big-disk/data', 'run-1')).toBe('/home/me/project/big-disk/data');
    // recorded by embedded generates before the rule: out "." under their --out as the root
    expect(dataRootOfRun('/home/me/datasets/run-1', '.', 'run-1')).toBe('/home/me/datasets');
  });
});
