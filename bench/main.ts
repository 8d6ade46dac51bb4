import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import * as avro from 'avsc';
import { readContainer } from '../src/formats/avro/read-container';
import { LISTENING_HISTORY_SCHEMA, schemaType } from '../src/formats/avro/schemas';
import { readCatalogFile } from '../src/catalog/catalog-file';
import { RunLayout } from '../src/pipeline/run-layout';
import { prepareRun } from '../src/pipeline/in-process-run';
import type { ListeningRecord } from '../src/domain/listening-record';
import { runShardJob } from '../src/pipeline/shard-job';
import { simulateUser, simulationContext } from '../src/simulation/simulate-user';
import { PopulationModel } from '../src/simulation/user-profile';
import { readUsersOfShard } from '../src/pipeline/users-file';

const usage = `npm run bench -- [--records N] [--catalog SOURCE] [--json]

Records/s of simulate + encode + deflate on one thread (one shard through the real
shard job: catalog indexes, users, the deterministic AVRO writer), then, in the same
run, records/s of plain avsc writing (BlockEncoder, deflate) of as many pre-built
records: the ceiling. Prints {"recordsPerSec","baselineRecordsPerSec","ratio","peakRssMb","records"}.
Peak RSS is the process's peak right after the simulation phase.

  --records N       records to write (default 200000)
  --catalog SOURCE  catalog of the simulated run (default synthetic:2000)
  --json            print the result as one JSON line
`;

const PILOT_USERS = 200;
const PREBUILT = 20_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { records: { type: 'string' }, catalog: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return void process.stdout.write(usage);
  const target = values.records === undefined ? 200_000 : Number(values.records);
  if (!Number.isInteger(target) || target < 1000) throw new Error(`--records needs a whole number >= 1000, got "${values.records}"`);
  const catalog = values.catalog ?? 'synthetic:2000';
  const log = (msg: string) => values.json || process.stderr.write(`${msg}\n`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapped-etl-bench-'));
  try {
    // how many users make the wanted number of records
    const pilotDir = path.join(dir, 'pilot');
    const pilot = await prepareRun(pilotDir, { users: PILOT_USERS, shardSize: PILOT_USERS, catalog: [catalog] });
    const pilotLayout = new RunLayout(pilotDir);
    const ctx = simulationContext(pilot.params, await readCatalogFile(pilotLayout.catalogPath), new PopulationModel(pilot.params));
    let pilotRecords = 0;
    for (const user of readUsersOfShard(pilotLayout.usersPath, pilotLayout.usersOffsetsPath, 0)) for (const _ of simulateUser(ctx, user)) pilotRecords++;
    const users = Math.max(1, Math.round(target / (pilotRecords / PILOT_USERS)));

    const runDir = path.join(dir, 'run');
    const { params, catalogSha256 } = await prepareRun(runDir, { users, shardSize: users, catalog: [catalog] });
    log(`simulating ${users} users (~${target} records) on one thread...`);
    const t0 = process.hrtime.bigint();
    const shard = await runShardJob({ params, runDir, shard: 0, catalogSha256 });
    const simulateSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    const records = shard.records;

    const prebuilt: ListeningRecord[] = [];
    for await (const r of readContainer<ListeningRecord>(new RunLayout(runDir).partPath(0))) {
      prebuilt.push(r);
      if (prebuilt.length === PREBUILT) break;
    }
    log(`baseline: avsc BlockEncoder (deflate) writing ${records} pre-built records...`);
    const t1 = process.hrtime.bigint();
    const encoder = new avro.streams.BlockEncoder(schemaType(LISTENING_HISTORY_SCHEMA), { codec: 'deflate' });
    const out = fs.createWriteStream(path.join(dir, 'baseline.avro'));
    encoder.pipe(out);
    for (let i = 0; i < records; i++) if (!encoder.write(prebuilt[i % prebuilt.length])) await once(encoder, 'drain');
    encoder.end();
    await finished(out);
    const baselineSeconds = Number(process.hrtime.bigint() - t1) / 1e9;

    const recordsPerSec = Math.round(records / simulateSeconds);
    const baselineRecordsPerSec = Math.round(records / baselineSeconds);
    const result = {
      recordsPerSec,
      baselineRecordsPerSec,
      ratio: Math.round((recordsPerSec / baselineRecordsPerSec) * 1000) / 1000,
      peakRssMb: Math.round(peakRssMb),
      records,
    };
    if (values.json) process.stdout.write(JSON.stringify(result) + '\n');
    else {
      process.stdout.write(
        `simulate+encode+deflate  ${recordsPerSec} records/s\n` +
          `avsc baseline            ${baselineRecordsPerSec} records/s\n` +
          `ratio                    ${result.ratio}\n` +
          `peak RSS                 ${result.peakRssMb} MB\n` +
          `records                  ${records}\n`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exit(1);
});
