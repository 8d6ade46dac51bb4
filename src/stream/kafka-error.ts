/**
 * Kafka client errors as text and by kind, without loading the client (the stream's activities
 * load it only once a stream runs).
 */

/** An error of the Kafka client with the broker's own error codes, which it keeps in nested errors. */
export function kafkaErrorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const nested = (err as Error & { errors?: unknown[] }).errors;
  const details = Array.isArray(nested) ? nested.map(nestedText) : [];
  return details.length > 0 ? `${err.message} (${[...new Set(details)].join('; ')})` : err.message;
}

function nestedText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const { apiId, serverErrorMessage } = e as Error & { apiId?: string; serverErrorMessage?: string | null };
  return apiId ? `${apiId}: ${serverErrorMessage ?? e.message}` : e.message;
}

/** True when the broker answered with an error it says no retry fixes (INVALID_PARTITIONS, POLICY_VIOLATION, ...). */
export function brokerRefused(err: unknown): boolean {
  const nested = (err as { errors?: unknown[] })?.errors;
  const all = [err, ...(Array.isArray(nested) ? nested : [])] as { apiId?: string; canRetry?: boolean }[];
  return all.some((e) => typeof e?.apiId === 'string' && e.canRetry === false);
}

/** The broker refused what the stream asked (a topic it will not create): no retry helps. */
export class BrokerRefused extends Error {
  override name = 'BrokerRefused';
}
