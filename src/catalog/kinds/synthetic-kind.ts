import { SourceError } from '../source-error';
import type { SourceKind } from '../source-kind';
import { DEFAULT_SYNTHETIC_SONGS, syntheticCatalog } from '../synthetic';

/** synthetic:N — N made-up songs from the run seed (default DEFAULT_SYNTHETIC_SONGS). */
export const syntheticKind: SourceKind = {
  argument: 'N',
  namesFile: false,
  read(spec, arg, tally, ctx) {
    const n = arg === '' ? DEFAULT_SYNTHETIC_SONGS : Number(arg);
    if (!Number.isInteger(n) || n < 1 || n > 5_000_000)
      throw new SourceError(spec, 'synthetic:N needs a whole number of songs from 1 to 5000000');
    for (const song of syntheticCatalog(n, ctx.seed, ctx.currentYear)) tally.keep(song);
    return Promise.resolve();
  },
};
