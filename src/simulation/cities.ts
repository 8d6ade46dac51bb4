import { cityMapping } from 'city-timezones';
import { InputError } from '../domain/errors';
import { AliasTable } from './alias-table';
import { marketCountryWeights } from './markets';
import type { SeededRandom } from './seeded-random';
import type { Location } from '../domain/location';

export interface City {
  city: string;
  country: string;
  latitude: number;
  longitude: number;
  timezone: string;
  population: number;
}

let allCities: City[] | undefined;

/** Cities of the city-timezones database that carry a timezone and a population. */
export function cities(): City[] {
  if (!allCities) {
    allCities = cityMapping
      .filter((c) => c.timezone && c.iso2 && /^[A-Z]{2}$/.test(c.iso2) && c.pop > 0)
      .map((c) => ({
        city: c.city,
        country: c.iso2,
        latitude: c.lat,
        longitude: c.lng,
        timezone: c.timezone,
        population: c.pop,
      }))
      .sort((a, b) =>
        a.country + a.city < b.country + b.city ? -1 : a.country + a.city > b.country + b.city ? 1 : a.population - b.population,
      );
  }
  return allCities;
}

export function knownCountries(): Set<string> {
  return new Set(cities().map((c) => c.country));
}

let defaultWeights: Record<string, number> | undefined;
/** per country: its cities and their population table, built once per thread */
const countryGroups = new Map<string, { cities: City[]; table: AliasTable }>();

function countryGroup(country: string): { cities: City[]; table: AliasTable } {
  if (countryGroups.size === 0) {
    const lists = new Map<string, City[]>();
    for (const c of cities()) {
      let list = lists.get(c.country);
      if (!list) lists.set(c.country, (list = []));
      list.push(c);
    }
    for (const [code, list] of lists) countryGroups.set(code, { cities: list, table: new AliasTable(list.map((c) => c.population)) });
  }
  return countryGroups.get(country)!;
}

/** Where users live by default: the service's markets, weighted by its users per region (geo/markets). */
function defaultCountryWeights(): Record<string, number> {
  if (!defaultWeights) {
    const population = new Map<string, number>();
    for (const c of cities()) population.set(c.country, (population.get(c.country) ?? 0) + c.population);
    defaultWeights = marketCountryWeights(population);
  }
  return defaultWeights;
}

/**
 * Draws a country by its weight (the `countries` input, else defaultCountryWeights),
 * then a city of it by population.
 */
export class CityPicker {
  /** one group per weighted country */
  private readonly groups: { cities: City[]; table: AliasTable }[];
  private readonly countryTable: AliasTable;

  constructor(countryWeights: Record<string, number> | null) {
    if (countryWeights) {
      const known = knownCountries();
      const missing = Object.keys(countryWeights).filter((c) => !known.has(c));
      if (missing.length) throw new InputError('countries', `no city known for ${missing.join(', ')}`);
    } else countryWeights = defaultCountryWeights();
    const entries = Object.entries(countryWeights)
      .filter(([, w]) => w > 0)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    this.groups = entries.map(([code]) => countryGroup(code));
    this.countryTable = new AliasTable(entries.map(([, w]) => w));
  }

  pick(rng: SeededRandom): City {
    const group = this.groups[this.countryTable.draw(rng)];
    return group.cities[group.table.draw(rng)];
  }
}

export function cityLocation(city: City): Location {
  return { latitude: city.latitude, longitude: city.longitude, country: city.country, city: city.city, timezone: city.timezone };
}
