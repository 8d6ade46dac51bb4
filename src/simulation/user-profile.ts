import { CityPicker, type City } from './cities';
import { PERSONALITIES, type Personality } from '../domain/personality';
import { AliasTable } from './alias-table';
import { SeededRandom } from './seeded-random';
import { InputError } from '../domain/errors';
import type { SimulationParams } from './simulation-params';

export interface UserProfile {
  userId: number;
  home: City;
  personality: string;
}

/** Everything needed to derive any user's profile from (seed, user id) alone. */
export class PopulationModel {
  private readonly cities: CityPicker;
  private readonly personalityTable: AliasTable;

  constructor(private readonly params: Pick<SimulationParams, 'seed' | 'countries' | 'personalities'>) {
    this.cities = new CityPicker(params.countries);
    const weights = params.personalities;
    if (weights) {
      const unknown = Object.keys(weights).filter((n) => !PERSONALITIES.some((p) => p.name === n));
      if (unknown.length)
        throw new InputError('personalities', `unknown personality "${unknown[0]}"; known: ${PERSONALITIES.map((p) => p.name).join(', ')}`);
    }
    this.personalityTable = new AliasTable(PERSONALITIES.map((p) => (weights ? (weights[p.name] ?? 0) : 1)));
  }

  profile(userId: number): UserProfile {
    const rng = new SeededRandom(this.params.seed, 'user-profile', userId);
    const personality: Personality = PERSONALITIES[this.personalityTable.draw(rng)];
    return { userId, home: this.cities.pick(rng), personality: personality.name };
  }

  /** A city away from home for a travelling session. */
  travelCity(rng: SeededRandom, home: City): City {
    for (let i = 0; i < 20; i++) {
      const c = this.cities.pick(rng);
      if (c.city !== home.city || c.country !== home.country) return c;
    }
    return home;
  }
}
