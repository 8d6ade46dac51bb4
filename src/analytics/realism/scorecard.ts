import { MAU_SHARE_BY_REGION, MAU_SOURCE, REGIONS, regionOf, UNAVAILABLE_COUNTRIES } from '../../simulation/markets';
import { PARK_2019_CITATION, PARK_2019_HOUR_DOW } from '../../simulation/park-2019';
import { DESKTOP_DEVICES, MOBILE_DEVICES, type RealismTally } from './realism-tally';

const SOURCES = {
  lamere2014:
    'Lamere, P. (2014). The Skip. Music Machinery blog, May 2014 (Spotify plays: 24% skipped within 5 s, 35.05% within 30 s, 48.6% before the end; 14.65 skips per listening hour; mobile 51% vs desktop 40%)',
  park2019: PARK_2019_CITATION,
  spotifyMau2024: MAU_SOURCE,
  lastfmSessions: 'session studies on Last.fm listening logs: a gap of more than 20 minutes starts a new session (convention)',
  zhang2013:
    "Zhang, B., Kreitz, G., Isaksson, M., Ubillos, J., Urdaneta, G., Pouwelse, J. A., Epema, D. (2013). Understanding user behavior in Spotify. IEEE INFOCOM 2013, 220-224 (Spotify logs 2010-2011: session length varies over the day and by device; successive sessions' length and downtime are correlated)",
  alphaData2020:
    'Alpha Data (formerly BuzzAngle), reported by Rolling Stone, September 2020: the top 1% of ~1.6 million artists got 90% of streams, the top 10% got 99.4% (secondary)',
  spotify2018: 'Spotify Technology S.A., F-1 / investor day 2018: ~43,000 of ~3 million artists made 90% of its streams (secondary)',
  luminate2023yearEnd:
    'Luminate, 2023 Year-End Music Report (January 2024): 45.6 million of ~184 million audio tracks (ISRCs) had no stream in 2023; 82.7% had fewer than 1,000 (secondary reports of the report)',
  luminate2023listening:
    'Luminate, Q3 2023 (via secondary reports): US music listeners spend 13.4 hours a week with music; secondary reports quote ~25 hours a month per Spotify user',
  luminate2024holiday:
    'Luminate, "Happy Holidays" (Tuesday Takeaway, December 2024): holiday music rises from November to over 10% of US on-demand audio streams in its peak week near Christmas: 14.3% (week 51, 2020), 13% (week 52, 2023); Luminate, November 2023: it starts the day after Halloween',
  luminate2023weekday:
    'Luminate, Tuesday Takeaway, August 2023 (US on-demand audio, 16 June - 15 August 2023): Friday is the heaviest streaming day, Sunday the lightest at ~85% of Friday; Friday is the standard release day',
  assumption: 'assumption of this project, see docs/realism.md',
} as const;
type SourceKey = keyof typeof SOURCES;

type MetricStatus = 'pass' | 'fail' | 'info' | 'n/a';

/** One line of the scorecard. Shares are fractions 0..1; `min`/`max` bound the accepted values (null: unbounded). */
export interface Metric {
  id: string;
  label: string;
  value: number | null;
  /** the published figure, when there is one */
  target: number | null;
  min: number | null;
  max: number | null;
  unit: 'share' | 'r' | 'minutes' | 'count' | 'ratio' | 'per hour';
  source: SourceKey;
  status: MetricStatus;
}

export interface Scorecard {
  records: number;
  users: number;
  /** true when no metric failed */
  pass: boolean;
  metrics: Metric[];
  /** streams by local weekday (Monday first) x hour, scaled to the published table's mean and spread, and the table */
  hourDow: { run: number[][]; park2019: number[][] };
  sources: typeof SOURCES;
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (pos - lo);
}

export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/**
 * The grid moved onto the reference's scale: the same mean and standard deviation. Unlike
 * min-max scaling, one noisy busiest or quietest hour does not rescale every other.
 */
export function scaledLike(grid: readonly (readonly number[])[], reference: readonly (readonly number[])[]): number[][] {
  const moments = (xs: number[]) => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    return { m, sd: Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length) };
  };
  const g = moments(grid.flat()),
    r = moments(reference.flat());
  return grid.map((row) => row.map((v) => (g.sd > 0 ? r.m + ((v - g.m) * r.sd) / g.sd : r.m)));
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
/** n / d, or null when there is nothing to divide by */
export const ratio = (n: number, d: number) => (d > 0 ? n / d : null);
/** mean of grid cells on the given days (0 = Monday) and hours */
const cells = (grid: readonly (readonly number[])[], days: number[], hours: number[]) =>
  mean(days.flatMap((d) => hours.map((h) => grid[d][h])));
const WEEKDAYS = [0, 1, 2, 3, 4];
const WEEKEND = [5, 6];

export function metric(
  id: string,
  label: string,
  value: number | null,
  unit: Metric['unit'],
  source: SourceKey,
  bounds: { target?: number; min?: number; max?: number } | null,
): Metric {
  const min = bounds?.min ?? null;
  const max = bounds?.max ?? null;
  let status: MetricStatus;
  if (value === null || Number.isNaN(value)) status = 'n/a';
  // no bounds, or a target alone: reported against the target, not checked
  else if (!bounds || (bounds.min === undefined && bounds.max === undefined)) status = 'info';
  else status = (min === null || value >= min) && (max === null || value <= max) ? 'pass' : 'fail';
  return {
    id,
    label,
    value: value === null || Number.isNaN(value) ? null : value,
    target: bounds?.target ?? null,
    min,
    max,
    unit,
    source,
    status,
  };
}

/** target ± tolerance */
export const near = (target: number, tolerance: number) => ({ target, min: target - tolerance, max: target + tolerance });

/**
 * The scorecard of a tallied run. `catalogSongs` is the size of the catalog the run drew
 * from (its checkpoint), for the share of plays going to the top 1% of its songs.
 */
export function buildScorecard(t: RealismTally, catalogSongs: number): Scorecard {
  return finishScorecard(t, firstRoundMetrics(t, catalogSongs));
}

/** The scorecard of these metrics: whether every one is in range. */
export function finishScorecard(t: RealismTally, m: Metric[]): Scorecard {
  const park = PARK_2019_HOUR_DOW.map((row) => [...row]);
  return {
    records: t.streams,
    users: t.users.length,
    pass: m.every((x) => x.status !== 'fail'),
    metrics: m,
    hourDow: { run: scaledLike(t.hourDow, park), park2019: park },
    sources: SOURCES,
  };
}

/** The metrics of the first realism round (skips, daily and weekly curve, sessions, users, markets, devices). */
export function firstRoundMetrics(t: RealismTally, catalogSongs: number): Metric[] {
  const m: Metric[] = [];
  const s = t.streams;
  m.push(metric('skip.within5s', 'streams ended within 5 s', ratio(t.within5s, s), 'share', 'lamere2014', near(0.24, 0.03)));
  m.push(metric('skip.within10s', 'streams ended within 10 s', ratio(t.within10s, s), 'share', 'lamere2014', { min: 0.24, max: 0.3505 }));
  m.push(metric('skip.within30s', 'streams ended within 30 s', ratio(t.within30s, s), 'share', 'lamere2014', near(0.3505, 0.03)));
  m.push(metric('skip.beforeEnd', 'streams ended before the song did', ratio(t.notToEnd, s), 'share', 'lamere2014', near(0.486, 0.03)));
  const hazard0 = ratio(t.lateEarly[0], t.lateAtRisk[0]);
  const hazard1 = ratio(t.lateEarly[1], t.lateAtRisk[1]);
  m.push(
    metric(
      'skip.flatAfter30s',
      'early-end rate 30-90 s over 90-150 s (1 = flat)',
      hazard0 !== null && hazard1 ? hazard0 / hazard1 : null,
      'ratio',
      'lamere2014',
      { target: 1, min: 0.5, max: 2 },
    ),
  );
  m.push(
    metric(
      'skip.perHour',
      'streams ended early per listening hour',
      ratio(t.notToEnd, t.listenedHours),
      'per hour',
      'lamere2014',
      near(14.65, 3),
    ),
  );
  m.push(
    metric('stream.playedToEnd', '"played" streams that play to the end', ratio(t.playedToEnd, t.played), 'share', 'assumption', {
      target: 1,
      min: 0.999,
    }),
  );
  m.push(
    metric('stream.longerThanSong', 'streams longer than their song', ratio(t.longerThanSong, s), 'share', 'assumption', {
      target: 0,
      max: 0,
    }),
  );
  m.push(
    metric(
      'stream.repeatedReplaysPrevious',
      '"repeated" streams replaying the song just played',
      ratio(t.repeatedOfPrevious, t.repeated),
      'share',
      'assumption',
      { target: 1, min: 0.999 },
    ),
  );

  const park = PARK_2019_HOUR_DOW.map((row) => [...row]);
  const run = scaledLike(t.hourDow, park);
  m.push(
    metric(
      'time.hourDowPearson',
      'local hour x weekday of stream starts, Pearson r with the published table',
      s ? pearson(run.flat(), park.flat()) : null,
      'r',
      'park2019',
      { target: 1, min: 0.95 },
    ),
  );
  const contrast = (id: string, label: string, days: number[], hours: number[]) =>
    metric(id, label, s ? cells(run, days, hours) : null, 'ratio', 'park2019', near(cells(park, days, hours), 0.1));
  m.push(contrast('time.weekday07', 'weekday 07:00 activity (scaled)', WEEKDAYS, [7]));
  m.push(contrast('time.weekend07', 'weekend 07:00 activity (scaled)', WEEKEND, [7]));
  m.push(contrast('time.weekendLateNight', 'Saturday and Sunday 00:00-02:59 activity (scaled)', WEEKEND, [0, 1, 2]));
  m.push(contrast('time.weekdayLateNight', 'Monday-Friday 00:00-02:59 activity (scaled)', WEEKDAYS, [0, 1, 2]));
  m.push(contrast('time.weekendNoon', 'weekend 11:00-13:59 activity (scaled)', WEEKEND, [11, 12, 13]));

  m.push(
    metric(
      'session.tracksMedian',
      'streams per session, median (gap > 20 min starts one)',
      quantile(t.sessionTracks, 0.5),
      'count',
      'assumption',
      { min: 5, max: 60 },
    ),
  );
  m.push(
    metric('session.minutesMedian', 'minutes per session, median', quantile(t.sessionMinutes, 0.5), 'minutes', 'assumption', {
      min: 15,
      max: 120,
    }),
  );

  const u = t.users;
  const of = (f: (x: (typeof u)[number]) => number) => u.map(f);
  m.push(
    metric(
      'user.topSongShareMedian',
      "a user's top song, share of their streams, median",
      quantile(
        of((x) => x.topSongShare),
        0.5,
      ),
      'share',
      'assumption',
      { max: 0.08 },
    ),
  );
  m.push(
    metric(
      'user.topSongShareP90',
      "a user's top song, share of their streams, 90th percentile",
      quantile(
        of((x) => x.topSongShare),
        0.9,
      ),
      'share',
      'assumption',
      { target: 0.15, max: 0.15 },
    ),
  );
  m.push(
    metric(
      'user.top10SongShareMedian',
      "a user's top 10 songs, share of their streams, median",
      quantile(
        of((x) => x.top10SongShare),
        0.5,
      ),
      'share',
      'assumption',
      { max: 0.5 },
    ),
  );
  m.push(
    metric(
      'user.topArtistShareMedian',
      "a user's top artist, share of their streams, median",
      quantile(
        of((x) => x.topArtistShare),
        0.5,
      ),
      'share',
      'assumption',
      { max: 0.4 },
    ),
  );
  m.push(
    metric(
      'user.distinctSongsMedian',
      'distinct songs per user, median',
      quantile(
        of((x) => x.distinctSongs),
        0.5,
      ),
      'count',
      'assumption',
      null,
    ),
  );
  m.push(
    metric(
      'user.distinctArtistsMedian',
      'distinct artists per user, median',
      quantile(
        of((x) => x.distinctArtists),
        0.5,
      ),
      'count',
      'assumption',
      null,
    ),
  );
  m.push(
    metric(
      'user.replayShare',
      'streams replaying a song the user streamed before',
      ratio(
        u.reduce((a, x) => a + x.replayShare * x.streams, 0),
        s,
      ),
      'share',
      'assumption',
      null,
    ),
  );
  const loyal = mean(u.filter((x) => x.loyalty > 0).map((x) => x.replayShare));
  const varied = mean(u.filter((x) => x.loyalty < 0).map((x) => x.replayShare));
  m.push(
    metric('user.loyaltyReplayGap', 'replay share, Loyalty users minus Variety users', loyal - varied, 'share', 'assumption', {
      min: 0.15,
    }),
  );

  const streamsSorted = of((x) => x.streams).sort((a, b) => b - a);
  const top10pct = streamsSorted.slice(0, Math.max(1, Math.round(u.length / 10))).reduce((a, b) => a + b, 0);
  m.push(
    metric('volume.top10pctUsersShare', 'streams by the most active 10% of users', ratio(top10pct, s), 'share', 'assumption', {
      min: 0.2,
      max: 0.6,
    }),
  );
  m.push(
    metric(
      'volume.p90OverMedian',
      'streams per user, 90th percentile over median',
      quantile(streamsSorted, 0.9) / quantile(streamsSorted, 0.5),
      'ratio',
      'assumption',
      { min: 1.8 },
    ),
  );
  m.push(
    metric(
      'volume.minutesPerActiveDay',
      'minutes per active day, median user',
      quantile(
        of((x) => x.minutes / x.activeDays),
        0.5,
      ),
      'minutes',
      'assumption',
      { min: 30, max: 150 },
    ),
  );

  const plays = [...t.songPlays.values()].sort((a, b) => b - a);
  const head = plays.slice(0, Math.max(1, Math.round(catalogSongs / 100))).reduce((a, b) => a + b, 0);
  m.push(
    metric('catalog.top1pctShare', 'streams of the top 1% of catalog songs', ratio(head, s), 'share', 'assumption', {
      min: 0.05,
      max: 0.35,
    }),
  );
  m.push(
    metric('catalog.playedShare', 'catalog songs streamed at least once', ratio(plays.length, catalogSongs), 'share', 'assumption', null),
  );

  const unavailable = u.filter((x) => UNAVAILABLE_COUNTRIES.has(x.country)).length;
  m.push(
    metric('market.unavailable', 'users living where the service is not available', ratio(unavailable, u.length), 'share', 'assumption', {
      target: 0,
      max: 0,
    }),
  );
  for (const region of REGIONS) {
    const share = ratio(u.filter((x) => regionOf(x.country) === region).length, u.length);
    m.push(
      metric(
        `market.${region.replace(/ /g, '')}`,
        `users in ${region}`,
        share,
        'share',
        'spotifyMau2024',
        near(MAU_SHARE_BY_REGION[region], 0.06),
      ),
    );
  }

  const devices = [...t.deviceStreams];
  const group = (set: ReadonlySet<string>) =>
    devices
      .filter(([d]) => set.has(d))
      .reduce((a, [, v]) => ({ streams: a.streams + v.streams, notToEnd: a.notToEnd + v.notToEnd }), { streams: 0, notToEnd: 0 });
  const mobile = group(MOBILE_DEVICES),
    desktop = group(DESKTOP_DEVICES);
  m.push(
    metric(
      'device.mobileShare',
      'streams on mobile (android, ios); schema v2',
      devices.length ? ratio(mobile.streams, s) : null,
      'share',
      'assumption',
      null,
    ),
  );
  m.push(
    metric(
      'device.mobileSkip',
      'mobile streams ended before the song did; schema v2',
      ratio(mobile.notToEnd, mobile.streams),
      'share',
      'lamere2014',
      near(0.51, 0.04),
    ),
  );
  m.push(
    metric(
      'device.desktopSkip',
      'desktop streams ended before the song did; schema v2',
      ratio(desktop.notToEnd, desktop.streams),
      'share',
      'lamere2014',
      near(0.4, 0.04),
    ),
  );

  return m;
}
