import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commonDir, dataRootOfRun, embeddedPlacement } from '../../../cli/temporal/embedded-root';
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

  it('is the working directory when the paths lie under it, and the input keeps them as given', () => {
    for (const out of ['data', '.', 'a/b/', path.join(project, 'datasets')]) {
      const placement = embeddedPlacement([out], project);
      expect(placement).toMatchObject({ dataRoot: project });
      expect(placement.name(out)).toBe(out);
    }
    expect(embeddedPlacement(['runs/r1', 'runs/r1/wrapped'], project).dataRoot).toBe(project);
  });

  it('is the folder holding them all otherwise (outside, or out through a symbolic link), naming them by absolute real path', () => {
    const outside = embeddedPlacement([path.join(elsewhere, 'data')], project);
    expect(outside.dataRoot).toBe(path.join(elsewhere, 'data'));
    expect(outside.name(path.join(elsewhere, 'data'))).toBe(path.join(elsewhere, 'data'));
    const up = embeddedPlacement(['../elsewhere/x'], project);
    expect(up.dataRoot).toBe(path.join(elsewhere, 'x'));
    expect(up.name('../elsewhere/x')).toBe(path.join(elsewhere, 'x'));
    const linked = embeddedPlacement(['big-disk/data'], project);
    expect(linked.dataRoot).toBe(path.join(elsewhere, 'data'));
    expect(linked.name('big-disk/data')).toBe(path.join(elsewhere, 'data'));
    // every placement resolves: the worker accepts the named path under its root
    for (const [p, out] of [
      [outside, path.join(elsewhere, 'data')],
      [up, '../elsewhere/x'],
      [linked, 'big-disk/data'],
    ] as const)
      expect(() => resolveRunDir(p.dataRoot, p.name(out), 'r1')).not.toThrow();
    expect(embeddedPlacement([path.join(elsewhere, 'run'), path.join(cwd, 'out')], project).dataRoot).toBe(cwd);
    expect(commonDir(['/a/b/c', '/a/b/d', '/a/bc'])).toBe('/a');
    expect(commonDir(['/x', '/y'])).toBe('/');
  });

  it('is found again from what a run recorded: its folder, its out and its runId', () => {
    expect(dataRootOfRun('/srv/data/out/run-1', 'out', 'run-1')).toBe('/srv/data');
    expect(dataRootOfRun('/r/a/b/run-1', 'a/b/', 'run-1')).toBe('/r');
    expect(dataRootOfRun('/mnt/disk/data/run-1', '/home/me/project/big-disk/data', 'run-1')).toBe('/home/me/project/big-disk/data');
    // recorded by embedded generates before the rule: out "." under their --out as the root
    expect(dataRootOfRun('/home/me/datasets/run-1', '.', 'run-1')).toBe('/home/me/datasets');
  });
});
