import type { Song } from '../catalog/song';
import { cityLocation } from '../geo/cities';
import { dateToEpochMs, type GenerationParams } from '../params/generation-input';
import { SeededRandom } from '../random/seeded-random';
import type { PopulationModel, UserProfile } from '../users/user-profile';
import type { ListeningRecord } from './listening-record';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const INTERACTIONS = ['played', 'paused', 'skipped', 'repeated', 'added_to_playlist'] as const;

export interface SimulationContext {
  params: GenerationParams;
  songs: Song[];
  population: PopulationModel;
}

/** All listening events of one user, in time order, from the user's own random stream. */
export function* simulateUser(ctx: SimulationContext, user: UserProfile): Generator<ListeningRecord> {
  const { params, songs } = ctx;
  const rng = new SeededRandom(params.seed, 'user-sessions', user.userId);
  const from = dateToEpochMs(params.from);
  const days = Math.round((dateToEpochMs(params.to) - from) / DAY) + 1;
  const slot = (days * DAY) / params.sessionsPerUser;
  const [minH, maxH] = params.sessionHours;
  for (let s = 0; s < params.sessionsPerUser; s++) {
    const slotStart = from + s * slot;
    const length = Math.min(rng.uniform(minH, maxH) * HOUR, slot);
    let t = Math.floor(slotStart + rng.next() * (slot - length));
    const end = t + length;
    const place = params.travelShare > 0 && rng.chance(params.travelShare) ? ctx.population.travelCity(rng, user.home) : user.home;
    const location = cityLocation(place);
    while (t < end) {
      const song = songs[rng.int(0, songs.length - 1)];
      const interaction = INTERACTIONS[rng.weightedIndex([60, 8, 20, 7, 5])];
      const lengthMs = song.length_seconds * 1000;
      const listened =
        interaction === 'skipped' ? rng.uniform(2000, lengthMs * 0.3)
        : interaction === 'paused' ? rng.uniform(0.2, 0.8) * lengthMs
        : interaction === 'repeated' ? lengthMs * rng.uniform(1.5, 3)
        : lengthMs * rng.uniform(0.95, 1);
      const stop = t + Math.round(listened);
      yield {
        user_id: user.userId,
        user_location: location,
        interaction,
        song_name: song.title,
        artist: song.artist,
        genre: song.genre,
        year: song.year,
        popularity: song.popularity,
        danceability: song.danceability,
        energy: song.energy,
        length_seconds: song.length_seconds,
        listening_time: { start_time: t, end_time: stop },
        personality: user.personality,
      };
      t = stop + rng.int(0, 3000);
    }
  }
}
