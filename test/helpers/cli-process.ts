import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
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
    env: { ...process.env, WRAPPED_ETL_TASK_QUEUE: opts.taskQueue, WRAPPED_ETL_DATA_ROOT: opts.dataRoot, LOG_LEVEL: 'warn', ...opts.env },
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

/** Runs the CLI to completion; resolves with its exit code and output. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
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
