import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@temporalio/client';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionTo } from '../../../cli/temporal/client-connection';
import { waitForServer } from '../../../cli/temporal/dev-server';
import { readManifest } from '../../../src/pipeline/manifest';
import { WorldLayout } from '../../../src/pipeline/world-layout';
import { BIN } from '../../helpers/cli-process';
import { freePort } from '../../../bench/free-port';
import { spawnServer, type ServerProcess } from '../../helpers/server-process';
import {
  avroReaderLibsDir,
  enginePythonEnv,
  ensureEngineTools,
  ensurePipPackage,
  ensurePythonTools,
  PANDAS,
  pipPackageDir,
  pythonToolsDir,
} from '../../helpers/test-tools';
import { makeTmpDir } from '../../helpers/tmp-dir';

/**
 * README.md's fenced snippets, run as written from a fresh folder (the data root), one after the other as a
 * newcomer would: `npx wrapped-etl` is this checkout's CLI (dist/), embedded commands and the dev server get
 * free ports (--port/--ui-port appended, so the test never meets another server on 7233), and `<run>` is the
 * run the quick start printed. Each block carries a marker line above it: `<!-- tested: NAME -->` (run by
 * the runner NAME here) or `<!-- mirrored by PATH ... -->` (an existing test or CI script that runs the same).
 */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

interface Snippet {
  line: number;
  lang: string;
  body: string;
  marker?: { tested?: string; mirroredBy?: string };
}

/** Every fenced block of a Markdown text with the marker comment on the line above it. */
function fencedSnippets(markdown: string, file = 'README.md'): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^\s*```(\S*)/.exec(lines[i]);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && /^\s*```\s*$/.test(l));
    if (end < 0) throw new Error(`${file}:${i + 1}: a fence that never closes`);
    const m = /^<!-- (?:tested: ([\w-]+)|mirrored by (\S+))(?: .*)? -->$/.exec(lines[i - 1] ?? '');
    snippets.push({
      line: i + 1,
      lang: open[1],
      body: lines.slice(i + 1, end).join('\n') + '\n',
      marker: m ? { tested: m[1], mirroredBy: m[2] } : undefined,
    });
    i = end;
  }
  return snippets;
}

const snippets = fencedSnippets(README);
const tested = (name: string): string => {
  const found = snippets.filter((s) => s.marker?.tested === name);
  if (found.length !== 1) throw new Error(`README.md has ${found.length} blocks marked "tested: ${name}"`);
  return found[0].body;
};

const tmp = makeTmpDir('wrapped-etl-readme-');
const servers: ServerProcess[] = [];
let address: string;
let runId: string;

interface BlockOptions {
  extraArgs?: string[];
  env?: Record<string, string>;
  /** no LOG_LEVEL, as a newcomer's shell has (else the tests' LOG_LEVEL, error unless set, to keep servers' logs out of the test's output) */
  defaultLogs?: boolean;
}

/** A block through bash from the data root: `npx wrapped-etl` is this CLI with `extraArgs` appended; `npm` only logs. */
function shellScript(body: string, opts: BlockOptions = {}): string {
  const exports = Object.entries({
    ...opts.env,
    WRAPPED_ETL_BIN: BIN,
    ...(opts.defaultLogs ? {} : { LOG_LEVEL: process.env.LOG_LEVEL || 'error' }),
  })
    .map(([k, v]) => `export ${k}=${JSON.stringify(v)}`)
    .join('\n');
  return `set -euo pipefail
cd ${JSON.stringify(tmp.dir)}
${opts.defaultLogs ? 'unset LOG_LEVEL' : ''}
${exports}
npm() { echo "npm $* (not run here)" >&2; }
npx() {
  if [ "$1" != wrapped-etl ]; then echo "npx $1: not this project's command" >&2; return 127; fi
  shift
  node "$WRAPPED_ETL_BIN" "$@" ${(opts.extraArgs ?? []).join(' ')}
}
${body}`;
}

function runBlock(body: string, opts: BlockOptions = {}) {
  const r = spawnSync('bash', ['-c', shellScript(body, opts)], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600_000 });
  if (r.status !== 0) throw new Error(`snippet exited ${r.status}:\n${body}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r;
}

/** Runs python from the data root with PYTHONPATH over `dirs`; its stdout. */
function python(code: string, env: NodeJS.ProcessEnv): string {
  const file = path.join(tmp.dir, 'snippet.py');
  fs.writeFileSync(file, code);
  const r = spawnSync('python3', [file], {
    cwd: tmp.dir,
    env: { ...env, PYTHONDONTWRITEBYTECODE: '1' },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`python exited ${r.status}:\n${code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r.stdout;
}

/** The world `demo`'s records per day, from its day manifests. */
function worldDays(): Record<string, number> {
  const world = new WorldLayout(path.join(tmp.dir, 'data', 'demo'));
  return Object.fromEntries(world.completeDays().map((d) => [d, readManifest(world.day(d).manifestPath).totalRecords]));
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

beforeAll(() => {
  // README's Web UI and schedule commands assume a dev server's default ports: the test gives its own
  expect(README).toMatch(/npx wrapped-etl server {5}# Temporal dev server, Web UI on http:\/\/localhost:8233/);
});
afterAll(async () => {
  for (const s of servers) await s.stop(10_000);
  tmp.cleanup();
}, 60_000);

describe('README.md: every snippet runs as written here, or names the test that mirrors it', () => {
  const runners = new Set(['quick-start', 'inspect', 'server-and-worker', 'schedule', 'world', 'duckdb', 'pandas', 'spark']);

  it('every fenced block carries a marker: a runner of this file, or an existing test that mirrors it', () => {
    expect(snippets.length).toBeGreaterThan(5);
    for (const s of snippets) {
      const where = `README.md:${s.line} (\`\`\`${s.lang})`;
      expect(s.marker, `${where} has neither <!-- tested: NAME --> nor <!-- mirrored by PATH --> above it`).toBeDefined();
      if (s.marker!.tested) expect(runners.has(s.marker!.tested), `${where}: no runner "${s.marker!.tested}" here`).toBe(true);
      else expect(fs.existsSync(path.join(ROOT, s.marker!.mirroredBy!)), `${where}: ${s.marker!.mirroredBy} does not exist`).toBe(true);
    }
    expect(new Set(snippets.map((s) => s.marker?.tested).filter(Boolean))).toEqual(runners);
  });

  it("the docs' markers name tests that exist; their command blocks without one are listed", () => {
    const docs = path.join(ROOT, 'docs');
    const unmarked: string[] = [];
    let marked = 0;
    for (const file of fs.readdirSync(docs).filter((f) => f.endsWith('.md') && f !== 'cli.md')) {
      for (const s of fencedSnippets(fs.readFileSync(path.join(docs, file), 'utf8'), `docs/${file}`)) {
        const where = `docs/${file}:${s.line}`;
        if (s.marker) {
          marked++;
          expect(s.marker.tested, `${where}: docs snippets are mirrored, not run here`).toBeUndefined();
          expect(fs.existsSync(path.join(ROOT, s.marker.mirroredBy!)), `${where}: ${s.marker.mirroredBy} does not exist`).toBe(true);
        } else if (
          ['sh', 'sql', 'python'].includes(s.lang) ||
          /^(npx |wrapped-etl |node |npm |docker |WORKERS=|TEMPORAL_ADDRESS=|WRAPPED_ETL_)/m.test(s.body)
        )
          unmarked.push(where);
      }
    }
    expect(marked).toBeGreaterThan(10);
    console.log(`docs: ${marked} snippets name the test that mirrors them; command blocks no test runs: ${unmarked.join(', ')}`);
  });

  it('quick start: the embedded generate writes the run README describes, reporting through its progress lines only', async () => {
    const [port, uiPort] = [await freePort(), await freePort()];
    const r = runBlock(tested('quick-start'), { extraArgs: ['--port', String(port), '--ui-port', String(uiPort)], defaultLogs: true });
    expect(r.stderr).toContain('npm ci (not run here)');
    // progress and result lines only: no info log lines of the dev server or the worker among them
    expect(r.stderr.split('\n').filter((l) => l.startsWith('{'))).toEqual([]);
    const done = /^Done: (\d+) records in (.+)$/m.exec(r.stdout);
    expect(done, r.stdout).not.toBeNull();
    const runDir = done![2];
    runId = path.basename(runDir);
    expect(path.dirname(runDir)).toBe(path.join(fs.realpathSync(tmp.dir), 'data'));
    expect(fs.readdirSync(path.join(runDir, 'avro'))).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `part-0000${i}.avro`));
    expect(fs.existsSync(path.join(runDir, '_SUCCESS'))).toBe(true);
    const records = readManifest(path.join(runDir, '_manifest.json')).totalRecords;
    expect(Number(done![1])).toBe(records);
    // the figure README gives for this command
    const claimed = /\(([\d,]+) records for 100 users/.exec(README);
    expect(Number(claimed?.[1].replace(/,/g, '')), "README's record count for the quick start").toBe(records);
  }, 600_000);

  it('inspect prints the first records of a part', () => {
    const r = runBlock(tested('inspect').replace('<run>', runId));
    const records = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { user_id: number; listening_time: object });
    expect(records).toHaveLength(3);
    expect(records[0]).toHaveProperty('listening_time.start_time');
  });

  it('server and worker: a run started by workflow type and JSON input (as the Web UI does) waits for the worker, then completes', async () => {
    const [server, worker] = tested('server-and-worker').trim().split('\n');
    const [port, uiPort] = [await freePort(), await freePort()];
    address = `127.0.0.1:${port}`;
    servers.push(
      spawnServer(
        'bash',
        ['-c', shellScript(server, { extraArgs: ['--port', String(port), '--ui-port', String(uiPort)] })],
        path.join(tmp.dir, 'server.log'),
      ),
    );
    await waitForServer(address, 60_000);
    const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
    expect(ui.status).toBe(200);

    // the Web UI's Start Workflow form: task queue, workflow type and JSON input as README names them
    const form = /Task Queue `([^`]+)`, Workflow Type\s+`([^`]+)`, Input `(\{[^`]*\})`/.exec(README);
    expect(form, 'README names the Web UI form fields').not.toBeNull();
    const [, taskQueue, workflowType, readmeInput] = form!;
    expect(JSON.parse(readmeInput)).toHaveProperty('users');
    const connection = await connectionTo(address);
    try {
      const client = new Client({ connection });
      // a smaller input of the same shape than README's 1000 users
      const handle = await client.workflow.start(workflowType, {
        taskQueue,
        workflowId: 'from-the-web-ui',
        args: [{ users: 3, sessionsPerUser: 2, runId: 'from-the-web-ui' }],
      });
      await new Promise((r) => setTimeout(r, 1500));
      const before = await handle.describe();
      expect(before.status.name).toBe('RUNNING');
      expect((await handle.fetchHistory()).events?.some((e) => e.workflowTaskCompletedEventAttributes)).toBe(false);

      servers.push(
        spawnServer('bash', ['-c', shellScript(worker, { env: { TEMPORAL_ADDRESS: address } })], path.join(tmp.dir, 'worker.log')),
      );
      await handle.result();
      // "its data root is its working directory"
      expect(fs.existsSync(path.join(tmp.dir, 'data', 'from-the-web-ui', '_SUCCESS'))).toBe(true);
    } finally {
      await connection.close();
    }
  }, 300_000);

  it('schedule: the nightly schedule is created on that server', () => {
    const env = { TEMPORAL_ADDRESS: address };
    runBlock(tested('schedule'), { env });
    const described = runBlock('npx wrapped-etl schedule describe nightly --json', { env });
    expect(described.stdout).toContain('0 2 * * *');
    runBlock('npx wrapped-etl schedule delete nightly', { env });
  });

  it('world: create and advance seven days through that worker, AVRO and Parquet per day', () => {
    runBlock(tested('world'), { env: { TEMPORAL_ADDRESS: address } });
    expect(Object.keys(worldDays())).toEqual(['01', '02', '03', '04', '05', '06', '07'].map((d) => `2025-01-${d}`));
    for (const f of ['avro', 'parquet']) expect(fs.readdirSync(path.join(tmp.dir, 'data', 'demo', f))).toHaveLength(7);
  }, 600_000);

  it("DuckDB: the SQL reads the world's Parquet parts with dt as a date column", async () => {
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    try {
      await db.run(`SET file_search_path = '${tmp.dir}'`);
      const result = await db.runAndReadAll(tested('duckdb'));
      expect(result.columnNames()).toEqual(['dt', 'user_location_country', 'streams']);
      expect(result.columnTypes().map(String)).toEqual(['DATE', 'VARCHAR', 'BIGINT']);
      expect(result.getRows()).toHaveLength(10);
    } finally {
      db.closeSync();
    }
  });

  it('pandas with fastavro: interactions over every day of the world', ({ skip }) => {
    const missing = ensurePythonTools() ?? ensurePipPackage(PANDAS);
    if (missing) skip(missing);
    const out = python(tested('pandas'), { ...process.env, PYTHONPATH: [pythonToolsDir(), pipPackageDir(PANDAS)].join(path.delimiter) });
    const counts = Object.fromEntries([...out.matchAll(/^(\w+)\s+(\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
    expect(Object.keys(counts)).toEqual(expect.arrayContaining(['played', 'skipped']));
    expect(sum(Object.values(counts))).toBe(sum(Object.values(worldDays())));
  }, 300_000);

  it("Spark with spark-avro: the world's AVRO folder with dt as a column", ({ skip }) => {
    const missing = ensureEngineTools();
    if (missing) skip(missing);
    const jar = fs.readdirSync(avroReaderLibsDir()).find((f) => f.startsWith('spark-avro_2.13-'))!;
    // what `pyspark --packages ...spark-avro...` gives the snippet: `spark`, with spark-avro (from Maven Central, as a local jar)
    const preamble = `from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[2]").config("spark.jars", ${JSON.stringify(path.join(avroReaderLibsDir(), jar))})
    .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
    .getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
`;
    const out = python(preamble + tested('spark') + 'spark.stop()\n', enginePythonEnv());
    expect(out).toMatch(/\|\s*dt\|country\|count\|/);
    expect(out).toMatch(/\|2025-01-0[1-7]\|\s*[A-Z]{2}\|\s*\d+\|/);
  }, 600_000);
});
