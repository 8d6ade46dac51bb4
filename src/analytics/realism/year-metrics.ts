import { DAY_MS } from '../../domain/time-units';
import { MOBILE_DEVICES, DESKTOP_DEVICES, type RealismTally } from './realism-tally';
import { metric, near, quantile, ratio, type Metric } from './scorecard';
import type { YearTally } from './year-tally';
import { zipfTopShare } from '../../simulation/popularity-law';
import { HOLIDAY_PEAK_SHARE } from '../../simulation/seasons';
import { UNSTREAMED_MIN_CATALOG, UNSTREAMED_SHARE } from '../../simulation/catalog-index';

/**
 * What the run must keep of the law's concentration (docs/realism.md, "Where the run falls
 * short of the law"): below the law's shares at the run's size, which the personalities keep
 * it from reaching; the 1,000-user defaults minus the spread between seeds at 100 users. Replays
 * that lose the big acts, or new songs that lose the head of the curve, fall below them.
 */
export const CONCENTRATION_FLOOR = { top1pctArtists: 0.3, top10pctArtists: 0.58, top10pctSongs: 0.45 } as const;

/** What the scorecard adds beside its metrics: the playback mix and transitions, the holiday share by week, streams by month. */
export interface YearDetail {
  playback: { reasonStart: Record<string, number>; reasonEnd: Record<string, number>; transitions: Record<string, number> };
  /** holiday share of streams by week of the run (weeks with streams, in order): [first day of the week, share] */
  holidayByWeek: [string, number][];
  /** streams by UTC month, January first, as a share of the mean month */
  months: number[];
}

const sorted = (m: Map<string, number>) => Object.fromEntries([...m].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)));

/** Streams of the top `fraction` of `counts` (at least the top one) over all. */
function topShare(counts: Iterable<number>, of: number, fraction: number): number | null {
  const values = [...counts].sort((a, b) => b - a);
  const total = values.reduce((a, b) => a + b, 0);
  const head = values.slice(0, Math.max(1, Math.round(of * fraction))).reduce((a, b) => a + b, 0);
  return ratio(head, total);
}

/** Metrics of a whole year of listening: volume, hit concentration, sessions, playback fields, seasons and releases. */
export function yearMetrics(
  t: RealismTally,
  y: YearTally,
  catalogSongs: number,
  catalogArtists: number,
): { metrics: Metric[]; detail: YearDetail } {
  const m: Metric[] = [];
  const users = t.users;
  const months = y.months;

  // volume
  m.push(
    metric(
      'volume.hoursPerUserMonth',
      'listening hours per user and month, mean',
      ratio(t.listenedHours, users.length * months),
      'count',
      'luminate2023listening',
      {
        target: 25,
        min: 15,
        max: 40,
      },
    ),
  );
  m.push(
    metric(
      'volume.hoursPerUserMonthMedian',
      'listening hours per user and month, median user',
      quantile(
        users.map((u) => u.minutes / 60 / months),
        0.5,
      ),
      'count',
      'assumption',
      { min: 5, max: 30 },
    ),
  );
  m.push(
    metric(
      'volume.activeDaysMedian',
      'days with listening per user, median',
      quantile(
        users.map((u) => u.activeDays),
        0.5,
      ),
      'count',
      'assumption',
      { min: 60, max: 250 },
    ),
  );
  m.push(
    metric(
      'volume.activeDaysP90OverP10',
      'days with listening per user, 90th over 10th percentile (heavy and light listeners)',
      quantile(
        users.map((u) => u.activeDays),
        0.9,
      ) /
        quantile(
          users.map((u) => u.activeDays),
          0.1,
        ),
      'ratio',
      'assumption',
      { min: 2 },
    ),
  );

  // concentration against the law at this catalog's size: checked against floors below the law,
  // which the personalities keep the run from reaching (docs/realism.md, "Where the run falls short
  // of the law"); the unplayed share against the published figure
  const lawArtists1 = zipfTopShare(catalogArtists, 0.01);
  const lawArtists10 = zipfTopShare(catalogArtists, 0.1);
  m.push(
    metric(
      'catalog.top1pctArtistShare',
      `streams of the top 1% of the catalog's ${catalogArtists} artists (law: ${(100 * lawArtists1).toFixed(0)}%)`,
      topShare(y.artistStreams.values(), catalogArtists, 0.01),
      'share',
      'alphaData2020',
      { target: lawArtists1, min: CONCENTRATION_FLOOR.top1pctArtists },
    ),
  );
  m.push(
    metric(
      'catalog.top10pctArtistShare',
      `streams of the top 10% of the catalog's artists (law: ${(100 * lawArtists10).toFixed(0)}%)`,
      topShare(y.artistStreams.values(), catalogArtists, 0.1),
      'share',
      'alphaData2020',
      { target: lawArtists10, min: CONCENTRATION_FLOOR.top10pctArtists },
    ),
  );
  const lawSongs10 = zipfTopShare(catalogSongs, 0.1);
  m.push(
    metric(
      'catalog.top10pctShare',
      `streams of the top 10% of catalog songs (law: ${(100 * lawSongs10).toFixed(0)}%)`,
      topShare(t.songPlays.values(), catalogSongs, 0.1),
      'share',
      'alphaData2020',
      { target: lawSongs10, min: CONCENTRATION_FLOOR.top10pctSongs },
    ),
  );
  m.push(
    metric(
      'catalog.unplayedShare',
      'catalog songs nobody streamed',
      ratio(catalogSongs - t.songPlays.size, catalogSongs),
      'share',
      'luminate2023yearEnd',
      // a catalog too small to stand for a service's has no songs nobody streams (catalog-index)
      catalogSongs < UNSTREAMED_MIN_CATALOG
        ? { target: UNSTREAMED_SHARE }
        : { target: UNSTREAMED_SHARE, min: UNSTREAMED_SHARE - 0.03, max: 0.5 },
    ),
  );

  // sessions
  const minutes = y.sessionMinutes;
  m.push(
    metric('session.minutesP10', 'session length, 10th percentile (minutes)', quantile(minutes, 0.1), 'minutes', 'zhang2013', { max: 10 }),
  );
  m.push(
    metric('session.minutesP50', 'session length, median (minutes)', quantile(minutes, 0.5), 'minutes', 'zhang2013', { min: 8, max: 60 }),
  );
  m.push(
    metric('session.minutesP90', 'session length, 90th percentile (minutes)', quantile(minutes, 0.9), 'minutes', 'zhang2013', { min: 60 }),
  );
  m.push(
    metric(
      'session.shortShare',
      'sessions of 1-2 streams',
      ratio(y.sessionStreams.filter((n) => n <= 2).length, y.sessionStreams.length),
      'share',
      'zhang2013',
      {
        min: 0.05,
        max: 0.5,
      },
    ),
  );
  m.push(
    metric(
      'session.over3hShare',
      'sessions over 3 hours',
      ratio(minutes.filter((x) => x > 180).length, minutes.length),
      'share',
      'zhang2013',
      {
        min: 0.002,
        max: 0.1,
      },
    ),
  );
  m.push(metric('session.gapHoursMedian', 'hours between sessions, median', quantile(y.gapHours, 0.5), 'count', 'zhang2013', null));
  m.push(
    metric(
      'session.gapHoursP90OverMedian',
      'hours between sessions, 90th percentile over median (heavy tail)',
      quantile(y.gapHours, 0.9) / quantile(y.gapHours, 0.5),
      'ratio',
      'zhang2013',
      { min: 3 },
    ),
  );
  const byDevice = (set: ReadonlySet<string>) => minutes.filter((_, i) => set.has(y.sessionDevice[i]));
  const mobile = byDevice(MOBILE_DEVICES);
  const desktop = byDevice(DESKTOP_DEVICES);
  m.push(
    metric(
      'session.mobileOverDesktop',
      'median session minutes, mobile over desktop',
      mobile.length && desktop.length ? quantile(mobile, 0.5) / quantile(desktop, 0.5) : null,
      'ratio',
      'zhang2013',
      { max: 0.95 },
    ),
  );

  // playback fields
  const p = y.playbackStreams || null;
  m.push(metric('playback.reasonEndKinds', 'distinct reason_end values', p && y.reasonEnd.size, 'count', 'assumption', { min: 8 }));
  m.push(metric('playback.reasonStartKinds', 'distinct reason_start values', p && y.reasonStart.size, 'count', 'assumption', { min: 7 }));
  m.push(
    metric(
      'playback.backbtnShare',
      'streams ended with the back button',
      p && ratio(y.reasonEnd.get('backbtn') ?? 0, y.playbackStreams),
      'share',
      'assumption',
      { min: 0.005, max: 0.05 },
    ),
  );
  m.push(
    metric(
      'playback.backbtnReplays',
      'streams started by the back button that replay the song before',
      p && ratio(y.backbtnReplays, y.backbtnStarts),
      'share',
      'assumption',
      { target: 1, min: 0.99 },
    ),
  );
  m.push(
    metric(
      'playback.clickrowMidSession',
      'streams started mid-session by a click on a row',
      p && ratio(y.clickrowMidSession, y.playbackStreams),
      'share',
      'assumption',
      { min: 0.005 },
    ),
  );
  m.push(
    metric(
      'playback.skippedIsFwdbtn',
      '`skipped` streams ended by fwdbtn (Spotify: skipped to the next song; not the same as fwdbtn)',
      p && ratio(y.skippedByFwdbtn, y.skipped),
      'share',
      'assumption',
      {
        min: 0.5,
        max: 0.97,
      },
    ),
  );
  m.push(
    metric(
      'playback.wholeSecondFullPlays',
      'streams played to the end lasting whole seconds (ms_played to the millisecond)',
      ratio(y.wholeSecondFullPlays, y.fullPlays),
      'share',
      'assumption',
      { max: 0.01 },
    ),
  );
  m.push(
    metric('playback.offlineShare', 'streams played offline', p && ratio(y.offline, y.playbackStreams), 'share', 'assumption', {
      min: 0.005,
      max: 0.15,
    }),
  );
  m.push(
    metric(
      'playback.offlineWithoutDownload',
      'offline streams on a device that cannot download (web player, cast)',
      p && ratio(y.offlineWithoutDownload, y.offline),
      'share',
      'assumption',
      { target: 0, max: 0 },
    ),
  );

  // seasons and releases
  const weeks = [...y.weekStreams.keys()].sort((a, b) => a - b);
  const holidayByWeek: [string, number][] = weeks.map((w) => [
    new Date((w * 7 - 3) * DAY_MS).toISOString().slice(0, 10),
    (y.weekHoliday.get(w) ?? 0) / y.weekStreams.get(w)!,
  ]);
  const fullWeeks = holidayByWeek.filter(([,], i) => y.weekStreams.get(weeks[i])! > 0.5 * (t.streams / weeks.length));
  const peak = fullWeeks.length ? Math.max(...fullWeeks.map(([, share]) => share)) : null;
  m.push(
    metric('season.holidayPeakWeek', 'holiday genre, share of streams in its peak week', peak, 'share', 'luminate2024holiday', {
      target: HOLIDAY_PEAK_SHARE,
      min: 0.09,
      max: 0.17,
    }),
  );
  m.push(
    metric(
      'season.holidayJanToOct',
      'holiday genre, share of streams January to October',
      ratio(y.holidayOffSeason, y.offSeason),
      'share',
      'luminate2024holiday',
      { target: 0, max: 0.001 },
    ),
  );
  const monthly = y.monthStreams.map((n, i) => n / new Date(Date.UTC(2001, i + 1, 0)).getUTCDate());
  const present = monthly.filter((n) => n > 0);
  const meanMonth = present.reduce((a, b) => a + b, 0) / (present.length || 1);
  m.push(
    metric(
      'season.monthMaxOverMin',
      'streams per day, busiest month over quietest',
      present.length === 12 ? Math.max(...present) / Math.min(...present) : null,
      'ratio',
      'assumption',
      { min: 1.05, max: 1.4 },
    ),
  );
  m.push(
    metric(
      'season.decemberBusiest',
      'December is the busiest month (1 = yes)',
      present.length === 12 ? (monthly[11] === Math.max(...monthly) ? 1 : 0) : null,
      'count',
      'luminate2024holiday',
      {
        target: 1,
        min: 1,
      },
    ),
  );
  const days = t.hourDow.map((row) => row.reduce((a, b) => a + b, 0));
  m.push(
    metric(
      'time.sundayOverFriday',
      'streams on Sundays over Fridays (local time)',
      ratio(days[6], days[4]),
      'ratio',
      'luminate2023weekday',
      near(0.85, 0.08),
    ),
  );
  m.push(
    metric(
      'release.fridayShare',
      'streamed songs whose release date is a Friday; schema v2',
      ratio(y.releaseFridays, y.releaseDates),
      'share',
      'luminate2023weekday',
      { target: 1, min: 1 },
    ),
  );
  m.push(
    metric(
      'release.firstWeeksOverNext',
      'streams of songs 0-6 weeks after release over 6-12 weeks after; schema v2',
      y.releaseDates ? ratio(y.releaseAge[0], y.releaseAge[1]) : null,
      'ratio',
      'assumption',
      {
        min: 1.2,
      },
    ),
  );

  return {
    metrics: m,
    detail: {
      playback: { reasonStart: sorted(y.reasonStart), reasonEnd: sorted(y.reasonEnd), transitions: sorted(y.transitions) },
      holidayByWeek,
      months: monthly.map((n) => (meanMonth > 0 ? n / meanMonth : 0)),
    },
  };
}
