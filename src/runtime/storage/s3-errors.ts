/** HTTP status of an SDK error, or undefined for errors that never reached the server. */
export function s3Status(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/**
 * What an SDK error says, for a message: its name, HTTP status and text (S3's error code and message), or the
 * network error's code. Never the request: a signed request's headers name the access key.
 */
export function s3ErrorText(err: unknown): string {
  const e = err as { name?: string; code?: string; message?: string } | null;
  const status = s3Status(err);
  const name = e?.code ?? e?.name ?? 'Error';
  // a HEAD answer has no body, so no S3 error code: the SDK calls it Unknown
  if (name === 'Unknown' && status !== undefined) return `HTTP ${status} (the answer carried no S3 error code)`;
  const text = e?.message && e.message !== name ? `: ${e.message}` : '';
  return `${name}${status === undefined ? '' : ` (HTTP ${status})`}${text}`;
}
