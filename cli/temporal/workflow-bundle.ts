import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../src/runtime/atomic-file';
import { codeDigest } from '../../src/runtime/code-digest';

/** The workflows' entry module: index.js when compiled, index.ts when run from sources (tests). */
export const WORKFLOWS_PATH = path.join(__dirname, '../../workflows', `index${path.extname(__filename)}`);

/** Written by `npm run build` next to the compiled code: dist/workflow-bundle.js and its digest. */
export const WORKFLOW_BUNDLE_PATH = path.join(__dirname, '../../workflow-bundle.js');
const DIGEST_PATH = `${WORKFLOW_BUNDLE_PATH}.sha256`;

/**
 * What the bundle is built from: the compiled workflow modules (which import nothing
 * but @temporalio/workflow, types and each other) and the workflow SDK's version.
 */
function workflowSourcesDigest(): string {
  return codeDigest([{ dir: path.dirname(WORKFLOWS_PATH), include: (f) => f.endsWith('.js') }], ['@temporalio/workflow']);
}

/**
 * The bundle built at build time, when this is compiled code and the bundle matches
 * the workflow modules beside it; otherwise undefined (the worker bundles at start-up,
 * as it must when running from sources).
 */
export function prebuiltWorkflowBundle(): { codePath: string } | undefined {
  if (path.extname(__filename) !== '.js' || !fs.existsSync(WORKFLOW_BUNDLE_PATH) || !fs.existsSync(DIGEST_PATH)) return undefined;
  return fs.readFileSync(DIGEST_PATH, 'utf8').trim() === workflowSourcesDigest() ? { codePath: WORKFLOW_BUNDLE_PATH } : undefined;
}

/** Bundles the workflow code once, at build time, so that no worker start pays ~2 s for webpack. */
export async function writeWorkflowBundle(): Promise<void> {
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  writeFileAtomic(WORKFLOW_BUNDLE_PATH, code);
  writeFileAtomic(DIGEST_PATH, workflowSourcesDigest() + '\n');
}

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error };

if (require.main === module) {
  writeWorkflowBundle().then(
    () => process.stdout.write(`workflow bundle: ${path.relative(process.cwd(), WORKFLOW_BUNDLE_PATH)}\n`),
    (err) => {
      process.stderr.write(`workflow bundle failed: ${(err as Error).stack}\n`);
      process.exit(1);
    },
  );
}
