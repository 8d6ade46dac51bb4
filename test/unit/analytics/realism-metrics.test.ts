import { describe, expect, it } from 'vitest';
import { PARK_2019_HOUR_DOW } from '../../../src/simulation/park-2019';
import { RealismTally, type RealismRecord } from '../../../src/analytics/realism/realism-tally';
import { buildScorecard, pearson, scaledLike, quantile, type Scorecard } from '../../../src/analytics/realism/scorecard';

const MIN = 60_000;
/** Monday 2025-01-06 00:00 UTC */
const MONDAY = Date.UTC(2025, 0, 6);

let clock = MONDAY + 20 * 60 * MIN;
/** A stream of `listenedS` seconds of a 200 s song, starting `gapS` seconds after the previous one ended. */
function stream(
  song: string,
  listenedS: number,
  o: Partial<RealismRecord> & { gapS?: number; lengthS?: number; artist?: string } = {},
): RealismRecord {
  const start = clock + (o.gapS ?? 1) * 1000;
  clock = start + listenedS * 1000;
  return {
    user_id: o.user_id ?? 1,
    user_location: o.user_location ?? { country: 'SE', timezone: 'UTC' },
    interaction: o.interaction ?? (listenedS >= (o.lengthS ?? 200) ? 'played' : 'skipped'),
    song_name: song,
    artist: o.artist ?? 'A',
    length_seconds: o.lengthS ?? 200,
    listening_time: { start_time: start, end_time: clock },
    personality: o.personality ?? 'The replayer',
    ...(o.device && { device: o.device }),
  };
}

const byId = (card: Scorecard, id: string) => {
  const m = card.metrics.find((x) => x.id === id);
  if (!m) throw new Error(`no metric ${id}`);
  return m;
};

describe('realism metrics on hand-made streams', () => {
  it('skip curve: within 5, 10, 30 s and before the end, counting only streams that stopped early', () => {
    const t = new RealismTally();
    // 10 streams: 2 stop at 3 s, 1 at 8 s, 1 at 20 s, 1 at 100 s, 5 play to the end (one 0.4 s short: rounding)
    t.addUser([
      stream('a', 3),
      stream('b', 3),
      stream('c', 8),
      stream('d', 20),
      stream('e', 100),
      stream('f', 200),
      stream('g', 200),
      stream('h', 199.6),
      stream('i', 200),
      stream('j', 200),
    ]);
    const card = buildScorecard(t, 100);
    expect(byId(card, 'skip.within5s').value).toBeCloseTo(0.2, 10);
    expect(byId(card, 'skip.within10s').value).toBeCloseTo(0.3, 10);
    expect(byId(card, 'skip.within30s').value).toBeCloseTo(0.4, 10);
    expect(byId(card, 'skip.beforeEnd').value).toBeCloseTo(0.5, 10);
    expect(byId(card, 'skip.within5s').status).toBe('fail'); // 20% is outside 24% +- 3
    expect(byId(card, 'skip.beforeEnd').status).toBe('pass');
    // 5 early ends in 3+3+8+20+100 + 4 * 200 + 199.6 s of listening
    expect(byId(card, 'skip.perHour').value).toBeCloseTo(5 / ((134 + 999.6) / 3600), 6);
  });

  it('flat rate after 30 s: early ends per stream still playing, 30-90 s against 90-150 s', () => {
    const t = new RealismTally();
    // 4 streams reach 30 s; 1 ends at 60 s (1/4). 3 reach 90 s; 1 ends at 120 s (1/3). Ratio 0.75.
    t.addUser([stream('a', 60), stream('b', 120), stream('c', 200), stream('d', 200), stream('e', 10)]);
    expect(byId(buildScorecard(t, 10), 'skip.flatAfter30s').value).toBeCloseTo(0.25 / (1 / 3), 10);
  });

  it('stream rules: played to the end, never longer than the song, repeated replays the previous song', () => {
    const t = new RealismTally();
    t.addUser([
      stream('a', 200),
      stream('a', 200, { interaction: 'repeated' }),
      stream('b', 150, { interaction: 'played' }),
      stream('c', 500, { interaction: 'repeated' }),
    ]);
    const card = buildScorecard(t, 10);
    expect(byId(card, 'stream.playedToEnd').value).toBeCloseTo(0.5, 10);
    expect(byId(card, 'stream.repeatedReplaysPrevious').value).toBeCloseTo(0.5, 10);
    expect(byId(card, 'stream.longerThanSong').value).toBeCloseTo(0.25, 10);
    expect(byId(card, 'stream.longerThanSong').status).toBe('fail');
  });

  it('hour x weekday in the local time of the record, scaled like the table, and r = 1 for a run shaped like the table', () => {
    const t = new RealismTally();
    // 03:00 Monday in Stockholm (UTC+1 in January) is 02:00 UTC
    const r = stream('a', 200, { user_location: { country: 'SE', timezone: 'Europe/Stockholm' } });
    r.listening_time = { start_time: MONDAY + 2 * 60 * MIN, end_time: MONDAY + 2 * 60 * MIN + 200_000 };
    t.addUser([r]);
    expect(t.hourDow[0][3]).toBe(1);
    expect(t.hourDow.flat().reduce((a, b) => a + b, 0)).toBe(1);

    const shaped = new RealismTally();
    PARK_2019_HOUR_DOW.forEach((row, d) => row.forEach((v, h) => (shaped.hourDow[d][h] = Math.round(v * 1000) + 7)));
    shaped.streams = shaped.hourDow.flat().reduce((a, b) => a + b, 0);
    expect(buildScorecard(shaped, 1).metrics.find((m) => m.id === 'time.hourDowPearson')!.value).toBeGreaterThan(0.9999);
    expect(
      scaledLike(
        [
          [2, 4],
          [6, 8],
        ],
        [
          [0, 1],
          [2, 3],
        ],
      )
        .flat()
        .map((x) => Math.round(x * 1e9) / 1e9),
    ).toEqual([0, 1, 2, 3]);
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
  });

  it('sessions split at gaps over 20 minutes: streams and minutes per session', () => {
    const t = new RealismTally();
    t.addUser([stream('a', 200), stream('b', 200, { gapS: 0 }), stream('c', 100, { gapS: 21 * 60 }), stream('d', 200, { gapS: 19 * 60 })]);
    expect(t.sessionTracks).toEqual([2, 2]);
    expect(t.sessionMinutes[0]).toBeCloseTo(400 / 60, 10);
    expect(t.sessionMinutes[1]).toBeCloseTo((100 + 19 * 60 + 200) / 60, 10);
  });

  it('per-user concentration, replays, and the Loyalty - Variety gap', () => {
    const t = new RealismTally();
    // a Loyalty user: songs a a a b c (3 replays of 5 streams are of a song heard before: a, a -> 2 replays)
    t.addUser(['a', 'a', 'a', 'b', 'c'].map((s) => stream(s, 200, { artist: s === 'c' ? 'B' : 'A' })));
    // a Variety user: five different songs
    t.addUser(['v', 'w', 'x', 'y', 'z'].map((s) => stream(s, 200, { user_id: 2, personality: 'The adventurer', artist: s })));
    const [loyal, varied] = t.users;
    expect(loyal.topSongShare).toBeCloseTo(0.6, 10);
    expect(loyal.top10SongShare).toBe(1);
    expect(loyal.topArtistShare).toBeCloseTo(0.8, 10);
    expect(loyal.distinctSongs).toBe(3);
    expect(loyal.distinctArtists).toBe(2);
    expect(loyal.replayShare).toBeCloseTo(0.4, 10);
    expect(varied.replayShare).toBe(0);
    const card = buildScorecard(t, 100);
    expect(byId(card, 'user.loyaltyReplayGap').value).toBeCloseTo(0.4, 10);
    expect(byId(card, 'user.topSongShareP90').value).toBeCloseTo(0.2 + 0.9 * 0.4, 10);
    expect(byId(card, 'user.replayShare').value).toBeCloseTo(0.2, 10);
  });

  it('volume: heavy tail, minutes per active local day', () => {
    const t = new RealismTally();
    for (let u = 1; u <= 10; u++)
      t.addUser(Array.from({ length: u === 10 ? 30 : 3 }, (_, i) => stream(`s${i}`, 60, { user_id: u, lengthS: 60 })));
    const card = buildScorecard(t, 100);
    expect(byId(card, 'volume.top10pctUsersShare').value).toBeCloseTo(30 / 57, 10);
    expect(byId(card, 'volume.p90OverMedian').value).toBeCloseTo(quantile([3, 3, 3, 3, 3, 3, 3, 3, 3, 30], 0.9) / 3, 10);
    expect(byId(card, 'volume.minutesPerActiveDay').value).toBeCloseTo(3, 10);
  });

  it('catalog head: the share of streams going to the top 1% of the catalog', () => {
    const t = new RealismTally();
    t.addUser([
      ...Array.from({ length: 6 }, () => stream('hit', 200)),
      stream('x', 200),
      stream('y', 200),
      stream('z', 200),
      stream('w', 200),
    ]);
    expect(byId(buildScorecard(t, 100), 'catalog.top1pctShare').value).toBeCloseTo(0.6, 10);
    expect(byId(buildScorecard(t, 200), 'catalog.top1pctShare').value).toBeCloseTo(0.7, 10);
  });

  it('markets: users by their most frequent country, unavailable countries and regions', () => {
    const t = new RealismTally();
    const at = (country: string, user: number) => stream('a', 200, { user_id: user, user_location: { country, timezone: 'UTC' } });
    t.addUser([at('SE', 1), at('SE', 1), at('US', 1)]);
    t.addUser([at('CN', 2)]);
    t.addUser([at('BR', 3)]);
    t.addUser([at('IN', 4)]);
    const card = buildScorecard(t, 100);
    expect(t.users.map((u) => u.country)).toEqual(['SE', 'CN', 'BR', 'IN']);
    expect(byId(card, 'market.unavailable').value).toBe(0.25);
    expect(byId(card, 'market.unavailable').status).toBe('fail');
    expect(byId(card, 'market.Europe').value).toBe(0.25);
    expect(byId(card, 'market.NorthAmerica').value).toBe(0);
    expect(byId(card, 'market.LatinAmerica').value).toBe(0.25);
    expect(byId(card, 'market.RestofWorld').value).toBe(0.5);
  });

  it('devices: skip rate of mobile and desktop streams; n/a without a device field', () => {
    const t = new RealismTally();
    t.addUser([
      stream('a', 3, { device: 'ios' }),
      stream('b', 200, { device: 'android' }),
      stream('c', 3, { device: 'windows' }),
      stream('d', 200, { device: 'osx' }),
      stream('e', 200, { device: 'osx' }),
      stream('f', 200, { device: 'cast' }),
    ]);
    const card = buildScorecard(t, 100);
    expect(byId(card, 'device.mobileSkip').value).toBe(0.5);
    expect(byId(card, 'device.desktopSkip').value).toBeCloseTo(1 / 3, 10);
    expect(byId(card, 'device.mobileShare').value).toBeCloseTo(2 / 6, 10);
    const v1 = new RealismTally();
    v1.addUser([stream('a', 200)]);
    const noDevice = buildScorecard(v1, 1);
    expect(byId(noDevice, 'device.mobileSkip').status).toBe('n/a');
  });

  it('passes only when no metric fails', () => {
    const t = new RealismTally();
    t.addUser([stream('a', 3)]);
    const card = buildScorecard(t, 1);
    expect(card.pass).toBe(card.metrics.every((m) => m.status !== 'fail'));
    expect(card.pass).toBe(false);
  });
});
