import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readScheduledAdvances, takeScheduledTurn, type ScheduledAdvance } from '../../../src/pipeline/scheduled-advances';
import { WorldLayout } from '../../../src/pipeline/world-layout';
import { makeTmpDir } from '../../helpers/tmp-dir';

describe("a world's scheduled advances: at most one a day of the schedules' clock", () => {
  const tmp = makeTmpDir('scheduled-advances-');
  afterAll(() => tmp.cleanup());
  let n = 0;
  const world = () => new WorldLayout(path.join(tmp.dir, `w${n++}`));
  const H = 3_600_000;
  const T0 = Date.parse('2026-03-28T01:00:00Z');
  const advance = (ms: number, workflowId = `wf-${ms}`): ScheduledAdvance => ({
    scheduledAt: new Date(T0 + ms).toISOString(),
    schedule: 'nightly',
    workflowId,
    firstDay: '2025-01-01',
  });

  it('takes one a day, refuses one less than 23 h from any other (a daylight-saving night passes), after or before', () => {
    const layout = world();
    takeScheduledTurn(layout, 'w', advance(0));
    expect(() => takeScheduledTurn(layout, 'w', advance(2000))).toThrow(
      /^world w: this run \(schedule nightly, scheduled at 2026-03-28T01:00:02.000Z\) comes 2 s after the advance schedule nightly scheduled at 2026-03-28T01:00:00.000Z \(workflow wf-0, from day 2025-01-01\); .*so this run writes nothing/,
    );
    // 02:00 Europe/Berlin the night after the spring change is 23 h later
    takeScheduledTurn(layout, 'w', advance(23 * H));
    // a backfill of an earlier night: a day from every other one is a turn, less is not
    expect(() => takeScheduledTurn(layout, 'w', advance(-22 * H))).toThrow(/comes 22.0 h before the advance/);
    takeScheduledTurn(layout, 'w', advance(-24 * H));
    expect(readScheduledAdvances(layout).map((a) => a.workflowId)).toEqual([`wf-${-24 * H}`, 'wf-0', `wf-${23 * H}`]);
  });

  it('lets the run that took a turn ask again (a retried activity)', () => {
    const layout = world();
    takeScheduledTurn(layout, 'w', advance(0, 'run-a'));
    takeScheduledTurn(layout, 'w', advance(0, 'run-a'));
    expect(() => takeScheduledTurn(layout, 'w', advance(0, 'run-b'))).toThrow(/comes 0 s after/);
    expect(readScheduledAdvances(layout)).toHaveLength(1);
  });

  it('fails naming the record and its repair when a byte of it changed, without taking a turn', () => {
    const layout = world();
    takeScheduledTurn(layout, 'w', advance(0));
    const file = layout.scheduledAdvancesPath;
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('wf-0', 'wf-9'));
    const damaged = `${file} is damaged: the record of the world's scheduled advances: its content hashes to`;
    expect(() => takeScheduledTurn(layout, 'w', advance(2 * 24 * H))).toThrow(damaged);
    expect(() => takeScheduledTurn(layout, 'w', advance(2 * 24 * H))).toThrow(/delete it to go on/);
    fs.writeFileSync(file, '{"advances": [');
    expect(() => readScheduledAdvances(layout)).toThrow(/is damaged: .*it is not JSON/);
  });
});
