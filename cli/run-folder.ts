import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from './usage-error';

/** A command reading a finished run says a missing or unfinished folder at once, as a usage error. */
export function requireFinishedRunDir(runDir: string): void {
  if (!fs.existsSync(runDir)) throw new UsageError(`no run folder at ${runDir}`);
  if (!fs.existsSync(path.join(runDir, 'manifest.json')))
    throw new UsageError(`${runDir} holds no manifest.json: not a finished run folder`);
}
