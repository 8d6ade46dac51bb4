import * as fs from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import * as avro from 'avsc';
import { readContainer } from '../src/formats/avro/read-container';
import { LISTENING_HISTORY_SCHEMA, schemaType } from '../src/formats/avro/schemas';
import { RunLayout } from '../src/pipeline/run-layout';
import { prepareRun } from '../src/pipeline/in-process-run';
import type { ListeningRecord } from '../src/domain/listening-record';
import { runShardJob } from '../src/pipeline/shard-job';
import { AVRO_CODECS, type AvroCodec } from '../src/formats/avro/block-codecs';

const PILOT_USERS = 200;
const PREBUILT = 20_000;

export interface ShardCeiling {
  /** simulate + encode + deflate + file, one shard through the real shard job, on this thread */
  recordsPerSec: number;
  /** avsc's own BlockEncoder (deflate) writing as many pre-built records */
  baselineRecordsPerSec: number;
  ratio: number;
  /** the same ratio in CPU time of this process: steadier than wall time when other processes share the cores */
  cpuRatio: number;
  peakRssMb: number;
  records: number;
  /** the same shard with each avroCodec: records/s (best of CODEC_ROUNDS alternating rounds) and part bytes per record */
  codecs: Record<AvroCodec, CodecCeiling>;
}

export interface CodecCeiling {
  recordsPerSec: number;
  bytesPerRecord: number;
}

const CODEC_ROUNDS = 2;

/**
 * Records per user with this catalog and otherwise default input, from a pilot shard
 * run through the real shard job (which also loads this thread's catalog cache, so the
 * timed shard measures the steady state of a worker thread).
 */
export async function recordsPerUser(dir: string, catalog: string[]): Promise<number> {
  const pilotDir = path.join(dir, 'pilot');
  const pilot = await prepareRun(pilotDir, { users: PILOT_USERS, shardSize: PILOT_USERS, catalog });
  const { records } = await runShardJob({ params: pilot.params, runDir: pilotDir, shard: 0, catalogSha256: pilot.catalogSha256 });
  return records / PILOT_USERS;
}

/** The single-thread shard ceiling, measured in `dir` (a scratch folder). */
export async function measureShardCeiling(
  dir: string,
  target: number,
  catalog: string[],
  log: (msg: string) => void,
): Promise<ShardCeiling> {
  const users = Math.max(1, Math.round(target / (await recordsPerUser(dir, catalog))));
  const runDir = path.join(dir, 'run');
  const { params, catalogSha256 } = await prepareRun(runDir, { users, shardSize: users, catalog });
  log(`simulating ${users} users (~${target} records) on one thread...`);
  const cpuSeconds = (since: NodeJS.CpuUsage) => {
    const { user, system } = process.cpuUsage(since);
    return (user + system) / 1e6;
  };
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const shard = await runShardJob({ params, runDir, shard: 0, catalogSha256 });
  const simulateSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const simulateCpu = cpuSeconds(cpu0);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const records = shard.records;

  const prebuilt: ListeningRecord[] = [];
  for await (const r of readContainer<ListeningRecord>(new RunLayout(runDir).partPath(0))) {
    prebuilt.push(r);
    if (prebuilt.length === PREBUILT) break;
  }
  log(`baseline: avsc BlockEncoder (deflate) writing ${records} pre-built records...`);
  const t1 = process.hrtime.bigint();
  const cpu1 = process.cpuUsage();
  const encoder = new avro.streams.BlockEncoder(schemaType(LISTENING_HISTORY_SCHEMA), { codec: 'deflate' });
  const out = fs.createWriteStream(path.join(dir, 'baseline.avro'));
  encoder.pipe(out);
  for (let i = 0; i < records; i++) if (!encoder.write(prebuilt[i % prebuilt.length])) await once(encoder, 'drain');
  encoder.end();
  await finished(out);
  const baselineSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
  const baselineCpu = cpuSeconds(cpu1);

  const codecs = {} as Record<AvroCodec, CodecCeiling>;
  for (let round = 0; round < CODEC_ROUNDS; round++) {
    for (const avroCodec of AVRO_CODECS) {
      log(`round ${round + 1}/${CODEC_ROUNDS}: the shard with avroCodec ${avroCodec}...`);
      const t = process.hrtime.bigint();
      const part = await runShardJob({ params: { ...params, avroCodec }, runDir, shard: 0, catalogSha256 });
      const perSec = Math.round(part.records / (Number(process.hrtime.bigint() - t) / 1e9));
      if (perSec > (codecs[avroCodec]?.recordsPerSec ?? 0)) {
        codecs[avroCodec] = { recordsPerSec: perSec, bytesPerRecord: Math.round((part.bytes / part.records) * 100) / 100 };
      }
    }
  }

  const recordsPerSec = Math.round(records / simulateSeconds);
  const baselineRecordsPerSec = Math.round(records / baselineSeconds);
  return {
    recordsPerSec,
    baselineRecordsPerSec,
    ratio: Math.round((recordsPerSec / baselineRecordsPerSec) * 1000) / 1000,
    cpuRatio: Math.round((baselineCpu / simulateCpu) * 1000) / 1000,
    peakRssMb: Math.round(peakRssMb),
    records,
    codecs,
  };
}
