import { InputError } from '../../src/domain/errors';

/** "field: problem" of the InputError `fn` throws, or "accepted" when it throws none; other errors pass through. */
export function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return `${err.field}: ${err.problem}`;
    throw err;
  }
  return 'accepted';
}
