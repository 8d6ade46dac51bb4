import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { runPartJobInThread } from '../src/analytics/wrapped/run-in-thread';
import { resolveWrappedInput } from '../src/analytics/wrapped/wrapped-input';
import { writeWrapped, type WrittenWrapped } from '../src/analytics/wrapped/write-wrapped';
import { sha256File } from '../src/files/atomic-file';
import { logger } from '../src/log/logger';
import { dataRoot } from '../src/output/data-root';
import { readManifest } from '../src/output/manifest';
import { RunLayout } from '../src/output/run-layout';
import { InputError } from '../src/params/generation-input';

/** What the workflow carries between the Wrapped steps: paths and names only. */
export interface WrappedPlan {
  runId: string;
  runDir: string;
  outDir: string;
  parts: { file: string; sha256: string }[];
  user: number | null;
  parallelism: number;
}

export interface WrappedPartRef {
  runDir: string;
  outDir: string;
  part: { file: string; sha256: string };
}

export interface WrappedPartOutcome {
  part: string;
  users: number;
  records: number;
  reused: boolean;
}

const partialPath = (outDir: string, part: string) => path.join(outDir, '_work', `${path.basename(part, '.avro')}.wrapped.json`);

export function createAnalyticsActivities(deps: { dataRoot?: string } = {}) {
  return {
    /** Validates the input and reads the run's manifest: which parts to analyse. */
    async planWrapped(args: { input: unknown }): Promise<WrappedPlan> {
      try {
        const p = resolveWrappedInput(args.input, deps.dataRoot ?? dataRoot());
        const layout = new RunLayout(p.runDir);
        if (!fs.existsSync(layout.manifestPath)) {
          throw new InputError('run', `${p.runDir} has no manifest.json: not a finished run (generate one with wrapped-etl generate)`);
        }
        const manifest = readManifest(layout.manifestPath);
        if (p.user !== null && p.user > manifest.params.users) {
          throw new InputError('user', `the run has users 1..${manifest.params.users}, got ${p.user}`);
        }
        fs.mkdirSync(path.join(p.outDir, '_work'), { recursive: true });
        logger.child({ runId: manifest.runId, step: 'wrapped' }).info({ outDir: p.outDir, parts: manifest.parts.length }, 'wrapped planned');
        return { runId: manifest.runId, runDir: p.runDir, outDir: p.outDir, parts: manifest.parts.map((x) => ({ file: x.file, sha256: x.sha256 })), user: p.user, parallelism: p.parallelism };
      } catch (err) {
        if (err instanceof InputError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidInput', { field: err.field });
        throw err;
      }
    },

    /** Analyses one AVRO part into a partial file, in a worker thread, unless a partial of the same part exists. */
    async analyzeWrappedPart(ref: WrappedPartRef): Promise<WrappedPartOutcome> {
      const ctx = Context.current();
      const file = path.join(ref.runDir, ref.part.file);
      const actual = sha256File(file);
      if (actual !== ref.part.sha256) throw ApplicationFailure.nonRetryable(`${file} does not match the manifest (sha256 ${actual})`, 'PartMismatch');
      const task = runPartJobInThread(
        { runDir: ref.runDir, file, part: ref.part.file, sha256: ref.part.sha256, partialPath: partialPath(ref.outDir, ref.part.file) },
        (records) => ctx.heartbeat({ records }),
      );
      const heartbeat = setInterval(() => ctx.heartbeat(), 5000);
      ctx.cancellationSignal.addEventListener('abort', () => task.cancel());
      try {
        const r = await task.result;
        return { part: ref.part.file, users: r.users, records: r.records, reused: r.reused };
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw new CancelledFailure(`analysis of ${ref.part.file} cancelled`);
        throw err;
      } finally {
        clearInterval(heartbeat);
      }
    },

    /** Merges the partials into summary.json, users.json, the Parquet files and report.html. */
    async writeWrapped(plan: WrappedPlan): Promise<WrittenWrapped> {
      const written = await writeWrapped({
        outDir: plan.outDir,
        runId: plan.runId,
        runDir: plan.runDir,
        partials: plan.parts.map((p) => partialPath(plan.outDir, p.file)),
        cardUser: plan.user ?? undefined,
      });
      logger.child({ runId: plan.runId, step: 'wrapped' }).info({ users: written.users, records: written.records, outDir: plan.outDir }, 'wrapped written');
      return written;
    },
  };
}

export type AnalyticsActivities = ReturnType<typeof createAnalyticsActivities>;
