import * as fs from 'node:fs';
import type { GenerationParams } from '../config/generation-input';
import { DamagedFile } from '../domain/errors';
import { writeFileAtomic } from '../runtime/atomic-file';
import { BrokenSeal, parseSealedJson, sealedJson } from '../runtime/json-file';
import type { RunLayout } from './run-layout';

/** Records the params a run folder holds (sealed: a changed byte is found on reading). */
export function writeRunParams(layout: RunLayout, params: GenerationParams): void {
  writeFileAtomic(layout.paramsPath, sealedJson(params, 2) + '\n');
}

/**
 * The params the run folder records, undefined when there are none. A params file that is not JSON
 * or not what its seal says is DamagedFile: a resume with other params would write other parts.
 */
export function readRunParams(layout: RunLayout): GenerationParams | undefined {
  let text: string;
  try {
    text = fs.readFileSync(layout.paramsPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return parseSealedJson<GenerationParams>(text);
  } catch (err) {
    if (!(err instanceof BrokenSeal)) throw err;
    throw new DamagedFile(
      layout.paramsPath,
      `the run's params: ${err.problem}`,
      'repair: restore it from a copy, or generate again under another runId (without its params the finished parts cannot be resumed)',
    );
  }
}
