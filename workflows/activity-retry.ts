/** The retry policy of every workflow's activities; shard-like steps allow more attempts ({ ...RETRY, maximumAttempts: 10 }). */
export const RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 } as const;
