import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../cli/temporal/worker';
import { RunLayout } from '../../src/pipeline/run-layout';
import { sha256File } from '../../src/runtime/atomic-file';
import { progressQuery, type GenerationProgress } from '../../workflows/contracts';

export const BIN = path.resolve(__dirname, '../../bin/wrapped-etl.js');

/** A `wrapped-etl worker` process, as an operator would run it. */
export interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

export function spawnWorker(opts: { address: string; taskQueue: string; dataRoot: string; env?: Record<string, string> }): WorkerProcess {
  const child = spawn(process.execPath, [BIN, 'worker', '--address', opts.address, '--threads', '2'], {
    env: { ...process.env, WRAPPED_ETL_TASK_QUEUE: opts.taskQueue, WRAPPED_ETL_DATA_ROOT: opts.dataRoot, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => out };
}

/** SIGKILLs the worker processes still running among `workers` (emptying the list) and waits until all have exited. */
export async function killWorkers(workers: WorkerProcess[]): Promise<void> {
  for (const w of workers.splice(0)) {
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await w.exited;
  }
}

/** Runs the CLI to completion (in `opts.cwd` if given); resolves with its exit code and output (its stdout goes to `opts.stdoutFile` instead when given). */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  opts: { stdoutFile?: string; cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const out = opts.stdoutFile === undefined ? 'pipe' : fs.openSync(opts.stdoutFile, 'w');
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', out, 'pipe'],
    });
    if (typeof out === 'number') fs.closeSync(out);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Polls the progress query until `until` holds (a worker must be running). */
export async function waitForProgress(
  handle: WorkflowHandle,
  until: (p: GenerationProgress) => boolean,
  timeoutMs = 60_000,
): Promise<GenerationProgress> {
  const deadline = Date.now() + timeoutMs;
  let last: GenerationProgress | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(progressQuery);
      if (until(last)) return last;
    } catch {
      // no worker has picked the workflow up yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`progress did not get there in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

/** sha256 per AVRO part file as the manifest records it (by key, e.g. avro/part-00000.avro), checked against the files' real bytes. */
export function partHashes(outDir: string): Record<string, string> {
  const layout = new RunLayout(outDir);
  const manifest = JSON.parse(fs.readFileSync(layout.manifestPath, 'utf8')) as { parts: { file: string; sha256: string }[] };
  const avroDir = layout.formatDir('avro');
  const files = fs
    .readdirSync(avroDir)
    .filter((f) => f.startsWith('part-') && f.endsWith('.avro'))
    .sort()
    .map((f) => path.relative(outDir, path.join(avroDir, f)));
  if (files.join() !== manifest.parts.map((p) => p.file).join())
    throw new Error(`parts on disk ${files.join()} != manifest ${manifest.parts.map((p) => p.file).join()}`);
  return Object.fromEntries(files.map((f) => [f, sha256File(path.join(outDir, f))]));
}

/** Every run of a workflow id, oldest first, following continue-as-new back from the latest. */
export async function historiesOfChain(client: Client, workflowId: string): Promise<temporal.api.history.v1.IHistory[]> {
  const chain: temporal.api.history.v1.IHistory[] = [];
  let runId: string | undefined;
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    chain.unshift(history);
    const previous = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) return chain;
    runId = previous;
  }
}

/** The activities each run of a workflow id's chain scheduled, by type name, oldest run first. */
export async function activitiesPerRun(client: Client, workflowId: string): Promise<string[][]> {
  return (await historiesOfChain(client, workflowId)).map((h) =>
    (h.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter((n): n is string => !!n),
  );
}

/** The most generateShard activities scheduled and not yet closed at any point of one history. */
export function maxShardsInFlight(history: temporal.api.history.v1.IHistory): number {
  const open = new Set<string>();
  let max = 0;
  for (const e of history.events ?? []) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'generateShard') {
      open.add(String(e.eventId));
      max = Math.max(max, open.size);
    }
    const closed =
      e.activityTaskCompletedEventAttributes ??
      e.activityTaskFailedEventAttributes ??
      e.activityTaskTimedOutEventAttributes ??
      e.activityTaskCanceledEventAttributes;
    if (closed) open.delete(String(closed.scheduledEventId));
  }
  return max;
}

/** What each completed generateShard activity of a workflow id's chain returned (reused: a valid checkpoint kept its part). */
export async function shardOutcomes(client: Client, workflowId: string): Promise<{ shard: number; reused: boolean }[]> {
  const outcomes: { shard: number; reused: boolean }[] = [];
  for (const history of await historiesOfChain(client, workflowId)) {
    const scheduled = new Map<string, string>();
    for (const e of history.events ?? []) {
      const s = e.activityTaskScheduledEventAttributes;
      if (s) scheduled.set(String(e.eventId), s.activityType?.name ?? '');
      const done = e.activityTaskCompletedEventAttributes;
      if (done && scheduled.get(String(done.scheduledEventId)) === 'generateShard')
        outcomes.push(JSON.parse(Buffer.from(done.result!.payloads![0].data!).toString()));
    }
  }
  return outcomes;
}

/** Inode and mtime of each AVRO part file of the run in `outDir`, keyed as partHashes keys them: a part rewritten (renamed into place anew) changes both. */
export function partIdentities(outDir: string): Record<string, string> {
  const avroDir = new RunLayout(outDir).formatDir('avro');
  if (!fs.existsSync(avroDir)) return {};
  return Object.fromEntries(
    fs
      .readdirSync(avroDir)
      .filter((f) => f.startsWith('part-') && f.endsWith('.avro'))
      .sort()
      .map((f) => {
        const st = fs.statSync(path.join(avroDir, f), { bigint: true });
        return [path.relative(outDir, path.join(avroDir, f)), `${st.ino}:${st.mtimeNs}`];
      }),
  );
}

/** partIdentities of the parts whose shard checkpoint is written: those a resume must keep as they are. */
export function checkpointedParts(outDir: string): [string, string][] {
  const layout = new RunLayout(outDir);
  return Object.entries(partIdentities(outDir)).filter(([f]) =>
    fs.existsSync(layout.partCheckpointPath(Number(/part-(\d+)\.avro$/.exec(f)![1]))),
  );
}

/** Replays every history of these workflow ids' chains against the current workflow code; returns the failures. */
export async function replayFailures(client: Client, workflowIds: string[]): Promise<string[]> {
  const histories = [];
  for (const workflowId of workflowIds) {
    for (const history of await historiesOfChain(client, workflowId)) histories.push({ workflowId, history });
  }
  if (histories.length === 0) return ['no histories to replay'];
  const failures: string[] = [];
  for await (const r of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH }, histories)) {
    if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
  }
  return failures;
}

/**
 * SIGKILLs a worker process the moment one of its part files appears under a temporary name in `outDir`
 * (inotify through fs.watch, and a poll), so the kill lands mid-write; returns the temp files seen.
 * The caller checks which are still there: those a dead writer left.
 */
export async function killWhileWriting(w: WorkerProcess, outDir: string, timeoutMs = 60_000): Promise<string[]> {
  const pid = w.child.pid!;
  const ours = new RegExp(`^\\.?part-\\d+\\.\\w+\\.[0-9a-f]{8}-${pid}-\\d+-[0-9a-f]{8}\\.tmp$`);
  return new Promise<string[]>((resolve, reject) => {
    const finish = (result: string[] | Error) => {
      watcher.close();
      clearInterval(poll);
      clearTimeout(timer);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const check = () => {
      const writing = fs.readdirSync(outDir).filter((f) => ours.test(f));
      if (writing.length === 0) return;
      w.child.kill('SIGKILL');
      finish(writing.map((f) => path.join(outDir, f)));
    };
    const timer = setTimeout(() => {
      w.child.kill('SIGKILL');
      finish(new Error(`no part of worker ${pid} was being written in ${outDir} within ${timeoutMs} ms`));
    }, timeoutMs);
    const watcher = fs.watch(outDir, (_event, name) => {
      if (name && ours.test(name)) check();
    });
    const poll = setInterval(check, 2);
    check();
  });
}
