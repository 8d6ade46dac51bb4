import * as fs from 'node:fs';
import { findManifest, MANIFEST_NAME } from '../src/pipeline/run-layout';
import { UsageError } from './usage-error';

/** A command reading a finished run says a missing or unfinished folder at once, as a usage error. */
export function requireFinishedRunDir(runDir: string): void {
  if (!fs.existsSync(runDir)) throw new UsageError(`no run folder at ${runDir}`);
  if (!findManifest(runDir)) throw new UsageError(`${runDir} holds no ${MANIFEST_NAME}: not a finished run folder`);
}
