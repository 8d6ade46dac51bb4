import { SeededRandom } from './seeded-random';

/** The devices a stream can be played on (Spotify's export `platform`, simplified). */
const DEVICES = ['android', 'ios', 'windows', 'osx', 'linux', 'web_player', 'cast'] as const;
/** Assumed share of streams by device (see docs/realism.md): 68% mobile, 23% desktop apps, 9% web and cast. */
const DEVICE_WEIGHTS = [38, 30, 12, 9, 2, 6, 3];
/** Share of a user's sessions on their primary device. */
const PRIMARY_DEVICE_SHARE = 0.8;

export type DeviceClass = 'mobile' | 'desktop' | 'other';

export function deviceClass(device: string): DeviceClass {
  if (device === 'android' || device === 'ios') return 'mobile';
  if (device === 'windows' || device === 'osx' || device === 'linux') return 'desktop';
  return 'other';
}

function primaryDevice(seed: number, userId: number): string {
  return DEVICES[new SeededRandom(seed, 'playback-device', userId).weightedIndex(DEVICE_WEIGHTS)];
}

/**
 * The device of one of the user's sessions (numbered among the sessions with streams),
 * from its own stream (seed, user, session): the simulator, schema v2 and the Spotify
 * export all agree on it.
 */
export function sessionDevice(seed: number, userId: number, session: number): { device: string; rng: SeededRandom } {
  const rng = new SeededRandom(seed, 'playback-session', userId, session);
  const device = rng.chance(PRIMARY_DEVICE_SHARE) ? primaryDevice(seed, userId) : DEVICES[rng.weightedIndex(DEVICE_WEIGHTS)];
  return { device, rng };
}
