import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveWorldInput } from '../../../src/config/world-input';
import { readManifest } from '../../../src/pipeline/manifest';
import { runInProcess } from '../../../src/pipeline/in-process-run';
import { RunLayout } from '../../../src/pipeline/run-layout';
import { runWorldDayJob } from '../../../src/pipeline/world-day-job';
import { WorldLayout } from '../../../src/pipeline/world-layout';
import { advanceOneDay, createWorld, daysToAdvance } from '../../../src/pipeline/world-store';
import { avroReaderLibsDir, enginePythonEnv, ensureEngineTools } from '../../helpers/test-tools';
import { makeTmpDir } from '../../helpers/tmp-dir';

/**
 * A run folder and a world folder read AS FOLDERS by real engines, with the snippets of docs/layout.md run
 * exactly as written there (from a folder holding RUN and WORLD): counts equal the manifests, times are typed
 * timestamps, and the world's day is the partition column dt.
 */
const DOC = path.resolve(__dirname, '..', '..', '..', 'docs', 'layout.md');
const tmp = makeTmpDir('wrapped-etl-engines-');
const RUN = path.join(tmp.dir, 'RUN');
const WORLD = path.join(tmp.dir, 'WORLD');
let missing: string | undefined;
let runRecords: number;
let dayRecords: Record<string, number>;

/** The code block of docs/layout.md whose info string is `lang name`. */
function snippet(lang: string, name: string): string {
  const m = new RegExp('```' + lang + ' ' + name + '\\n([\\s\\S]*?)```').exec(fs.readFileSync(DOC, 'utf8'));
  if (!m) throw new Error(`docs/layout.md has no \`\`\`${lang} ${name} block`);
  return m[1];
}

/** Runs python with the engines, from the folder holding RUN and WORLD; returns the JSON its epilogue printed. */
function python(name: string, code: string): Record<string, unknown> {
  const file = path.join(tmp.dir, `${name}.py`);
  fs.writeFileSync(file, code);
  const r = spawnSync('python3', [file], { cwd: tmp.dir, env: enginePythonEnv(), encoding: 'utf8', maxBuffer: 64 << 20 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (r.status !== 0 || !line) throw new Error(`${name}.py exited ${r.status}:\n${r.stdout}\n${r.stderr.slice(-4000)}`);
  return JSON.parse(line.slice('RESULT '.length)) as Record<string, unknown>;
}

beforeAll(async () => {
  missing = ensureEngineTools();
  if (missing) {
    console.log(`engines: skipped: ${missing}`);
    return;
  }
  const input = {
    users: 30,
    shardSize: 10,
    sessionsPerUser: 3,
    seed: 17,
    catalog: ['synthetic:300'],
    format: ['avro', 'parquet'] as const,
  };
  await runInProcess(RUN, { ...input, schemaVersion: 2, format: [...input.format] });
  runRecords = readManifest(new RunLayout(RUN).manifestPath).totalRecords;
  await createWorld(
    WORLD,
    resolveWorldInput({
      name: 'WORLD',
      users: 20,
      shardSize: 10,
      start: '2025-03-01',
      seed: 17,
      catalog: ['synthetic:300'],
      format: ['avro', 'parquet'],
      schemaVersion: 2,
    }),
  );
  for (const day of daysToAdvance(WORLD, '2025-03-03'))
    await advanceOneDay(WORLD, day, async (jobs) => Promise.all(jobs.map((j) => runWorldDayJob(j))));
  const world = new WorldLayout(WORLD);
  dayRecords = Object.fromEntries(world.completeDays().map((d) => [d, readManifest(world.day(d).manifestPath).totalRecords]));
}, 1_200_000);
afterAll(() => tmp.cleanup());

describe('a run folder and a world folder read as datasets', () => {
  it('are what the engines are pointed at: the format folders hold parts only', ({ skip }) => {
    if (missing) skip(missing);
    expect(fs.readdirSync(RUN).sort()).toEqual(['_SUCCESS', '_manifest.json', '_work', 'avro', 'parquet']);
    expect(Object.keys(dayRecords)).toEqual(['2025-03-01', '2025-03-02', '2025-03-03']);
    for (const f of ['avro', 'parquet']) {
      expect(fs.readdirSync(path.join(RUN, f)).every((n) => n.startsWith('part-') && n.endsWith(`.${f}`))).toBe(true);
      expect(fs.readdirSync(path.join(WORLD, f)).sort()).toEqual(['dt=2025-03-01', 'dt=2025-03-02', 'dt=2025-03-03']);
    }
  });

  it('Spark (pyspark 4.2.0, spark-avro_2.13 4.2.0) reads RUN/avro, RUN/parquet and WORLD/avro, WORLD/parquet with dt', ({ skip }) => {
    if (missing) skip(missing);
    const jars = fs.readdirSync(avroReaderLibsDir()).filter((f) => f.startsWith('spark-avro_2.13-'));
    const preamble = `from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[2]").config("spark.jars", ${JSON.stringify(path.join(avroReaderLibsDir(), jars[0]))})
    .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
    .getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
`;
    const epilogue = `
import json
per_day = lambda df: {str(r["dt"]): r["count"] for r in df.groupBy("dt").count().collect()}
print("RESULT " + json.dumps({
    "run_avro": spark.sql("SELECT count(*) FROM listens").first()[0],
    "run_parquet": listens_pq.count(),
    "world_avro": per_day(days),
    "world_parquet": per_day(days_pq),
    "types": [listens.schema["listening_time"].dataType["start_time"].dataType.simpleString(),
              listens_pq.schema["listening_time_start_time"].dataType.simpleString(),
              days.schema["dt"].dataType.simpleString(), days_pq.schema["dt"].dataType.simpleString()],
}))
spark.stop()
`;
    const got = python('spark', preamble + snippet('python', 'spark') + epilogue);
    console.log(`engines: spark: ${JSON.stringify(got)}`);
    expect(got).toEqual({
      run_avro: runRecords,
      run_parquet: runRecords,
      world_avro: dayRecords,
      world_parquet: dayRecords,
      types: ['timestamp', 'timestamp', 'date', 'date'],
    });
  }, 900_000);

  it('DuckDB reads RUN/parquet and WORLD/parquet (hive_partitioning), and the AVRO folders with its avro extension', async ({ skip }) => {
    if (missing) skip(missing);
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    // the snippet's relative paths, from the folder holding RUN and WORLD
    await db.run(`SET file_search_path = '${tmp.dir}'`);
    const [runSql, worldSql] = snippet('sql', 'duckdb').trim().split('\n');
    const run = await db.runAndReadAll(runSql);
    expect(run.columnTypes().map(String)).toEqual(['BIGINT', 'TIMESTAMP WITH TIME ZONE']);
    expect(Number(run.getRows()[0][0])).toBe(runRecords);
    const world = await db.runAndReadAll(worldSql);
    expect(world.columnTypes().map(String)).toEqual(['DATE', 'BIGINT']);
    const perDay = Object.fromEntries(world.getRowsJson().map(([dt, n]) => [String(dt), Number(n)]));
    expect(perDay).toEqual(dayRecords);
    db.closeSync();

    const epilogue = `
import json
print("RESULT " + json.dumps({"run": [run.fetchone()[0], [str(t) for t in run.types]],
    "days": {str(dt): n for dt, n in days.fetchall()}, "dt": str(days.types[0])}))
`;
    const avro = python('duckdb_avro', snippet('python', 'duckdb-avro') + epilogue);
    console.log(`engines: duckdb: parquet ${runRecords} records, ${JSON.stringify(perDay)}; avro ${JSON.stringify(avro)}`);
    expect(avro).toEqual({ run: [runRecords, ['BIGINT', 'TIMESTAMP']], days: dayRecords, dt: 'DATE' });
  }, 300_000);

  it('pyarrow reads RUN/parquet and WORLD/parquet as datasets, dt a date partition', ({ skip }) => {
    if (missing) skip(missing);
    const epilogue = `
import json
t = days.to_table(columns=["dt"]).group_by("dt").aggregate([("dt", "count")])
print("RESULT " + json.dumps({"run": listens.count_rows(), "time": str(listens.schema.field("listening_time_start_time").type),
    "days": {str(d): n for d, n in zip(t["dt"].to_pylist(), t["dt_count"].to_pylist())}, "dt": str(days.schema.field("dt").type)}))
`;
    const got = python('pyarrow_read', snippet('python', 'pyarrow') + epilogue);
    console.log(`engines: pyarrow: ${JSON.stringify(got)}`);
    expect(got).toEqual({ run: runRecords, time: 'timestamp[ms, tz=UTC]', days: dayRecords, dt: 'date32[day]' });
  }, 300_000);
});
