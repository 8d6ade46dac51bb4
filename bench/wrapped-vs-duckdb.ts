import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitForServer } from '../cli/temporal/dev-server';
import { DEFAULTS } from '../src/config/generation-input';
import { freePort } from './free-port';
import { recordsPerUser } from './shard-ceiling';
import { CLI_PATH, cli, timedCli } from './run-cli';

export interface WrappedVsDuckdb {
  /** `wrapped-etl wrapped RUN` on a running dev server: its whole command, worker start-up included */
  wrappedSeconds: number;
  /** DuckDB (@duckdb/node-api), one thread per core, the equivalent aggregates as SQL over the run's Parquet parts */
  duckdbSeconds: number;
  /** wrappedSeconds / duckdbSeconds */
  ratio: number;
  /** CPU seconds of the wrapped command's process (threads included) and of DuckDB's queries (its threads included) */
  wrappedCpuSeconds: number;
  duckdbCpuSeconds: number;
  /** wrappedCpuSeconds / duckdbCpuSeconds: steadier than the wall-time ratio on a shared machine */
  cpuRatio: number;
  /** peak RSS of the wrapped command's process (worker and pool threads; the dev server apart) */
  wrappedPeakRssMb: number;
  records: number;
  users: number;
  parts: number;
  threads: number;
}

/**
 * What Wrapped computes, as SQL: per user records, plays, minutes, distinct songs and artists,
 * skip rate and top 5 songs/artists/genres; per country and for the run the totals and top
 * songs/artists/genres (5 and 10). The local-hour figures are left out (DuckDB would need
 * each stream's timezone conversion).
 */
function duckdbQueries(parquetGlob: string): string[] {
  const events =
    `SELECT user_id, user_location_country AS country, artist, song_name, genre, interaction <> 'skipped' AS played, ` +
    `greatest(0, epoch_ms(listening_time_end_time) - epoch_ms(listening_time_start_time)) AS ms FROM read_parquet('${parquetGlob}')`;
  const top = (scope: string, keys: string, n: number) =>
    `SELECT * FROM (SELECT ${scope}${scope ? ', ' : ''}${keys}, sum(played::INT) AS plays, sum(ms) AS ms, ` +
    `row_number() OVER (${scope ? `PARTITION BY ${scope} ` : ''}ORDER BY sum(played::INT) DESC, sum(ms) DESC, ${keys}) AS r ` +
    `FROM ev GROUP BY ${scope}${scope ? ', ' : ''}${keys}) WHERE r <= ${n}`;
  return [
    `CREATE OR REPLACE TEMP VIEW ev AS ${events}`,
    `SELECT user_id, count(*) AS records, sum(played::INT) AS plays, sum(ms) / 60000 AS minutes, ` +
      `count(DISTINCT (artist, song_name)) AS songs, count(DISTINCT artist) AS artists, 1 - sum(played::INT) / count(*) AS skip_rate ` +
      `FROM ev GROUP BY user_id`,
    ...['user_id', 'country', ''].flatMap((scope) =>
      ['artist, song_name', 'artist', 'genre'].map((keys) => top(scope, keys, scope === '' ? 10 : 5)),
    ),
    `SELECT country, count(*), sum(played::INT), count(DISTINCT user_id), sum(ms) FROM ev GROUP BY country`,
  ];
}

async function timeDuckdb(parquetGlob: string, threads: number): Promise<{ seconds: number; cpuSeconds: number }> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const connection = await db.connect();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (const sql of duckdbQueries(parquetGlob)) await connection.runAndReadAll(sql);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  connection.closeSync();
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/**
 * A run of ~`target` records (AVRO+Parquet, default settings) generated through the CLI on a
 * dev server started for the bench, then `wrapped-etl wrapped` on it (timed, peak RSS), then
 * DuckDB's equivalent aggregates over the same run's Parquet parts, in the same process.
 */
export async function measureWrappedVsDuckdb(dir: string, target: number, log: (msg: string) => void): Promise<WrappedVsDuckdb> {
  const users = Math.max(1, Math.round(target / (await recordsPerUser(path.join(dir, 'pilot'), [...DEFAULTS.catalog]))));
  const [port, uiPort] = [await freePort(), await freePort()];
  const server = spawn(
    process.execPath,
    [CLI_PATH, 'server', '--port', `${port}`, '--ui-port', `${uiPort}`, '--db', path.join(dir, 'dev.db')],
    {
      cwd: dir,
      stdio: 'ignore',
    },
  );
  const threads = os.availableParallelism();
  try {
    await waitForServer(`127.0.0.1:${port}`, 120_000);
    log(`generating ${users} users (~${target} records, AVRO and Parquet)...`);
    const temporal = ['--port', `${port}`, '--ui-port', `${uiPort}`];
    const generated = JSON.parse(
      await cli(
        ['generate', '--users', `${users}`, '--format', 'avro,parquet', '--out', 'data', '--run-name', 'bench', ...temporal, '--json'],
        dir,
      ),
    ) as { outDir: string; totalRecords: number };
    log(`wrapped of ${generated.totalRecords} records...`);
    const wrapped = await timedCli(['wrapped', 'data/bench', '--out', 'data/bench-wrapped', ...temporal, '--json'], dir);
    log(`DuckDB, ${threads} threads...`);
    const duckdb = await timeDuckdb(path.join(generated.outDir, 'parquet', '*.parquet'), threads);
    const parts = fs.readdirSync(path.join(generated.outDir, 'parquet')).length;
    const round = (x: number) => Math.round(x * 1000) / 1000;
    return {
      wrappedSeconds: round(wrapped.seconds),
      duckdbSeconds: round(duckdb.seconds),
      ratio: round(wrapped.seconds / duckdb.seconds),
      wrappedCpuSeconds: round(wrapped.cpuSeconds),
      duckdbCpuSeconds: round(duckdb.cpuSeconds),
      cpuRatio: round(wrapped.cpuSeconds / duckdb.cpuSeconds),
      wrappedPeakRssMb: wrapped.peakRssMb,
      records: generated.totalRecords,
      users,
      parts,
      threads,
    };
  } finally {
    server.kill('SIGINT');
    await new Promise((resolve) => (server.exitCode === null ? server.once('exit', resolve) : resolve(undefined)));
  }
}
