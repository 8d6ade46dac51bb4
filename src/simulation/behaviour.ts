import type { AxisStrength } from '../domain/personality';
import { personalityByName, type Axis } from '../domain/personality';

/**
 * Each axis is a choice made on every pick between the user's pole and the opposite
 * one. With strength s (0..1) the user takes the positive pole's side with probability
 * (1 + pole * s) / 2: 0.5 (no preference) at s = 0, always its own pole at s = 1.
 */
export interface Tendencies {
  /** F/E: for a song new to the user, the chance it is by an artist the user already played */
  knownArtist: number;
  /** T/N: the chance a new song comes from the newer half of the catalog released by then */
  newerHalf: number;
  /** L/V: the chance a pick replays a song from the user's own history: REPLAY_AT_NO_PREFERENCE * (1 + pole * s) */
  replay: number;
  /** C/U: the chance a new song comes from the more popular half of the catalog */
  popularHalf: number;
  poles: Record<Axis, 1 | -1>;
  strength: AxisStrength;
}

/**
 * The replay chance without preference (s = 0). Below 1/2, so that a listener's top song
 * stays a small share of their plays; at the default strength 0.85 Loyalty replays 78%
 * of picks and Variety 6% (docs/realism.md).
 */
const REPLAY_AT_NO_PREFERENCE = 0.42;

export function tendencies(personalityName: string, strength: AxisStrength): Tendencies {
  const personality = personalityByName(personalityName);
  if (!personality) throw new Error(`unknown personality "${personalityName}"`);
  const { poles } = personality;
  const side = (pole: 1 | -1, s: number) => (1 + pole * s) / 2;
  return {
    knownArtist: side(poles.FE, strength.familiarity),
    newerHalf: side(poles.TN, strength.newness),
    replay: REPLAY_AT_NO_PREFERENCE * (1 + poles.LV * strength.loyalty),
    popularHalf: side(poles.CU, strength.commonality),
    poles,
    strength,
  };
}
