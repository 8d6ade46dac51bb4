import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_QUEUE } from '../../../cli/temporal/constants';
import { sha256File } from '../../../src/runtime/atomic-file';
import { WRAPPED_FILES } from '../../../src/analytics/wrapped/write-wrapped';
import { historiesOfChain } from '../../helpers/cli-process';
import { startGenerationStack, type GenerationStack } from '../../helpers/generation-stack';
import { ANALYZE_DATASET, type AnalyzeDatasetWorkflow } from '../../../workflows/contracts';
import type { WrappedInput } from '../../../src/config/wrapped-input';
import { SUGGEST_CONTINUE_AS_NEW_AT } from '../../helpers/temporal-env';

type History = Awaited<ReturnType<typeof historiesOfChain>>[number];

/** The largest input, in bytes, of each activity type and of the workflow's (continued) starts, over a chain of runs. */
function largestInputs(chain: History[]): Record<string, number> {
  const largest: Record<string, number> = {};
  const note = (key: string, payloads: { data?: Uint8Array | null }[] | null | undefined) => {
    const bytes = (payloads ?? []).reduce((s, p) => s + (p.data?.length ?? 0), 0);
    largest[key] = Math.max(largest[key] ?? 0, bytes);
  };
  for (const history of chain) {
    for (const e of history.events ?? []) {
      if (e.workflowExecutionStartedEventAttributes) note('workflow start', e.workflowExecutionStartedEventAttributes.input?.payloads);
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled) note(scheduled.activityType!.name!, scheduled.input?.payloads);
    }
  }
  return largest;
}

describe('analyzeDataset continues as new on a server that suggests it early, with the same Wrapped', () => {
  let plain: GenerationStack;
  let forced: GenerationStack;

  const analyze = (client: Client, workflowId: string, input: object) =>
    client.workflow.execute<AnalyzeDatasetWorkflow>(ANALYZE_DATASET, { taskQueue: TASK_QUEUE, workflowId, args: [input as WrappedInput] });

  /** Generates a run on the plain server and copies it, byte for byte, under the forced server's data root. */
  const runOnBoth = async (name: string, input: object) => {
    const run = await plain.generate(name, input);
    fs.cpSync(run.outDir, path.join(forced.dataRoot, 'data', name), { recursive: true });
  };

  beforeAll(async () => {
    [plain, forced] = await Promise.all([
      startGenerationStack({ taskQueue: TASK_QUEUE, tmpPrefix: 'wr-can-' }),
      startGenerationStack({
        taskQueue: TASK_QUEUE,
        tmpPrefix: 'wr-can-',
        forced: true,
      }),
    ]);
    const small = { shardSize: 2, sessionsPerUser: 2, seed: 9, catalog: ['synthetic:200'] };
    await runOnBoth('wr-many', { ...small, users: 60 });
    // 12 parts: enough history that the forced server suggests continue-as-new however completions batch
    await runOnBoth('wr-few0', { ...small, users: 24 });
  });

  afterAll(async () => {
    await Promise.all([plain?.stop(), forced?.stop()]);
  });

  it('writes the same Wrapped files as a run that never continued as new', async () => {
    const once = await analyze(plain.env.client, 'wr-can-once', { run: 'data/wr-many', user: 5, parallelism: 3 });
    const continued = await analyze(forced.env.client, 'wr-can-continued', { run: 'data/wr-many', user: 5, parallelism: 3 });
    expect(continued).toMatchObject({ users: 60, records: once.records, cardUser: 5 });

    expect(await historiesOfChain(plain.env.client, 'wr-can-once')).toHaveLength(1);
    const chain = await historiesOfChain(forced.env.client, 'wr-can-continued');
    expect(chain.length).toBeGreaterThan(2);
    for (const history of chain) {
      // bounded: the suggestion point plus what the lanes in flight add while draining
      expect(history.events!.length).toBeLessThan(SUGGEST_CONTINUE_AS_NEW_AT + 3 * 6 + 20);
    }
    const analysed = chain.flatMap((h) =>
      h.events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'analyzeWrappedPart'),
    );
    expect(analysed).toHaveLength(30);

    // summary.json names the run folder, which is under each server's own data root
    const text = (file: string, root: string) => fs.readFileSync(file, 'utf8').replaceAll(root, '<data root>');
    for (const key of ['summary', 'users', 'report'] as const) {
      expect(text(continued.files[key], forced.dataRoot), WRAPPED_FILES[key]).toBe(text(once.files[key], plain.dataRoot));
    }
    for (const key of ['usersParquet', 'topItemsParquet', 'hourlyParquet'] as const) {
      expect(sha256File(continued.files[key]), WRAPPED_FILES[key]).toBe(sha256File(once.files[key]));
    }
    expect(fs.readdirSync(path.join(continued.outDir, '_work'))).toHaveLength(30);
  });

  it('keeps every activity input and every continued start the same size whatever the number of parts', async () => {
    await analyze(forced.env.client, 'wr-can-many', { run: 'data/wr-many', parallelism: 2 });
    await analyze(forced.env.client, 'wr-can-few0', { run: 'data/wr-few0', parallelism: 2 });
    const manyChain = await historiesOfChain(forced.env.client, 'wr-can-many');
    const fewChain = await historiesOfChain(forced.env.client, 'wr-can-few0');
    // both continue as new, so 'workflow start' includes a continued start with its carried state
    expect(fewChain.length).toBeGreaterThan(1);
    expect(manyChain.length).toBeGreaterThan(fewChain.length);
    const many = largestInputs(manyChain);
    const few = largestInputs(fewChain);
    expect(Object.keys(many).sort()).toEqual(['analyzeWrappedPart', 'checkPlan', 'planWrapped', 'workflow start', 'writeWrapped']);
    expect(Object.keys(few).sort()).toEqual(['analyzeWrappedPart', 'checkPlan', 'planWrapped', 'workflow start', 'writeWrapped']);
    for (const key of Object.keys(many)) {
      // about 4 times the parts may add a digit or two to the counts they carry, never a list
      expect(many[key], key).toBeLessThanOrEqual(few[key] + 16);
      expect(many[key], key).toBeLessThan(1024);
    }
  });
});
