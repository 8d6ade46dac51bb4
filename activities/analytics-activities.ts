import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { analyzePart, type PartAnalysis } from '../src/analytics/wrapped/analyze-part';
import { createPersonalityInference } from '../src/analytics/wrapped/personality-inference';
import { resolveWrappedInput } from '../src/analytics/wrapped/wrapped-input';
import { writeWrapped, type WrittenWrapped } from '../src/analytics/wrapped/write-wrapped';
import { sha256File, writeFileAtomic } from '../src/files/atomic-file';
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

    /** Analyses one AVRO part into a partial file, unless a partial of the same part exists. */
    async analyzeWrappedPart(ref: WrappedPartRef): Promise<WrappedPartOutcome> {
      const ctx = Context.current();
      const out = partialPath(ref.outDir, ref.part.file);
      if (fs.existsSync(out)) {
        const previous = JSON.parse(fs.readFileSync(out, 'utf8')) as PartAnalysis & { sourceSha256: string };
        if (previous.sourceSha256 === ref.part.sha256) return { part: ref.part.file, users: previous.users.length, records: previous.records, reused: true };
      }
      const file = path.join(ref.runDir, ref.part.file);
      const actual = sha256File(file);
      if (actual !== ref.part.sha256) throw ApplicationFailure.nonRetryable(`${file} does not match the manifest (sha256 ${actual})`, 'PartMismatch');
      const infer = await createPersonalityInference(ref.runDir);
      const analysis = await analyzePart(file, ref.part.file, infer, (records) => ctx.heartbeat({ records }));
      writeFileAtomic(out, JSON.stringify({ sourceSha256: ref.part.sha256, ...analysis }));
      return { part: ref.part.file, users: analysis.users.length, records: analysis.records, reused: false };
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
