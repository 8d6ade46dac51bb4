import { InputError } from '../../domain/errors';
import { storeKeyProblem } from './object-store';

/** A bucket and a key prefix inside it ('' for the whole bucket; no leading or trailing '/'). */
export interface S3Location {
  bucket: string;
  prefix: string;
}

const S3_SCHEME = 's3://';
/** the worker's list of buckets and bucket/prefix entries that inputs may name, comma-separated */
const S3_ALLOW_ENV = 'WRAPPED_ETL_S3_ALLOW';

/** S3's rules for bucket names (3-63 characters, lowercase letters, digits, '.' and '-', letter or digit at both ends). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** S3 refuses keys longer than this many bytes of UTF-8. */
export const MAX_S3_KEY_BYTES = 1024;

export function isS3Location(text: string): boolean {
  return text.startsWith(S3_SCHEME);
}

/** Why `text` is not an s3://bucket[/prefix] location, or undefined when it is one. */
export function s3LocationProblem(text: string): string | undefined {
  if (!isS3Location(text)) return `must start with ${S3_SCHEME}`;
  const rest = text.slice(S3_SCHEME.length).replace(/\/$/, '');
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    return `has the bucket name "${bucket}"; a bucket name has 3-63 lowercase letters, digits, '.' and '-'`;
  }
  if (slash < 0) return undefined;
  const problem = storeKeyProblem(rest.slice(slash + 1));
  if (problem !== undefined) return `has a prefix that ${problem}`;
  if (Buffer.byteLength(rest.slice(slash + 1)) > MAX_S3_KEY_BYTES / 2) {
    return `has a prefix longer than ${MAX_S3_KEY_BYTES / 2} bytes; the keys below it would pass S3's ${MAX_S3_KEY_BYTES}`;
  }
  return undefined;
}

/** `text` (s3://bucket[/prefix][/]) as a location; an InputError on `field` saying what is wrong with it. */
export function parseS3Location(field: string, text: string): S3Location {
  const problem = s3LocationProblem(text);
  if (problem !== undefined) throw new InputError(field, `"${text}" ${problem}`);
  const rest = text.slice(S3_SCHEME.length).replace(/\/$/, '');
  const slash = rest.indexOf('/');
  return slash < 0 ? { bucket: rest, prefix: '' } : { bucket: rest.slice(0, slash), prefix: rest.slice(slash + 1) };
}

export function s3LocationText(loc: S3Location): string {
  return `${S3_SCHEME}${loc.bucket}${loc.prefix === '' ? '' : `/${loc.prefix}`}`;
}

/** `loc` with `key` appended to its prefix. */
export function s3Child(loc: S3Location, key: string): S3Location {
  return { bucket: loc.bucket, prefix: loc.prefix === '' ? key : `${loc.prefix}/${key}` };
}

/** The entries of WRAPPED_ETL_S3_ALLOW (bucket or bucket/prefix, comma-separated); fails on a malformed entry. */
export function allowedS3Locations(env: string | undefined = process.env[S3_ALLOW_ENV]): S3Location[] {
  if (env === undefined || env.trim() === '') return [];
  return env
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const text = isS3Location(entry) ? entry : `${S3_SCHEME}${entry}`;
      const problem = s3LocationProblem(text);
      // a worker's own setting, not a starter's input: a plain Error that names the variable and the entry
      if (problem !== undefined) throw new Error(`${S3_ALLOW_ENV}: the entry "${entry}" ${problem}`);
      return parseS3Location(S3_ALLOW_ENV, text);
    });
}

/** True when `loc` is `allowed` or lies below it, segment by segment ("data" does not allow "database"). */
export function s3Within(allowed: S3Location, loc: S3Location): boolean {
  if (allowed.bucket !== loc.bucket) return false;
  if (allowed.prefix === '') return true;
  return loc.prefix === allowed.prefix || loc.prefix.startsWith(`${allowed.prefix}/`);
}

/**
 * `text` as a location this worker may read and write: a well-formed s3:// location under one of the
 * WRAPPED_ETL_S3_ALLOW entries. Refuses others at once with an InputError on `field`; the message does not
 * reveal the list (a workflow starter need not learn which buckets the worker may reach).
 */
export function confineS3Location(field: string, text: string, allowed: S3Location[] = allowedS3Locations()): S3Location {
  const loc = parseS3Location(field, text);
  if (allowed.length === 0) {
    throw new InputError(field, `"${text}": this worker may use no bucket (${S3_ALLOW_ENV} is not set on the worker)`);
  }
  if (!allowed.some((a) => s3Within(a, loc))) {
    throw new InputError(field, `"${text}" is not among the buckets and prefixes this worker may use (its ${S3_ALLOW_ENV})`);
  }
  return loc;
}
