import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prunableGenerations, scheduledTimeOf } from '../../../src/pipeline/generations';
import { compactTime } from '../../../src/config/generation-input';
import { makeTmpDir } from '../../helpers/tmp-dir';

describe('scheduled generation folders', () => {
  const tmp = makeTmpDir();
  afterAll(() => tmp.cleanup());

  it('names a folder after the scheduled time and reads the time back', () => {
    expect(compactTime(new Date('2026-11-29T02:00:00.000Z'))).toBe('20261129T020000Z');
    expect(scheduledTimeOf('nightly-20261399T020000Z', 'nightly')).toBeUndefined();
    expect(scheduledTimeOf('nightly-20261129T020000Z', 'nightly')?.toISOString()).toBe('2026-11-29T02:00:00.000Z');
    expect(scheduledTimeOf('nightly-2026-11-29', 'nightly')).toBeUndefined();
    expect(scheduledTimeOf('nightly-x-20261129T020000Z', 'nightly')).toBeUndefined();
    expect(scheduledTimeOf('weekly-20261129T020000Z', 'nightly')).toBeUndefined();
  });

  it('prunes only this schedule’s complete folders strictly older than keepDays, never through a symlink', () => {
    const outside = path.join(tmp.dir, 'outside');
    const parent = path.join(tmp.dir, 'gens');
    // a generation of this version (_manifest.json) or of an earlier one (manifest.json beside the parts)
    const complete = (d: string) => {
      fs.mkdirSync(path.join(parent, d), { recursive: true });
      fs.writeFileSync(path.join(parent, d, d.endsWith('26T020000Z') ? 'manifest.json' : '_manifest.json'), '{}');
    };
    for (const d of [
      'nightly-20261120T020000Z',
      'nightly-20261126T020000Z',
      'nightly-20261129T020000Z',
      'nightly-20991231T000000Z',
      'nightly2-20200101T000000Z',
      'other',
    ])
      complete(d);
    // scheduled exactly keepDays before: not strictly older
    complete('nightly-20261126T020000Z');
    fs.mkdirSync(path.join(parent, 'nightly-20261101T020000Z'));
    fs.mkdirSync(path.join(parent, 'nightly-extra'));
    fs.writeFileSync(path.join(parent, 'nightly-20200101T000000Z'), 'a file, not a generation');
    fs.mkdirSync(path.join(outside, 'victim'), { recursive: true });
    fs.writeFileSync(path.join(outside, 'victim', 'manifest.json'), '{}');
    fs.symlinkSync(path.join(outside, 'victim'), path.join(parent, 'nightly-20200102T000000Z'));
    const runAt = new Date('2026-11-29T02:00:00Z');
    const names = (dirs: string[]) => dirs.map((d) => path.basename(d));
    expect(names(prunableGenerations(parent, 'nightly', runAt, 3))).toEqual(['nightly-20261120T020000Z']);
    expect(names(prunableGenerations(parent, 'nightly', runAt, 2))).toEqual(['nightly-20261120T020000Z', 'nightly-20261126T020000Z']);
    // a run dated in the future counts back from now, not from its date
    expect(names(prunableGenerations(parent, 'nightly', new Date('2100-01-01T00:00:00Z'), 1, runAt.getTime()))).toEqual([
      'nightly-20261120T020000Z',
      'nightly-20261126T020000Z',
    ]);
    expect(() => prunableGenerations(parent, 'nightly', runAt, -1)).toThrow(/keepDays/);
    expect(() => prunableGenerations(parent, 'nightly', runAt, 0.001)).toThrow(/keepDays/);
    expect(prunableGenerations(path.join(tmp.dir, 'missing'), 'nightly', runAt, 1)).toEqual([]);
  });
});
