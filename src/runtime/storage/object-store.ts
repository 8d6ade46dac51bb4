import type { Readable } from 'node:stream';

/**
 * Where a run or a world lives: a folder on disk or a bucket prefix (s3://bucket/prefix).
 * Keys are '/'-separated and relative to the store's root; `storeKeyProblem` says which are refused.
 * Every reader of parts and checkpoints and every writer of outputs goes through this interface,
 * so the pipeline never asks which kind of store it has.
 */
export interface ObjectStore {
  /** the store's root as a user names it (a folder path or s3://bucket/prefix), for messages */
  readonly location: string;
  /** the whole object; fails naming the key when it is missing */
  read(key: string): Promise<Buffer>;
  /** the object as a stream (parts larger than memory should be read this way) */
  readStream(key: string): Readable;
  /** size of the object and a text that changes whenever the object is written again (mtime, ETag), or undefined when there is none */
  stat(key: string): Promise<{ bytes: number; version: string } | undefined>;
  /** keys below `prefix` ('' for all), sorted, as complete objects only (never a writer's temporary) */
  list(prefix: string): Promise<string[]>;
  /** a writer whose object appears under `key` only once commit() returns (temp file + rename, or a completed multipart upload) */
  writer(key: string): Promise<ObjectWriter>;
  /** writes `data` at `key` unless something is there already; true when this call wrote it */
  putIfAbsent(key: string, data: Uint8Array): Promise<boolean>;
  delete(key: string): Promise<void>;
}

export interface ObjectWriter {
  write(chunk: Uint8Array): Promise<void>;
  /** makes the object visible under its key; returns its size and sha256 (hex) */
  commit(): Promise<{ bytes: number; sha256: string }>;
  /** drops what was written; nothing appears under the key */
  abort(): Promise<void>;
}

/** Why `key` may not name an object below a store's root, or undefined when it may. */
export function storeKeyProblem(key: string): string | undefined {
  if (key === '') return 'is empty';
  if (key.startsWith('/')) return 'is absolute; keys are relative to the store';
  if (key.includes('\\')) return 'contains a backslash';
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(key)) return 'contains a control, format or line-separator character';
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(key))
    return 'contains a lone UTF-16 surrogate (not valid Unicode)';
  // fullwidth dots and solidi (U+FF0E, U+FF0F), ligatures and the like read as other keys once a server or
  // filesystem normalises them: only keys that NFKC leaves unchanged are taken
  if (key.normalize('NFKC') !== key) return 'is not in Unicode NFKC form (it could read as another key)';
  if (/%[0-9a-f]{2}/i.test(key)) return 'contains a percent-encoding';
  const parts = key.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return "has an empty, '.' or '..' segment";
  return undefined;
}
