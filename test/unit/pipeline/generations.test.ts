import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataRootOf } from '../../../cli/temporal/generation-info';
import { prunableGenerations, scheduledTimeOf } from '../../../src/pipeline/generations';
import { compactTime } from '../../../workflows/scheduled-run';
import { makeTmpDir } from '../../helpers/tmp-dir';

describe('scheduled generation folders', () => {
  const tmp = makeTmpDir();
  afterAll(() => tmp.cleanup());

  it('names a folder after the scheduled time and reads the time back', () => {
    expect(compactTime('2026-11-29T02:00:00.000Z')).toBe('20261129T020000Z');
    expect(scheduledTimeOf('nightly-20261129T020000Z', 'nightly')?.toISOString()).toBe('2026-11-29T02:00:00.000Z');
    expect(scheduledTimeOf('nightly-2026-11-29', 'nightly')).toBeUndefined();
    expect(scheduledTimeOf('nightly-x-20261129T020000Z', 'nightly')).toBeUndefined();
    expect(scheduledTimeOf('weekly-20261129T020000Z', 'nightly')).toBeUndefined();
  });

  it('prunes only this schedule’s folders older than keepDays', () => {
    for (const d of ['nightly-20261120T020000Z', 'nightly-20261126T020000Z', 'nightly-20261129T020000Z', 'nightly-extra', 'nightly2-20200101T000000Z', 'other']) {
      fs.mkdirSync(path.join(tmp.dir, d));
    }
    fs.writeFileSync(path.join(tmp.dir, 'nightly-20200101T000000Z'), 'a file, not a generation');
    const now = new Date('2026-11-29T02:00:00Z');
    expect(prunableGenerations(tmp.dir, 'nightly', now, 3).map((d) => path.basename(d))).toEqual(['nightly-20261120T020000Z']);
    expect(prunableGenerations(tmp.dir, 'nightly', now, 2).map((d) => path.basename(d))).toEqual(['nightly-20261120T020000Z', 'nightly-20261126T020000Z']);
    expect(prunableGenerations(path.join(tmp.dir, 'missing'), 'nightly', now, 1)).toEqual([]);
  });

  it('finds the data root a run folder was resolved under, for the embedded resume', () => {
    expect(dataRootOf('/srv/data/out/run-1', 'out', 'run-1')).toBe('/srv/data');
    expect(dataRootOf('/home/me/datasets/run-1', '.', 'run-1')).toBe('/home/me/datasets');
    expect(dataRootOf('/r/a/b/run-1', 'a/b/', 'run-1')).toBe('/r');
  });
});
