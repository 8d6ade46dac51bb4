import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveWorldInput } from '../../../src/config/world-input';
import { runWorldDayJob } from '../../../src/pipeline/world-day-job';
import { readWorldDefinition, WorldLayout } from '../../../src/pipeline/world-layout';
import { advanceOneDay, createWorld, daysToAdvance } from '../../../src/pipeline/world-store';
import { repairWorldState } from '../../../src/pipeline/world-repair';
import { runCli } from '../../helpers/cli-process';
import { worldDayHashes, dayShardsInThread } from '../../helpers/world-files';
import { makeTmpDir } from '../../helpers/tmp-dir';

const tmp = makeTmpDir('wrapped-etl-world-damage-');
afterAll(() => tmp.cleanup());

const input = { name: 'w', users: 90, shardSize: 30, start: '2025-06-01', seed: 5, catalog: ['synthetic:400'] };

async function worldThrough(folder: string, through: string): Promise<string> {
  const dir = path.join(tmp.dir, folder, 'data', 'w');
  await createWorld(dir, resolveWorldInput(input));
  for (const day of daysToAdvance(dir, through)) await advanceOneDay(dir, day, dayShardsInThread);
  return dir;
}

function flipByte(file: string, at: number): void {
  const bytes = fs.readFileSync(file);
  bytes[at] ^= 0x01;
  fs.writeFileSync(file, bytes);
}

describe('damaged world files', () => {
  let reference: Record<string, string>;
  beforeAll(async () => {
    reference = worldDayHashes(await worldThrough('reference', '2025-06-04'));
  });

  it("a bit-flipped users' state fails the next day at once naming the file; world repair recomputes it and the world goes on to the same bytes", async () => {
    const dir = await worldThrough('flipped', '2025-06-03');
    const layout = new WorldLayout(dir);
    const state = layout.statePath('2025-06-03', 1);
    flipByte(state, 40);

    const err = await runWorldDayJob({ worldDir: dir, day: '2025-06-04', shard: 1 }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('DamagedFile');
    expect((err as Error).message).toContain(`${state} is damaged: the users' state file's sha256 is`);
    expect((err as Error).message).toContain('`wrapped-etl world repair w`');

    // the repair as a user runs it, on the world's data root
    const cli = await runCli(['world', 'repair', 'w', '--json'], { WRAPPED_ETL_DATA_ROOT: path.join(tmp.dir, 'flipped') });
    expect(cli).toMatchObject({ code: 0 });
    expect(JSON.parse(cli.stdout)).toEqual({ day: '2025-06-03', shards: 3, repaired: [{ shard: 1, from: '2025-06-01', days: 3 }] });
    // nothing left to repair the second time
    expect(repairWorldState(dir).repaired).toEqual([]);

    for (const day of daysToAdvance(dir, '2025-06-04')) await advanceOneDay(dir, day, dayShardsInThread);
    expect(worldDayHashes(dir)).toEqual(reference);
  });

  it('a damaged shard checkpoint of the last day is repaired from the latest state that checks', async () => {
    const dir = await worldThrough('checkpoint', '2025-06-03');
    const layout = new WorldLayout(dir);
    const checkpoint = layout.day('2025-06-03').partCheckpointPath(2);
    fs.writeFileSync(checkpoint, fs.readFileSync(checkpoint, 'utf8').slice(0, 30));
    const err = await runWorldDayJob({ worldDir: dir, day: '2025-06-04', shard: 2 }).catch((e: unknown) => e as Error);
    expect((err as Error).message).toContain(`${checkpoint} is damaged: the shard's checkpoint: it is not JSON`);
    expect(repairWorldState(dir).repaired).toEqual([{ shard: 2, from: '2025-06-01', days: 3 }]);
    for (const day of daysToAdvance(dir, '2025-06-04')) await advanceOneDay(dir, day, dayShardsInThread);
    expect(worldDayHashes(dir)).toEqual(reference);
  });

  it('a corrupt world.json fails naming its path and what is wrong', async () => {
    const dir = await worldThrough('definition', '2025-06-01');
    const layout = new WorldLayout(dir);
    const text = fs.readFileSync(layout.definitionPath, 'utf8');
    fs.writeFileSync(layout.definitionPath, text.slice(0, text.length / 2));
    expect(() => readWorldDefinition(layout)).toThrow(`${layout.definitionPath} is damaged: the world's definition: it is not JSON (`);
    fs.writeFileSync(layout.definitionPath, text.replace(/"start": "2025-06-01"/, '"start": "2025-13-01"'));
    expect(() => readWorldDefinition(layout)).toThrow(
      /world.json is damaged: the world's definition: its start is "2025-13-01", not a day/,
    );
    const status = await runCli(['world', 'status', 'w'], { WRAPPED_ETL_DATA_ROOT: path.join(tmp.dir, 'definition') });
    expect(status.code).not.toBe(0);
    expect(status.stderr).toContain(`${layout.definitionPath} is damaged`);
  });
});
