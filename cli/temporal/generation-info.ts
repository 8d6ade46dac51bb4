import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { GenerationInput } from '../../src/config/generation-input';
import { progressQuery, type GenerationMemo, type GenerationProgress } from '../../workflows/contracts';

type GenerationStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELED' | 'TERMINATED' | 'TIMED_OUT';

export interface GenerationInfo {
  workflowId: string;
  status: GenerationStatus;
  progress: GenerationProgress | null;
  outDir: string | null;
  runId: string | null;
  memo: GenerationMemo;
}

function statusOf(name: string): GenerationStatus {
  if (name === 'CANCELLED') return 'CANCELED';
  if (name === 'CONTINUED_AS_NEW') return 'RUNNING';
  if (name === 'COMPLETED' || name === 'FAILED' || name === 'TERMINATED' || name === 'TIMED_OUT' || name === 'RUNNING') return name;
  throw new Error(`unexpected workflow status ${name}`);
}

/** The live progress from the `progress` query, or undefined when no worker answers within the time. */
async function queryProgress(handle: WorkflowHandle, timeoutMs: number): Promise<GenerationProgress | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
  try {
    return await Promise.race([handle.query(progressQuery).catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** State of a generation: the latest run of the workflow id, live progress if a worker answers, else the memo's. */
export async function describeGeneration(client: Client, workflowId: string, queryTimeoutMs = 3000): Promise<GenerationInfo> {
  const handle = client.workflow.getHandle(workflowId);
  const desc = await handle.describe();
  const memo = (desc.memo ?? {}) as GenerationMemo;
  const status = statusOf(desc.status.name);
  const live = status === 'RUNNING' ? await queryProgress(handle, queryTimeoutMs) : undefined;
  return { workflowId, status, progress: live ?? memo.progress ?? null, outDir: memo.outDir ?? null, runId: memo.runId ?? null, memo };
}

/** describeGeneration, failing with a message that names the workflow id and the server when there is no such generation. */
export async function requireGeneration(
  session: { client: Client; address: string },
  workflowId: string,
  queryTimeoutMs?: number,
): Promise<GenerationInfo> {
  return describeGeneration(session.client, workflowId, queryTimeoutMs).catch((err) => {
    if (err instanceof WorkflowNotFoundError) throw new Error(`no generation with workflow id "${workflowId}" on ${session.address}`);
    throw err;
  });
}

/** The input the generation was started with (every run of a continue-as-new chain carries it as its first argument). */
export async function startInput(client: Client, workflowId: string): Promise<GenerationInput> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!started) throw new Error(`the history of ${workflowId} does not start with its start event`);
  const payload = started.input?.payloads?.[0];
  return payload ? ((defaultPayloadConverter.fromPayload(payload) as GenerationInput | undefined) ?? {}) : {};
}
