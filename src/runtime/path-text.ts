import { InputError } from '../domain/errors';

/** Longest path the input may name, in bytes (Linux allows 4096; no dataset needs more). */
const MAX_PATH_BYTES = 1024;
/** Longest name of one folder or file, in bytes (NAME_MAX of common filesystems). */
const MAX_NAME_BYTES = 255;

/** What makes `p` a path no filesystem call could take (a NUL byte, too long), or undefined. */
export function pathProblem(p: string): string | undefined {
  if (p.includes('\0')) return 'contains a NUL byte, which no path can hold';
  const bytes = Buffer.byteLength(p);
  if (bytes > MAX_PATH_BYTES) return `is ${bytes} bytes long; a path may have at most ${MAX_PATH_BYTES}`;
  const long = p.split(/[\\/]/).find((part) => Buffer.byteLength(part) > MAX_NAME_BYTES);
  if (long !== undefined) {
    return `has a name of ${Buffer.byteLength(long)} bytes ("${long.slice(0, 20)}..."); one folder or file name may have at most ${MAX_NAME_BYTES}`;
  }
  return undefined;
}

/**
 * Fails at once, naming `field`, on a path no filesystem call could take: empty, a NUL
 * byte, longer than MAX_PATH_BYTES or with a component longer than MAX_NAME_BYTES.
 */
export function checkPathText(field: string, p: unknown): asserts p is string {
  if (typeof p !== 'string' || p.trim() === '') throw new InputError(field, `must be a path, got ${JSON.stringify(p)}`);
  const problem = pathProblem(p);
  if (problem !== undefined) throw new InputError(field, problem);
}
