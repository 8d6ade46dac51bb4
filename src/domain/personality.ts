/** The 16 listening personalities of docs/personalities.md, on four axes. */

export type Axis = 'FE' | 'TN' | 'LV' | 'CU';
export const AXES: readonly Axis[] = ['FE', 'TN', 'LV', 'CU'];

/** For each axis, the pole that counts as +1 in axis scores; the other is -1. */
export const POSITIVE_POLE = { FE: 'Familiarity', TN: 'Newness', LV: 'Loyalty', CU: 'Commonality' } as const;
export const NEGATIVE_POLE = { FE: 'Exploration', TN: 'Timelessness', LV: 'Variety', CU: 'Uniqueness' } as const;

/** How strongly each axis pole drives behaviour, 0..1 (the input's axisStrength). */
export interface AxisStrength {
  familiarity: number;
  newness: number;
  loyalty: number;
  commonality: number;
}

export interface Personality {
  name: string;
  /** +1 for the positive pole of the axis, -1 for the negative one */
  poles: Record<Axis, 1 | -1>;
}

const F = 1,
  E = -1,
  N = 1,
  T = -1,
  L = 1,
  V = -1,
  C = 1,
  U = -1;

function p(name: string, fe: 1 | -1, tn: 1 | -1, lv: 1 | -1, cu: 1 | -1): Personality {
  return { name, poles: { FE: fe, TN: tn, LV: lv, CU: cu } };
}

export const PERSONALITIES: readonly Personality[] = [
  p('The early adopter', E, N, V, C),
  p('The nomad', E, N, L, U),
  p('The specialist', F, N, V, U),
  p('The enthusiast', F, N, L, C),
  p('The connoisseur', F, T, L, C),
  p('The deep diver', F, T, V, U),
  p('The fanclubber', F, N, V, C),
  p('The top charter', E, T, L, C),
  p('The replayer', F, T, L, U),
  p('The jukeboxer', F, T, V, C),
  p('The voyager', E, N, L, C),
  p('The devotee', F, N, L, U),
  p('The maverick', E, T, L, U),
  p('The time traveler', E, T, V, U),
  p('The musicologist', E, T, V, C),
  p('The adventurer', E, N, V, U),
] as const;

const byPoles = new Map(PERSONALITIES.map((x) => [poleKey(x.poles), x]));

function poleKey(poles: Record<Axis, 1 | -1>): string {
  return AXES.map((a) => (poles[a] > 0 ? '+' : '-')).join('');
}

export function personalityByName(name: string): Personality | undefined {
  return PERSONALITIES.find((x) => x.name === name);
}

/** The personality whose poles are the signs of the given axis scores (score >= 0 is the positive pole). */
export function personalityFromScores(scores: Record<Axis, number>): Personality {
  const poles = Object.fromEntries(AXES.map((a) => [a, scores[a] >= 0 ? 1 : -1])) as Record<Axis, 1 | -1>;
  return byPoles.get(poleKey(poles))!;
}
