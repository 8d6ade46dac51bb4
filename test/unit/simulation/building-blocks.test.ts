import { describe, expect, it } from 'vitest';
import type { Song } from '../../../src/domain/song';
import { LocalTime } from '../../../src/domain/local-time';
import { tendencies } from '../../../src/simulation/behaviour';
import { SeededRandom } from '../../../src/simulation/seeded-random';
import { CatalogIndex, UNSTREAMED_SHARE } from '../../../src/simulation/catalog-index';
import { SongTable } from '../../../src/simulation/song-table';
import { INTERACTIONS } from '../../../src/domain/listening-record';
import { InteractionModel, listeningMs } from '../../../src/simulation/interactions';
import { ListenerMemory } from '../../../src/simulation/listener-memory';
import { pickSong } from '../../../src/simulation/song-picker';
import { CatalogReference } from '../../../src/analytics/profile/catalog-reference';

const STRENGTH = { familiarity: 0.85, newness: 0.85, loyalty: 0.85, commonality: 0.85 };

function song(artist: string, year: number, popularity: number, i: number): Song {
  return {
    title: `s${i}`,
    artist,
    genre: 'pop',
    year,
    popularity,
    danceability: 0.5,
    energy: 0.5,
    length_seconds: 200,
    source: 't',
    imputed: [],
    album: '',
  };
}

const catalog: Song[] = Array.from({ length: 4000 }, (_, i) => song(`artist ${i % 1000}`, 1980 + (i % 46), (i * 37) % 101, i));

describe('LocalTime', () => {
  const clock = new LocalTime();
  it('knows standard and summer time and converts both ways', () => {
    expect(clock.offsetMs('Europe/Stockholm', Date.UTC(2025, 0, 15, 12))).toBe(3_600_000);
    expect(clock.offsetMs('Europe/Stockholm', Date.UTC(2025, 6, 15, 12))).toBe(7_200_000);
    expect(clock.offsetMs('America/New_York', Date.UTC(2025, 0, 15, 12))).toBe(-5 * 3_600_000);
    expect(clock.offsetMs('Asia/Kolkata', Date.UTC(2025, 0, 15, 12))).toBe(5.5 * 3_600_000);
    const local = Date.UTC(2025, 6, 15, 21, 30);
    const utc = clock.toUtc('Europe/Stockholm', local);
    expect(utc).toBe(Date.UTC(2025, 6, 15, 19, 30));
    expect(clock.localHour('Europe/Stockholm', utc)).toBe(21);
    expect(() => clock.offsetMs('Mars/Olympus', 0)).toThrow(/unknown timezone "Mars\/Olympus"/);
  });

  it('matches Intl on every day of three years, DST pauses (Casablanca) and southern zones included', () => {
    const intlOffset = (tz: string, t: number) => {
      const fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
      const p = Object.fromEntries(fmt.formatToParts(new Date(t)).map((x) => [x.type, Number(x.value)]));
      return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - t;
    };
    const fresh = new LocalTime();
    for (const tz of ['Africa/Casablanca', 'America/Santiago', 'Australia/Sydney']) {
      for (let d = 0; d < 3 * 365; d++) {
        const noon = Date.UTC(2023, 0, 1, 12) + d * 86_400_000;
        expect(fresh.offsetMs(tz, noon)).toBe(intlOffset(tz, noon));
      }
    }
  });
});

describe('listening time agrees with the interaction and the song', () => {
  it('keeps every interaction within its bounds', () => {
    const rng = new SeededRandom('durations');
    for (let i = 0; i < 5000; i++) {
      const seconds = rng.int(30, 900);
      const len = seconds * 1000;
      const interaction = INTERACTIONS[i % INTERACTIONS.length];
      const ms = listeningMs(interaction, seconds, rng);
      if (interaction === 'skipped' || interaction === 'paused') {
        expect(ms).toBeGreaterThanOrEqual(500);
        expect(ms).toBeLessThanOrEqual(len - 1000);
      } else expect(ms).toBe(len);
    }
  });

  it('draws nothing with a zero weight', () => {
    const model = new InteractionModel({ played: 1, skipped: 0, paused: 1 }, tendencies('The nomad', STRENGTH));
    const rng = new SeededRandom('weights');
    const seen = new Set(Array.from({ length: 2000 }, (_, i) => model.draw(rng, i % 2 === 0, i % 3 === 0 ? 'ios' : 'windows')));
    expect(seen).toEqual(new Set(['played', 'paused']));
  });
});

describe('CatalogIndex', () => {
  const index = new CatalogIndex(SongTable.fromSongs(catalog));
  it('indexes artists, popularity halves and, per play year, the released newer and older halves', () => {
    expect(index.artistCount).toBe(1000);
    expect(index.songCountOf(index.artistOf[7])).toBe(4);
    expect(index.popular.reduce((a, b) => a + b, 0)).toBe(2000);
    const view = index.yearView(2000);
    // the views hold the released songs picks may take: not the catalog's least popular (below)
    const released = catalog.filter((s, i) => s.year <= 2000 && index.streamable[i]).length;
    expect(view.available.size).toBe(released);
    expect(view.buckets.reduce((n, b) => n + b.size, 0)).toBe(released);
    catalog.forEach((s, i) => expect(view.newer[i] === 255).toBe(s.year > 2000));
    for (const b of [2, 3])
      for (let k = 0; k < view.buckets[b].size; k++) expect(catalog[view.buckets[b].at(k)].year).toBeGreaterThanOrEqual(1990);
    expect(index.yearView(2000)).toBe(view);
  });

  it("leaves the least popular songs (but each artist's best) to nobody: the published unplayed share", () => {
    const n = catalog.length;
    const unstreamable = catalog.map((_, i) => i).filter((i) => !index.streamable[i]);
    expect(unstreamable.length).toBe(Math.floor(n * UNSTREAMED_SHARE));
    // every unstreamable song is at most as popular as every streamable one of another artist's non-best songs...
    const maxUnstreamable = Math.max(...unstreamable.map((i) => index.popularityRank[i]));
    const bestOf = new Map<number, number>();
    catalog.forEach((_, i) => {
      const a = index.artistOf[i];
      bestOf.set(a, Math.min(bestOf.get(a) ?? Infinity, index.popularityRank[i]));
    });
    // ...and no artist loses its most popular song
    for (const i of unstreamable) expect(index.popularityRank[i]).toBeGreaterThan(bestOf.get(index.artistOf[i])!);
    for (let i = 0; i < n; i++)
      if (index.streamable[i] && index.popularityRank[i] !== bestOf.get(index.artistOf[i]))
        expect(index.popularityRank[i]).toBeLessThan(maxUnstreamable);
    // a pick never takes one
    const memory = new ListenerMemory(index);
    const rng = new SeededRandom('floor');
    const t = tendencies('The adventurer', STRENGTH);
    const day = { today: Date.UTC(2025, 11, 31) / 86_400_000, releaseDay: index.releaseDay, newReleases: null };
    for (let k = 0; k < 2000; k++) {
      const pick = pickSong(index, memory, t, rng, 2025, day);
      expect(index.streamable[pick.song]).toBe(1);
      memory.record(pick.song, true);
    }
    // a catalog too small to stand for a service's keeps every song
    expect(new CatalogIndex(SongTable.fromSongs(catalog.slice(0, 500))).streamable.every((x) => x === 1)).toBe(true);
  });

  it('lets each pole pull its picks to its own side of the catalog', () => {
    const endOf2025 = { today: Date.UTC(2025, 11, 31) / 86_400_000, releaseDay: index.releaseDay, newReleases: null };
    const reference = new CatalogReference(catalog);
    const mean = (personality: string) => {
      const memory = new ListenerMemory(index);
      const rng = new SeededRandom('picks', personality);
      const t = tendencies(personality, STRENGTH);
      let newness = 0,
        popularity = 0,
        fresh = 0,
        replays = 0;
      for (let i = 0; i < 300; i++) {
        const pick = pickSong(index, memory, t, rng, 2025, endOf2025);
        expect(catalog[pick.song].year).toBeLessThanOrEqual(2025);
        if (pick.replay) replays++;
        else {
          fresh++;
          newness += reference.newnessRank(catalog[pick.song].year, 2025);
          popularity += reference.popularityRank(catalog[pick.song].popularity);
        }
        memory.record(pick.song, true);
      }
      return { newness: newness / fresh, popularity: popularity / fresh, replays: replays / 300 };
    };
    const adventurer = mean('The adventurer'); // E N V U
    const connoisseur = mean('The connoisseur'); // F T L C
    expect(adventurer.newness).toBeGreaterThan(0.6);
    expect(connoisseur.newness).toBeLessThan(0.4);
    // Uniqueness: the less popular half above the songs nobody streams (positions 0.248-0.5)
    expect(adventurer.popularity).toBeLessThan(0.45);
    expect(connoisseur.popularity).toBeGreaterThan(0.6);
    expect(adventurer.replays).toBeLessThan(0.2);
    expect(connoisseur.replays).toBeGreaterThan(0.65);
  });
});

describe('CatalogReference', () => {
  it('ranks by mid-rank, ties counted half, newness among songs released by the play year', () => {
    const ref = new CatalogReference([
      { year: 2000, popularity: 10 },
      { year: 2010, popularity: 20 },
      { year: 2020, popularity: 20 },
      { year: 2030, popularity: 90 },
    ]);
    expect(ref.popularityRank(10)).toBe(0.125);
    expect(ref.popularityRank(20)).toBe(0.5);
    expect(ref.newnessRank(2020, 2025)).toBeCloseTo(5 / 6, 10);
    expect(ref.newnessRank(2000, 2025)).toBeCloseTo(1 / 6, 10);
  });
});
