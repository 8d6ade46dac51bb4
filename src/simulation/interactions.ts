import { INTERACTIONS, type Interaction } from '../domain/listening-record';
import type { Tendencies } from './behaviour';
import type { SeededRandom } from './seeded-random';

export const DEFAULT_INTERACTION_WEIGHTS: Record<Interaction, number> = {
  played: 60,
  skipped: 20,
  paused: 8,
  repeated: 7,
  added_to_playlist: 5,
};

const SECOND = 1000;

/**
 * The weights of one user's interactions, for songs new to the user and for replays:
 * the base weights (defaults, or the `interactions` input), times personality and
 * context factors. Exploration skips more and Familiarity less; Loyalty repeats more
 * and Variety less; new songs are skipped and saved to playlists more than replays,
 * replays are repeated more. A base weight of 0 stays 0.
 */
export class InteractionModel {
  private readonly cumulativeNew: Float64Array;
  private readonly cumulativeReplay: Float64Array;

  constructor(base: Record<string, number> | null, t: Tendencies) {
    const w = (name: Interaction) => (base ? (base[name] ?? 0) : DEFAULT_INTERACTION_WEIGHTS[name]);
    const fe = t.poles.FE * t.strength.familiarity;
    const lv = t.poles.LV * t.strength.loyalty;
    const personal: Record<Interaction, number> = {
      played: 1,
      paused: 1,
      skipped: 1 - 0.4 * fe,
      repeated: 1 + 0.6 * lv,
      added_to_playlist: 1 + 0.3 * fe,
    };
    const forNew: Record<Interaction, number> = { played: 1, paused: 1, skipped: 1.25, repeated: 0.7, added_to_playlist: 1.6 };
    const forReplay: Record<Interaction, number> = { played: 1, paused: 1, skipped: 0.6, repeated: 1.4, added_to_playlist: 0.4 };
    const cumulative = (context: Record<Interaction, number>) => {
      const out = new Float64Array(INTERACTIONS.length);
      let sum = 0;
      INTERACTIONS.forEach((name, i) => (out[i] = sum += w(name) * personal[name] * context[name]));
      return out;
    };
    this.cumulativeNew = cumulative(forNew);
    this.cumulativeReplay = cumulative(forReplay);
  }

  draw(rng: SeededRandom, replay: boolean): Interaction {
    const c = replay ? this.cumulativeReplay : this.cumulativeNew;
    const r = rng.next() * c[c.length - 1];
    for (let i = 0; i < c.length - 1; i++) if (r < c[i]) return INTERACTIONS[i];
    return INTERACTIONS[c.length - 1];
  }
}

/**
 * How long the event lasts, in ms, agreeing with the interaction and the song's length:
 * skipped a few seconds up to 40% of the song (mostly early), paused 15-85% of it,
 * played and added_to_playlist 95-100%, repeated 1.1 to 3 lengths.
 */
export function listeningMs(interaction: Interaction, lengthSeconds: number, rng: SeededRandom): number {
  const length = lengthSeconds * SECOND;
  switch (interaction) {
    case 'skipped': {
      const lo = Math.min(2 * SECOND, 0.1 * length);
      const u = rng.next();
      return Math.round(lo + (0.4 * length - lo) * u * u);
    }
    case 'paused':
      return Math.round(length * rng.uniform(0.15, 0.85));
    case 'repeated':
      return Math.round(length * rng.uniform(1.1, 3));
    default:
      return Math.round(length * rng.uniform(0.95, 1));
  }
}

/** The pause before the next event: a couple of seconds, or after a pause up to ten minutes. */
export function gapAfterMs(interaction: Interaction, rng: SeededRandom): number {
  if (interaction === 'paused') return Math.round(10 * SECOND + Math.min(590 * SECOND, -Math.log(1 - rng.next()) * 90 * SECOND));
  return Math.floor(rng.next() * 3 * SECOND);
}
