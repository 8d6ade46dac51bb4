import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalogFile } from '../../../src/catalog/catalog-file';
import { RunLayout } from '../../../src/pipeline/run-layout';
import { derivedBytes } from '../../../src/simulation/seeded-random';
import { prepareRun, runInProcess } from '../../../src/pipeline/in-process-run';
import { SESSION_GAP_MS } from '../../../src/simulation/session-calendar';
import { runShardJob } from '../../../src/pipeline/shard-job';
import { simulateUser, simulationContext } from '../../../src/simulation/simulate-user';
import { SongTable } from '../../../src/simulation/song-table';
import { PopulationModel } from '../../../src/simulation/user-profile';
import { readUsersOfShard } from '../../../src/pipeline/users-file';
import { readRun, sha256 } from '../../helpers/read-run';
import { makeTmpDir } from '../../helpers/tmp-dir';

const INPUT = { users: 30, sessionsPerUser: 4, seed: 11, catalog: ['synthetic:500'], travelShare: 0.2 };

describe('determinism: the same input gives the same bytes', () => {
  const tmp = makeTmpDir();
  /** the run the tests compare with (here, so that each test runs alone) */
  let a: Awaited<ReturnType<typeof runInProcess>>;
  beforeAll(async () => {
    a = await runInProcess(path.join(tmp.dir, 'a'), { ...INPUT, shardSize: 10 });
  });
  afterAll(() => tmp.cleanup());

  it('writes byte-identical parts for the same input, with sync markers derived from the seed', async () => {
    const b = await runInProcess(path.join(tmp.dir, 'b'), { ...INPUT, shardSize: 10 });
    expect(a.parts.map((p) => p.sha256)).toEqual(b.parts.map((p) => p.sha256));
    const part = fs.readFileSync(path.join(tmp.dir, 'a', 'avro', 'part-00000.avro'));
    expect(part.includes(derivedBytes([11, 'avro-sync', 'listening-history']))).toBe(true);
    const other = await runInProcess(path.join(tmp.dir, 'c'), { ...INPUT, shardSize: 10, seed: 12 });
    expect(other.parts[0].sha256).not.toBe(a.parts[0].sha256);
  });

  it('gives every user the same events whatever the sharding, and a retried shard the same bytes', async () => {
    const small = await readRun(path.join(tmp.dir, 'a'));
    await runInProcess(path.join(tmp.dir, 'd'), { ...INPUT, shardSize: 7 });
    const other = await readRun(path.join(tmp.dir, 'd'));
    expect(other.records).toEqual(small.records);

    const dir = path.join(tmp.dir, 'a');
    const before = sha256(path.join(dir, 'avro', 'part-00001.avro'));
    const catalogSha256 = sha256(new RunLayout(dir).catalogPath);
    const again = await runShardJob({ params: small.manifest.params, runDir: dir, shard: 1, catalogSha256 });
    expect(again.sha256).toBe(before);
    expect(sha256(path.join(dir, 'avro', 'part-00001.avro'))).toBe(before);
  });

  it("simulates a user the same alone or after others, and numbers each record's session", async () => {
    const dir = path.join(tmp.dir, 'e');
    const { params } = await prepareRun(dir, { ...INPUT, shardSize: 30 });
    const layout = new RunLayout(dir);
    const songs = SongTable.fromSongs(await readCatalogFile(layout.catalogPath));
    const users = readUsersOfShard(layout.usersPath, layout.usersOffsetsPath, 0);
    const shared = simulationContext(params, songs, new PopulationModel(params));
    for (const u of users.slice(0, 5)) Array.from(simulateUser(shared, u));
    const afterOthers = [...simulateUser(shared, users[5])];
    const alone = [...simulateUser(simulationContext(params, songs, new PopulationModel(params)), users[5])];
    expect(afterOthers).toEqual(alone);
    const sessions = alone.map((r) => r.session);
    expect(sessions[0]).toBe(0);
    const count = Math.max(...(sessions as number[])) + 1;
    expect(new Set(sessions)).toEqual(new Set(Array.from({ length: count }, (_, i) => i)));
    sessions.forEach((s, i) => i > 0 && expect(s).toBeGreaterThanOrEqual(sessions[i - 1]!));
  });

  it('simulates users over a one-song catalog, whose year views have empty buckets', async () => {
    const dir = path.join(tmp.dir, 'one-song');
    const { params } = await prepareRun(dir, { ...INPUT, users: 3, shardSize: 3, catalog: ['synthetic:1'] });
    const layout = new RunLayout(dir);
    const ctx = simulationContext(params, SongTable.fromSongs(await readCatalogFile(layout.catalogPath)), new PopulationModel(params));
    for (const user of readUsersOfShard(layout.usersPath, layout.usersOffsetsPath, 0)) {
      expect([...simulateUser(ctx, user)].length).toBeGreaterThan(0);
    }
  });

  it('numbers only sessions with events, so the numbering follows from the 30-minute gaps', async () => {
    // sessions this short leave some without room for a single (repeated) stream
    const dir = path.join(tmp.dir, 'f');
    const { params } = await prepareRun(dir, { ...INPUT, users: 20, shardSize: 20, sessionsPerUser: 20, sessionHours: [0.1, 0.15] });
    const layout = new RunLayout(dir);
    const ctx = simulationContext(params, SongTable.fromSongs(await readCatalogFile(layout.catalogPath)), new PopulationModel(params));
    for (const user of readUsersOfShard(layout.usersPath, layout.usersOffsetsPath, 0)) {
      const records = [...simulateUser(ctx, user)];
      records.forEach((r, i) => {
        const expected =
          i === 0
            ? 0
            : records[i - 1].session! + (r.listening_time.start_time - records[i - 1].listening_time.end_time >= SESSION_GAP_MS ? 1 : 0);
        expect(r.session).toBe(expected);
      });
    }
  });
});
