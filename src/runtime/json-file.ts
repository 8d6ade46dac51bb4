import * as fs from 'node:fs';
import { sha256Of } from './atomic-file';

/** The field of a sealed JSON object that holds the sha256 of the rest of it. */
const SEAL_FIELD = 'contentSha256';

/**
 * `value` as JSON with a last field, contentSha256, the sha256 of the rest of it as compact
 * JSON: any changed byte that leaves the file valid JSON changes the rest or the seal, so it
 * is found on reading (parseSealedJson). `indent` only lays the file out.
 */
export function sealedJson(value: object, indent?: number): string {
  return JSON.stringify({ ...value, [SEAL_FIELD]: sha256Of(JSON.stringify(value)) }, null, indent);
}

/** A sealed JSON text that is not JSON, or whose content is not what its seal says. */
export class BrokenSeal extends Error {
  constructor(readonly problem: string) {
    super(problem);
    this.name = 'BrokenSeal';
  }
}

/**
 * The object of a sealedJson text, without its seal. BrokenSeal when it is not a JSON object or
 * when the rest hashes otherwise than the seal says. A text without a seal (written before
 * checkpoints were sealed) is taken as it is: one changed byte cannot make a sealed text look
 * unsealed and change its content too.
 */
export function parseSealedJson<T>(text: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new BrokenSeal(`it is not JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BrokenSeal('it is not a JSON object');
  const { [SEAL_FIELD]: seal, ...rest } = parsed as Record<string, unknown>;
  if (seal === undefined) return rest as T;
  const actual = sha256Of(JSON.stringify(rest));
  if (actual !== seal) throw new BrokenSeal(`its content hashes to ${actual}, its ${SEAL_FIELD} says ${String(seal)}`);
  return rest as T;
}

/** The sealed JSON file's object, or undefined when it is missing, not JSON or its seal does not check (a checkpoint to compute again). */
export function readSealedJsonIfValid<T>(file: string): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return parseSealedJson<T>(text);
  } catch (err) {
    if (err instanceof BrokenSeal) return undefined;
    throw err;
  }
}
