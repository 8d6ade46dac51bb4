import * as fs from 'node:fs';

/** The parsed JSON file, or undefined when it is missing or not JSON (a checkpoint that is not there yet). */
export function readJsonIfPresent<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
