import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UsageError } from './usage-error';

/** `--out -` means standard output: the file is written aside, then streamed out whole. */
export const STDOUT = '-';

/** Binary data is not for a terminal: say how to redirect instead of printing it. */
export function refuseTerminal(command: string, what: string): void {
  if (process.stdout.isTTY)
    throw new UsageError(`--out - would write ${what} to the terminal; redirect it (> FILE) or give --out FILE`, command);
}

/** Runs `write` against a temporary file, then copies that file to stdout and removes it. */
export async function viaStdout<T>(name: string, write: (file: string) => T | Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapped-etl-out-'));
  try {
    const result = await write(path.join(dir, name));
    await pipeline(fs.createReadStream(path.join(dir, name)), process.stdout, { end: false });
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
