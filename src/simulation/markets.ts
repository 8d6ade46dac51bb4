/**
 * Where the service is used: the four regions Spotify reports monthly active users
 * (MAUs) for, their shares, and the countries where it is not available. See
 * docs/realism.md for the sources.
 */
export const REGIONS = ['Europe', 'North America', 'Latin America', 'Rest of World'] as const;
export type Region = (typeof REGIONS)[number];

/** Share of MAUs by region, Spotify Q4 2024 (675 million MAUs). */
export const MAU_SHARE_BY_REGION: Readonly<Record<Region, number>> = {
  Europe: 0.27,
  'North America': 0.17,
  'Latin America': 0.22,
  'Rest of World': 0.34,
};

export const MAU_SOURCE =
  'Spotify Technology S.A., Q4 2024 Update (4 Feb 2025): MAUs by region, Europe 27%, North America 17%, Latin America 22%, Rest of World 34%';

/**
 * Countries where the service is not available, so no default user lives there:
 * mainland China, Russia (left in 2022), and the sanctioned Cuba, Iran, North Korea, Syria.
 */
export const UNAVAILABLE_COUNTRIES: ReadonlySet<string> = new Set(['CN', 'RU', 'CU', 'IR', 'KP', 'SY']);

const NORTH_AMERICA = new Set(['US', 'CA']);

const LATIN_AMERICA = new Set(
  (
    'MX GT BZ SV HN NI CR PA CU DO HT JM PR TT BS BB AG DM GD KN LC VC AW CW SX BQ KY TC VG VI AI MS BL MF GP MQ ' +
    'AR BO BR CL CO EC GY PY PE SR UY VE GF FK'
  ).split(' '),
);

const EUROPE = new Set(
  (
    'AL AD AT BY BE BA BG HR CY CZ DK EE FI FR DE GR HU IS IE IT XK LV LI LT LU MT MD MC ME NL MK NO PL PT RO RU SM RS ' +
    'SK SI ES SE CH UA GB VA FO GI GG JE IM AX SJ TR'
  ).split(' '),
);

/** The MAU region of an ISO 3166-1 alpha-2 country code. */
export function regionOf(country: string): Region {
  if (NORTH_AMERICA.has(country)) return 'North America';
  if (LATIN_AMERICA.has(country)) return 'Latin America';
  if (EUROPE.has(country)) return 'Europe';
  return 'Rest of World';
}

/**
 * Default weights of the countries users live in: each region's MAU share, spread over
 * its available countries by their population (the sum of their cities' populations).
 */
export function marketCountryWeights(populationByCountry: ReadonlyMap<string, number>): Record<string, number> {
  const regionTotal = new Map<Region, number>();
  for (const [country, pop] of populationByCountry) {
    if (UNAVAILABLE_COUNTRIES.has(country) || !(pop > 0)) continue;
    const region = regionOf(country);
    regionTotal.set(region, (regionTotal.get(region) ?? 0) + pop);
  }
  const weights: Record<string, number> = {};
  for (const [country, pop] of [...populationByCountry].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (UNAVAILABLE_COUNTRIES.has(country) || !(pop > 0)) continue;
    const region = regionOf(country);
    weights[country] = (MAU_SHARE_BY_REGION[region] * pop) / regionTotal.get(region)!;
  }
  return weights;
}
