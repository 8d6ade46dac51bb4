import * as net from 'node:net';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStreamActivities, type StreamPlan } from '../../../activities/stream-activities';
import { MAX_PARTITIONS, resolveStreamInput } from '../../../src/config/stream-input';
import { resolveWorldInput } from '../../../src/config/world-input';
import { createWorld } from '../../../src/pipeline/world-store';
import { runCli } from '../../helpers/cli-process';
import { makeTmpDir } from '../../helpers/tmp-dir';

const tmp = makeTmpDir('wrapped-etl-broker-limit-');

/** A port on 127.0.0.1 nothing listens on: every connection to it is refused. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('a stream whose broker keeps failing', () => {
  let plan: StreamPlan;
  let activities: ReturnType<typeof createStreamActivities>;
  beforeAll(async () => {
    const worldDir = path.join(tmp.dir, 'data', 'w');
    await createWorld(worldDir, resolveWorldInput({ name: 'w', users: 10, start: '2025-01-01', catalog: ['synthetic:200'] }));
    const broker = `127.0.0.1:${await closedPort()}`;
    process.env.WRAPPED_ETL_KAFKA_ALLOW = broker;
    activities = createStreamActivities({ dataRoot: tmp.dir });
    plan = { ...resolveStreamInput({ world: 'w', brokers: [broker], topic: 'listens' }), worldDir };
  });
  afterAll(() => {
    delete process.env.WRAPPED_ETL_KAFKA_ALLOW;
    tmp.cleanup();
  });

  const attempt = (n: number) =>
    new MockActivityEnvironment({
      attempt: n,
      retryPolicy: { maximumAttempts: 10, initialInterval: 1000, maximumInterval: 60_000, backoffCoefficient: 2 },
      scheduledTimestampMs: Date.now() - 250_000,
      workflowExecution: { workflowId: 'stream-w', runId: 'r' },
    })
      .run(activities.streamNextDay, { plan, from: null })
      .then(
        () => undefined,
        (err: unknown) => err as ApplicationFailure,
      );

  it('says which attempt failed while retries remain, then fails for good at the limit, naming it and the time spent', async () => {
    const early = await attempt(3);
    expect(early).toBeInstanceOf(ApplicationFailure);
    expect(early).toMatchObject({ nonRetryable: false, type: 'StreamAttemptFailed' });
    expect(early!.message).toMatch(/^streaming w into listens, attempt 3 of 10: /);

    const last = await attempt(10);
    expect(last).toMatchObject({ nonRetryable: true, type: 'StreamRetriesExhausted' });
    expect(last!.message).toMatch(
      /^streaming w into listens failed 10 times in 4\.\d min, the stream's retry limit \(10 attempts, 1 s to 60 s apart\); last error: /,
    );
  });

  it(`bounds partitions at ${MAX_PARTITIONS} in the one schema the CLI, the Web UI and schedules share`, async () => {
    expect(() => resolveStreamInput({ world: 'w', brokers: ['k:9092'], topic: 't', partitions: 10_000 })).toThrow(
      `invalid input: partitions: must be between 1 and ${MAX_PARTITIONS}, got 10000`,
    );
    const cli = await runCli(['stream', 'w', '--brokers', 'k:9092', '--topic', 't', '--partitions', '10000'], {
      WRAPPED_ETL_DATA_ROOT: tmp.dir,
    });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain(`invalid input: partitions: must be between 1 and ${MAX_PARTITIONS}, got 10000`);
  });
});
