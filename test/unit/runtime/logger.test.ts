import { Writable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sdkLogLevel, sdkLogTo } from '../../../cli/temporal/worker';
import { logLevelFromEnv } from '../../../src/runtime/log-level';
import { createLogger } from '../../../src/runtime/logger';

/** A logger at info whose JSON lines land in `lines`. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger(sink).child({}, { level: 'debug' }), lines };
}

const sdkEntry = (message: string, meta: Record<string, unknown>) => ({ level: 'WARN' as const, message, meta, timestampNanos: 0n });

describe('logged errors', () => {
  it("show the SDK's failed activity with its type, message (causes included) and stack", () => {
    const { log, lines } = capturingLogger();
    const cause = new Error('Request timed out');
    sdkLogTo(log)(
      sdkEntry('Activity failed', {
        error: new Error('topic wf: could not read where each partition stopped', { cause }),
        durationMs: 5400,
      }),
    );
    const [line] = lines;
    expect(line).toMatchObject({ sdk: true, msg: 'Activity failed', durationMs: 5400 });
    const error = line.error as Record<string, string>;
    expect(error.type).toBe('Error');
    expect(error.message).toContain('could not read where each partition stopped');
    expect(error.message).toContain('Request timed out');
    expect(error.stack).toMatch(/^Error: topic wf: could not read[^]*logger\.test\.ts[^]*caused by: Error: Request timed out/);
  });

  it("keep an ApplicationFailure's own type next to its class", () => {
    const { log, lines } = capturingLogger();
    sdkLogTo(log)(
      sdkEntry('Workflow failed', {
        error: ApplicationFailure.nonRetryable('invalid input: users: must be a whole number', 'InvalidInput'),
      }),
    );
    expect(lines[0].error).toMatchObject({
      type: 'ApplicationFailure',
      failureType: 'InvalidInput',
      message: 'invalid input: users: must be a whole number',
      nonRetryable: true,
    });
  });

  it('show our own `err` fields the same way', () => {
    const { log, lines } = capturingLogger();
    log.error({ err: Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }) }, 'shard failed');
    expect(lines[0].err).toMatchObject({ type: 'Error', message: 'ENOSPC: no space left on device, write', code: 'ENOSPC' });
    expect((lines[0].err as { stack: string }).stack).toContain('logger.test.ts');
  });
});

describe('LOG_LEVEL', () => {
  const saved = process.env.LOG_LEVEL;
  afterEach(() => {
    if (saved === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = saved;
    vi.restoreAllMocks();
  });

  it('names a level, in any case; unset or empty means the default', () => {
    process.env.LOG_LEVEL = ' Debug ';
    expect(logLevelFromEnv()).toBe('debug');
    process.env.LOG_LEVEL = '';
    expect(logLevelFromEnv()).toBeUndefined();
  });

  it('that is not a level is said on stderr and ignored, instead of failing every command at start', () => {
    const said = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    process.env.LOG_LEVEL = 'verbose';
    expect(logLevelFromEnv()).toBeUndefined();
    expect(String(said.mock.calls[0]?.[0])).toContain('LOG_LEVEL=verbose is not a log level');
  });

  it("sets the SDK's level: error keeps its failed-activity warnings out, debug lets its details in", () => {
    expect(sdkLogLevel('error', 'WARN')).toBe('ERROR');
    expect(sdkLogLevel('silent', 'WARN')).toBe('ERROR');
    expect(sdkLogLevel('info', 'ERROR')).toBe('WARN');
    expect(sdkLogLevel('debug', 'WARN')).toBe('DEBUG');
    expect(sdkLogLevel(undefined, 'ERROR')).toBe('ERROR');
  });
});
