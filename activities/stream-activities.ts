import * as fs from 'node:fs';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { confineUnderRoot, dataRoot, resolveRunDir } from '../src/runtime/data-root';
import { resolveStreamInput, type StreamRequest } from '../src/config/stream-input';
import { InputError } from '../src/domain/errors';
import { dateToEpochMs } from '../src/domain/time-units';
import { WorldLayout } from '../src/pipeline/world-layout';
import { logger } from '../src/runtime/logger';
import { KafkaAllowList } from '../src/stream/kafka-allow-list';
import type { StreamProgress } from '../src/stream/stream-world';
import { claimOwnedChecked, releaseOwned, RunOwnedElsewhere } from '../src/pipeline/run-owner';
import { streamOfTopic } from '../src/stream/stream-owner';
import { temporalHolderAlive } from './holder-alive';
import { kafkaErrorText } from '../src/stream/kafka-error';

/** A checked stream: the validated request and the world's folder under the worker's data root. */
export interface StreamPlan extends StreamRequest {
  worldDir: string;
}

export interface StreamDayOutcome {
  /** the day published, or null when no complete day was waiting */
  day: string | null;
  sent: number;
  /** events found in the topic already (a retried or resumed day) */
  skipped: number;
}

function invalidInput(err: unknown): never {
  if (err instanceof InputError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidInput', { field: err.field });
  throw err;
}

function currentWorkflowId(): string {
  const id = Context.current().info.workflowExecution?.workflowId;
  if (!id) throw new Error('a stream activity must run for a workflow');
  return id;
}

/** Another streamer holds (world, topic): refused at once, naming it. */
function streamBusy(err: unknown): never {
  if (err instanceof RunOwnedElsewhere)
    throw ApplicationFailure.nonRetryable(`${err.message}; one stream per world and topic: wait until it ends, or stop it`, 'StreamBusy');
  throw err;
}

/** Failures no retry fixes, by error name. */
const PERMANENT = ['TopicRetentionError', 'BrokerRefused', 'DamagedFile', 'DamagedPart'];

const seconds = (ms: number) => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 60_000).toFixed(1)} min`);

/**
 * A failure a retry may fix (a broker away, a timeout), said with its attempt and the limit: on the
 * last attempt the workflow's retry policy allows, a non-retryable failure naming the attempts made
 * and the time they took, so the stream ends saying why instead of "failed after its retries".
 */
export function retriedFailure(what: string, err: unknown): ApplicationFailure {
  const info = Context.current().info;
  const max = info.retryPolicy?.maximumAttempts;
  const text = kafkaErrorText(err);
  if (max && info.attempt >= max) {
    const policy = info.retryPolicy!;
    const spacing = `${seconds(Number(policy.initialInterval ?? 1000))} to ${seconds(Number(policy.maximumInterval ?? 60_000))} apart`;
    return ApplicationFailure.nonRetryable(
      `${what} failed ${max} times in ${seconds(Date.now() - info.scheduledTimestampMs)}, the stream's retry limit (${max} attempts, ${spacing}); last error: ${text}`,
      'StreamRetriesExhausted',
    );
  }
  return ApplicationFailure.retryable(`${what}, attempt ${info.attempt}${max ? ` of ${max}` : ''}: ${text}`, 'StreamAttemptFailed');
}

export function createStreamActivities(deps: { dataRoot?: string }) {
  const root = () => deps.dataRoot ?? dataRoot();
  const allowList = KafkaAllowList.fromEnv();

  /** Everything a starter controls, checked: the world under the data root, brokers and registry on the worker's allow-list. */
  function checked(plan: StreamPlan | StreamRequest, worldDir?: string): StreamPlan {
    try {
      if (typeof plan !== 'object' || plan === null) throw new InputError('plan', 'not a stream plan');
      const request = resolveStreamInput({
        world: plan.world,
        out: plan.out,
        brokers: plan.brokers,
        topic: plan.topic,
        speed: plan.speed,
        partitions: plan.partitions,
        follow: plan.follow,
        pollSeconds: plan.pollSeconds,
        ...(plan.from !== null && { from: plan.from }),
        ...(plan.schemaRegistry !== null && { schemaRegistry: plan.schemaRegistry }),
      });
      const dir = resolveRunDir(root(), request.out, request.world);
      if (worldDir !== undefined && (typeof worldDir !== 'string' || confineUnderRoot(root(), 'world', worldDir) !== dir)) {
        throw new InputError('world', `${JSON.stringify(worldDir)} is not the folder of world ${request.world} under the data root`);
      }
      if (!fs.existsSync(new WorldLayout(dir).definitionPath))
        throw new InputError('world', `no world ${request.world} in ${request.out} (no world.json): create it first`);
      allowList.checkBrokers(request.brokers);
      if (request.schemaRegistry) allowList.checkRegistry(request.schemaRegistry);
      return { ...request, worldDir: dir };
    } catch (err) {
      invalidInput(err);
    }
  }

  return {
    /** Validates a stream input against the worker's data root and Kafka allow-list. */
    async planStream(args: { input: unknown }): Promise<StreamPlan> {
      let plan: StreamPlan;
      try {
        plan = checked(resolveStreamInput(args.input));
      } catch (err) {
        invalidInput(err);
      }
      // one streamer per (world, topic) from here until the workflow ends (releaseStream), across its continuations
      await claimOwnedChecked(streamOfTopic(plan.worldDir, plan.topic), currentWorkflowId(), { holderAlive: temporalHolderAlive() }).catch(
        streamBusy,
      );
      return plan;
    },

    /** Gives (world, topic) up when the stream workflow ends, whichever way. */
    async releaseStream(args: { plan: StreamPlan }): Promise<void> {
      const plan = checked(args?.plan, args?.plan?.worldDir);
      releaseOwned(streamOfTopic(plan.worldDir, plan.topic), currentWorkflowId());
    },

    /**
     * Publishes the next complete day not yet fully in the topic (from `from` when given), exactly
     * once: a retry after a crash or a killed worker resumes from the topic's tails.
     */
    async streamNextDay(args: { plan: StreamPlan; from: string | null }): Promise<StreamDayOutcome> {
      const plan = checked(args?.plan, args?.plan?.worldDir);
      if (args.from !== null && (typeof args.from !== 'string' || Number.isNaN(dateToEpochMs(args.from))))
        invalidInput(new InputError('from', `must be a day YYYY-MM-DD, got ${JSON.stringify(args.from)}`));
      const ctx = Context.current();
      let progress: StreamProgress | undefined;
      // paced streams sleep between events: the heartbeat goes on regardless
      const heartbeat = setInterval(() => ctx.heartbeat(progress), 3000);
      try {
        // the Kafka client loads only when a stream runs: every other worker start would pay ~0.8 s for it
        const { streamWorld } = await import('../src/stream/stream-world');
        const result = await streamWorld({
          worldDir: plan.worldDir,
          brokers: plan.brokers,
          topic: plan.topic,
          ...(args.from !== null && { from: args.from }),
          speed: plan.speed,
          ...(plan.schemaRegistry !== null && { schemaRegistry: plan.schemaRegistry }),
          partitions: plan.partitions,
          maxDays: 1,
          signal: ctx.cancellationSignal,
          owner: { id: currentWorkflowId(), holderAlive: temporalHolderAlive() },
          onProgress: (p) => (progress = p),
        });
        const day = result.days[0] ?? null;
        if (day)
          logger.info({ world: plan.world, topic: plan.topic, day, sent: result.sent, skipped: result.skipped }, 'world day streamed');
        return { day, sent: result.sent, skipped: result.skipped };
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw new CancelledFailure('stream cancelled');
        if (err instanceof RunOwnedElsewhere) streamBusy(err);
        // no retry brings deleted messages back, changes a broker's refusal or mends a damaged file (by name: the Kafka client loads lazily)
        if (err instanceof Error && PERMANENT.includes(err.name)) throw ApplicationFailure.nonRetryable(err.message, err.name);
        throw retriedFailure(`streaming ${plan.world} into ${plan.topic}`, err);
      } finally {
        clearInterval(heartbeat);
      }
    },
  };
}

export type StreamActivities = ReturnType<typeof createStreamActivities>;
