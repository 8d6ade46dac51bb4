import { LocalTime } from '../../domain/local-time';
import { personalityByName } from '../../domain/personality';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../domain/time-units';
import { SESSION_SPLIT_MS } from '../profile/user-behaviour';
import { songKey } from '../wrapped/tally';

/** What the scorecard reads of a record: the v1 fields, plus `device` when the run wrote schema v2. */
export interface RealismRecord {
  user_id: number;
  user_location: { country: string; timezone: string };
  interaction: string;
  song_name: string;
  artist: string;
  length_seconds: number;
  listening_time: { start_time: number; end_time: number };
  personality: string;
  device?: string;
}

/** A stream within this of the song's length counts as played to the end (lengths are whole seconds). */
const END_SLACK_MS = 1000;

export const MOBILE_DEVICES: ReadonlySet<string> = new Set(['android', 'ios']);
export const DESKTOP_DEVICES: ReadonlySet<string> = new Set(['windows', 'osx', 'linux']);

/** Everything one user contributes to the scorecard. */
export interface UserTally {
  userId: number;
  streams: number;
  minutes: number;
  activeDays: number;
  country: string;
  /** +1 Loyalty, -1 Variety, 0 unknown personality */
  loyalty: 1 | -1 | 0;
  distinctSongs: number;
  distinctArtists: number;
  topSongShare: number;
  top10SongShare: number;
  topArtistShare: number;
  /** share of the user's streams that replay a song the user streamed before */
  replayShare: number;
}

/** Counts over all streams of a run, fed user by user with each user's streams in time order. */
export class RealismTally {
  streams = 0;
  notToEnd = 0;
  within5s = 0;
  within10s = 0;
  within30s = 0;
  /** streams ended early after 30 s, by where they stopped: [30 s, 90 s) and [90 s, 150 s), for songs of at least 150 s */
  lateEarly = [0, 0];
  /** streams of songs of at least 150 s still playing at 30 s and at 90 s */
  lateAtRisk = [0, 0];
  longerThanSong = 0;
  played = 0;
  playedToEnd = 0;
  repeated = 0;
  repeatedOfPrevious = 0;
  listenedMs = 0;
  /** streams by local weekday (Monday first) and hour */
  readonly hourDow: number[][] = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  readonly sessionTracks: number[] = [];
  readonly sessionMinutes: number[] = [];
  readonly songPlays = new Map<string, number>();
  readonly deviceStreams = new Map<string, { streams: number; notToEnd: number }>();
  readonly users: UserTally[] = [];
  private readonly clock = new LocalTime();

  /** Adds one user's streams, in time order. */
  addUser(records: readonly RealismRecord[]): void {
    if (records.length === 0) return;
    const songCounts = new Map<string, number>();
    const artistCounts = new Map<string, number>();
    const days = new Set<number>();
    const countries = new Map<string, number>();
    let replays = 0;
    let userMs = 0;
    let sessionStart = 0,
      sessionEnd = -Infinity,
      sessionTracks = 0;
    let previousSong = '';
    const closeSession = () => {
      if (sessionTracks === 0) return;
      this.sessionTracks.push(sessionTracks);
      this.sessionMinutes.push((sessionEnd - sessionStart) / MINUTE_MS);
    };
    for (const r of records) {
      const { start_time: start, end_time: end } = r.listening_time;
      const listened = end - start;
      const lengthMs = r.length_seconds * 1000;
      const completed = listened >= lengthMs - END_SLACK_MS;
      this.streams++;
      this.listenedMs += listened;
      userMs += listened;
      if (listened > lengthMs + END_SLACK_MS) this.longerThanSong++;
      if (!completed) {
        this.notToEnd++;
        if (listened < 5_000) this.within5s++;
        if (listened < 10_000) this.within10s++;
        if (listened < 30_000) this.within30s++;
      }
      if (lengthMs >= 150_000) {
        if (listened >= 30_000) this.lateAtRisk[0]++;
        if (listened >= 90_000) this.lateAtRisk[1]++;
        if (!completed && listened >= 30_000 && listened < 90_000) this.lateEarly[0]++;
        if (!completed && listened >= 90_000 && listened < 150_000) this.lateEarly[1]++;
      }
      if (r.interaction === 'played') {
        this.played++;
        if (completed) this.playedToEnd++;
      }
      const song = songKey(r.artist, r.song_name);
      if (r.interaction === 'repeated') {
        this.repeated++;
        if (song === previousSong) this.repeatedOfPrevious++;
      }
      previousSong = song;
      const seen = songCounts.get(song) ?? 0;
      if (seen > 0) replays++;
      songCounts.set(song, seen + 1);
      artistCounts.set(r.artist, (artistCounts.get(r.artist) ?? 0) + 1);
      this.songPlays.set(song, (this.songPlays.get(song) ?? 0) + 1);
      countries.set(r.user_location.country, (countries.get(r.user_location.country) ?? 0) + 1);

      const { weekday, hour } = this.clock.localWeekdayHour(r.user_location.timezone, start);
      this.hourDow[weekday][hour]++;
      days.add(Math.floor(this.clock.toLocal(r.user_location.timezone, start) / DAY_MS));

      if (r.device !== undefined) {
        const d = this.deviceStreams.get(r.device) ?? { streams: 0, notToEnd: 0 };
        d.streams++;
        if (!completed) d.notToEnd++;
        this.deviceStreams.set(r.device, d);
      }

      if (start - sessionEnd > SESSION_SPLIT_MS) {
        closeSession();
        sessionStart = start;
        sessionTracks = 0;
      }
      sessionTracks++;
      sessionEnd = Math.max(sessionEnd, end);
    }
    closeSession();

    const n = records.length;
    const songShares = [...songCounts.values()].sort((a, b) => b - a);
    const assigned = personalityByName(records[0].personality);
    this.users.push({
      userId: records[0].user_id,
      streams: n,
      minutes: userMs / MINUTE_MS,
      activeDays: days.size,
      country: [...countries].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))[0][0],
      loyalty: assigned ? assigned.poles.LV : 0,
      distinctSongs: songCounts.size,
      distinctArtists: artistCounts.size,
      topSongShare: songShares[0] / n,
      top10SongShare: songShares.slice(0, 10).reduce((a, b) => a + b, 0) / n,
      topArtistShare: Math.max(...artistCounts.values()) / n,
      replayShare: replays / n,
    });
  }

  get listenedHours(): number {
    return this.listenedMs / HOUR_MS;
  }
}
