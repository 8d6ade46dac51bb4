import * as fs from 'node:fs';
import * as path from 'node:path';
import { prepareRun } from '../src/pipeline/in-process-run';
import { RunLayout } from '../src/pipeline/run-layout';
import { runShardJob } from '../src/pipeline/shard-job';
import { recordsPerUser } from './shard-ceiling';

export interface ParquetCost {
  records: number;
  /** best of the rounds: one shard, one thread, AVRO only */
  avroSeconds: number;
  /** best of the rounds: the same shard writing AVRO and Parquet */
  avroParquetSeconds: number;
  timeRatio: number;
  /** the same ratio in CPU time of this process (best rounds), steadier than wall time on a shared machine */
  cpuTimeRatio: number;
  parquetBytes: number;
  /** DuckDB's own rewrite of the same Parquet rows, SNAPPY, its default row groups */
  duckdbBytes: number;
  sizeRatio: number;
}

const ROUNDS = 5;

/** The cost of Parquet beside AVRO on one shard (time, alternating rounds), and its size against DuckDB's rewrite. */
export async function measureParquetCost(dir: string, target: number, catalog: string[], log: (msg: string) => void): Promise<ParquetCost> {
  const users = Math.max(1, Math.round(target / (await recordsPerUser(dir, catalog))));
  const runs = await Promise.all(
    (['avro', 'avro,parquet'] as const).map(async (format) => ({
      format,
      ...(await prepareRun(path.join(dir, format.replace(',', '-')), { users, shardSize: users, format, catalog })),
    })),
  );
  const best = new Map<string, number>();
  const bestCpu = new Map<string, number>();
  let records = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const run of runs) {
      log(`round ${round + 1}/${ROUNDS}: ${users} users as ${run.format}...`);
      const t0 = process.hrtime.bigint();
      const cpu0 = process.cpuUsage();
      records = (await runShardJob({ params: run.params, runDir: run.runDir, shard: 0, catalogSha256: run.catalogSha256 })).records;
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = process.cpuUsage(cpu0);
      best.set(run.format, Math.min(best.get(run.format) ?? Infinity, seconds));
      bestCpu.set(run.format, Math.min(bestCpu.get(run.format) ?? Infinity, (cpu.user + cpu.system) / 1e6));
    }
  }
  const parquet = new RunLayout(runs[1].runDir).partPath(0, 'parquet');
  const rewrite = path.join(dir, 'duckdb.parquet');
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`COPY (SELECT * FROM read_parquet('${parquet}')) TO '${rewrite}' (FORMAT parquet, COMPRESSION snappy)`);
  const parquetBytes = fs.statSync(parquet).size;
  const duckdbBytes = fs.statSync(rewrite).size;
  const avroSeconds = best.get('avro')!;
  const avroParquetSeconds = best.get('avro,parquet')!;
  const round3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    records,
    avroSeconds: round3(avroSeconds),
    avroParquetSeconds: round3(avroParquetSeconds),
    timeRatio: round3(avroParquetSeconds / avroSeconds),
    cpuTimeRatio: round3(bestCpu.get('avro,parquet')! / bestCpu.get('avro')!),
    parquetBytes,
    duckdbBytes,
    sizeRatio: round3(parquetBytes / duckdbBytes),
  };
}
