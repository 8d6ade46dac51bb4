/** A catalog source that cannot be read; `retryable` when trying again later may help (network, 5xx, 429). */
export class SourceError extends Error {
  constructor(
    readonly source: string,
    message: string,
    readonly retryable = false,
  ) {
    super(`${source}: ${message}`);
    this.name = 'SourceError';
  }
}
