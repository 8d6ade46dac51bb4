import { SourceError } from '../source-error';
import type { SourceKind } from '../source-kind';
import { DEFAULT_SYNTHETIC_SONGS, syntheticCatalog } from '../synthetic';

const MAX_SONGS = 5_000_000;

/** synthetic:N — N made-up songs from the run seed (default DEFAULT_SYNTHETIC_SONGS). */
export const syntheticKind: SourceKind = {
  argument: 'N',
  namesFile: false,
  argumentProblem: (arg) =>
    /^[0-9]+$/.test(arg) && Number(arg) >= 1 && Number(arg) <= MAX_SONGS
      ? undefined
      : `N must be a whole number of songs from 1 to ${MAX_SONGS} in decimal digits, got "${arg}"`,
  read(spec, arg, tally, ctx) {
    const problem = arg === '' ? undefined : syntheticKind.argumentProblem!(arg);
    if (problem) throw new SourceError(spec, problem);
    const n = arg === '' ? DEFAULT_SYNTHETIC_SONGS : Number(arg);
    for (const song of syntheticCatalog(n, ctx.seed, ctx.currentYear)) tally.keep(song);
    return Promise.resolve();
  },
};
