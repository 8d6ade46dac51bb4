import { INTERACTIONS, type Interaction } from '../domain/listening-record';
import type { Tendencies } from './behaviour';
import type { SeededRandom } from './seeded-random';
import { SECOND_MS } from '../domain/time-units';
import { deviceClass, type DeviceClass } from './devices';
import { mix32 } from './seasons';

/**
 * Default weights, calibrated so that about 48.6% of all streams end before the song
 * does (skipped or paused), as in Spotify plays (Lamere, "The Skip", 2014); see docs/realism.md.
 */
const DEFAULT_INTERACTION_WEIGHTS: Record<Interaction, number> = {
  played: 40,
  skipped: 44,
  paused: 6,
  repeated: 6,
  added_to_playlist: 6,
};

/**
 * How much more (or less) streams end early on each kind of device: mobile 51% against
 * desktop 40% of streams ended early in the same 2014 data; factors on the skipped and
 * paused weights, relative to the default mix (other devices in between).
 */
const EARLY_END_ODDS: Record<DeviceClass, number> = { mobile: 1.13, desktop: 0.72, other: 0.88 };

const EARLY: ReadonlySet<Interaction> = new Set(['skipped', 'paused']);

/**
 * The weights of one user's interactions, for songs new to the user and for replays,
 * per kind of device: the base weights (defaults, or the `interactions` input), times
 * personality and context factors. Exploration skips more and Familiarity less;
 * Loyalty repeats more and Variety less; new songs are skipped and saved to playlists
 * more than replays. A base weight of 0 stays 0.
 *
 * `repeated` is drawn first and on its own (repeatChance): it replays the song just
 * played to the end, as its own stream. The other interactions are drawn for the song picked.
 */
export class InteractionModel {
  private readonly cumulative = new Map<string, Float64Array>();
  private readonly repeat: Record<DeviceClass, number>;

  constructor(base: Record<string, number> | null, t: Tendencies) {
    const w = (name: Interaction) => (base ? (base[name] ?? 0) : DEFAULT_INTERACTION_WEIGHTS[name]);
    const fe = t.poles.FE * t.strength.familiarity;
    const lv = t.poles.LV * t.strength.loyalty;
    const personal: Record<Interaction, number> = {
      played: 1,
      paused: 1,
      skipped: 1 - 0.4 * fe,
      repeated: 1 + 0.8 * lv,
      added_to_playlist: 1 + 0.3 * fe,
    };
    const forNew: Record<Interaction, number> = { played: 1, paused: 1, skipped: 1.2, repeated: 1, added_to_playlist: 1.6 };
    const forReplay: Record<Interaction, number> = { played: 1, paused: 1, skipped: 0.7, repeated: 1, added_to_playlist: 0.4 };
    const weight = (name: Interaction, context: Record<Interaction, number>, device: DeviceClass) =>
      w(name) * personal[name] * context[name] * (EARLY.has(name) ? EARLY_END_ODDS[device] : 1);
    const classes: DeviceClass[] = ['mobile', 'desktop', 'other'];
    for (const device of classes) {
      for (const [key, context] of [
        ['new', forNew],
        ['replay', forReplay],
      ] as const) {
        const out = new Float64Array(INTERACTIONS.length);
        let sum = 0;
        INTERACTIONS.forEach((name, i) => (out[i] = sum += name === 'repeated' ? 0 : weight(name, context, device)));
        this.cumulative.set(`${device}/${key}`, out);
      }
    }
    const total = (device: DeviceClass) => INTERACTIONS.reduce((s, name) => s + weight(name, forReplay, device), 0);
    this.repeat = Object.fromEntries(classes.map((d) => [d, total(d) > 0 ? weight('repeated', forReplay, d) / total(d) : 0])) as Record<
      DeviceClass,
      number
    >;
  }

  /** The chance that the stream after one played to the end replays the same song. */
  repeatChance(device: string): number {
    return this.repeat[deviceClass(device)];
  }

  /** The interaction with the song picked (never `repeated`; see repeatChance). */
  draw(rng: SeededRandom, replay: boolean, device: string): Interaction {
    const c = this.cumulative.get(`${deviceClass(device)}/${replay ? 'replay' : 'new'}`)!;
    const total = c[c.length - 1];
    if (!(total > 0)) return 'played';
    const r = rng.next() * total;
    for (let i = 0; i < c.length - 1; i++) if (r < c[i]) return INTERACTIONS[i];
    return INTERACTIONS[c.length - 1];
  }
}

/**
 * When an early end happens, as a share of all early ends (Lamere 2014: of the 48.6% of
 * streams ended early, 24 points end within 5 s and 11 more within 30 s; after the first
 * ~20 s the rate is flat until the end).
 */
const WITHIN_5S = 0.24 / 0.486;
const WITHIN_30S = 0.3505 / 0.486;

/** How long a stream that ends early lasts, in ms: mostly within seconds, then flat to the song's end. */
function earlyEndMs(lengthMs: number, rng: SeededRandom): number {
  const u = rng.next();
  const last = lengthMs - SECOND_MS;
  let ms: number;
  if (u < WITHIN_5S) ms = 500 + rng.next() * 4_500;
  else if (u < WITHIN_30S) ms = 5_000 + 25_000 * Math.pow(rng.next(), 1.3);
  else ms = 30_000 + rng.next() * Math.max(0, last - 30_000);
  return Math.round(Math.min(ms, last));
}

/**
 * How long the stream lasts, in ms, agreeing with the interaction and the song's length:
 * skipped and paused end early (earlyEndMs); played, repeated and added_to_playlist play
 * the whole song (its whole seconds and `extraMs`). Never longer than the song.
 */
export function listeningMs(interaction: Interaction, lengthSeconds: number, rng: SeededRandom, extraMs = 0): number {
  const length = lengthSeconds * SECOND_MS + extraMs;
  return EARLY.has(interaction) ? earlyEndMs(length, rng) : length;
}

/**
 * The milliseconds a song lasts beyond its whole seconds (0-999): catalogs give lengths in
 * whole seconds, recordings are not, and a stream played to the end lasts the recording's
 * length to the millisecond. Fixed per song.
 */
export function extraMsOf(song: number): number {
  return mix32(song, 0x6d73) % 1000;
}

/** The pause before the next stream: a couple of seconds, or after a pause up to ten minutes. */
export function gapAfterMs(interaction: Interaction, rng: SeededRandom): number {
  if (interaction === 'paused') return Math.round(10 * SECOND_MS + Math.min(590 * SECOND_MS, -Math.log(1 - rng.next()) * 90 * SECOND_MS));
  return Math.floor(rng.next() * 3 * SECOND_MS);
}
