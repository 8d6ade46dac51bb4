import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../domain/time-units';
import { DOWNLOAD_DEVICES, skippedOf, endsEarly } from '../../simulation/playback-context';
import { isHolidayGenre } from '../../simulation/seasons';
import { SESSION_SPLIT_MS } from '../profile/user-behaviour';

/** What the year's tally reads of a record beyond the v1 fields RealismTally reads (playback fields: v2, or derived). */
export interface YearRecord {
  artist: string;
  genre: string;
  interaction: string;
  length_seconds: number;
  song_name: string;
  listening_time: { start_time: number; end_time: number };
  device?: string;
  reason_start?: string;
  reason_end?: string;
  offline?: boolean;
  session_id?: string | null;
  /** days since the epoch (schema v2) */
  release_date?: number | null;
}

/** The week of a time, counted from the Monday on or before 1970-01-01 (days 4, 11, ... are Mondays). */
const weekOf = (ms: number): number => Math.floor((Math.floor(ms / DAY_MS) + 3) / 7);

/**
 * Counts over a run's year that the first round's tally does not make: artists' streams,
 * sessions and the gaps between them, the playback fields and their transitions, the
 * holiday genre by week, streams by month, new releases. Fed user by user, each user's
 * streams in time order; one user's records are looked at only while they are added.
 */
export class YearTally {
  readonly artistStreams = new Map<string, number>();
  /** per user: streams, hours and active days come from RealismTally; here the sessions */
  readonly sessionStreams: number[] = [];
  readonly sessionMinutes: number[] = [];
  readonly sessionDevice: string[] = [];
  /** hours between the end of a session and the start of the next one of the same user */
  readonly gapHours: number[] = [];
  readonly reasonStart = new Map<string, number>();
  readonly reasonEnd = new Map<string, number>();
  /** "previous reason_end > reason_start" within a session */
  readonly transitions = new Map<string, number>();
  playbackStreams = 0;
  skipped = 0;
  skippedByFwdbtn = 0;
  fwdbtn = 0;
  backbtnStarts = 0;
  backbtnReplays = 0;
  clickrowMidSession = 0;
  offlineWithoutDownload = 0;
  offline = 0;
  fullPlays = 0;
  wholeSecondFullPlays = 0;
  readonly weekStreams = new Map<number, number>();
  readonly weekHoliday = new Map<number, number>();
  /** streams by UTC month of the year, January first */
  readonly monthStreams = new Array<number>(12).fill(0);
  holidayOffSeason = 0;
  offSeason = 0;
  /** streams of songs released less than 6 weeks before, and 6-12 weeks before (v2: release_date) */
  readonly releaseAge = [0, 0];
  releaseDates = 0;
  releaseFridays = 0;
  firstStart = Infinity;
  lastStart = -Infinity;

  addUser(records: readonly YearRecord[]): void {
    let sessionStart = 0;
    let sessionEnd = -Infinity;
    let streams = 0;
    let device = '';
    let previousEnd: string | undefined;
    let previousSong = '';
    let previousSession: string | null | undefined;
    const close = () => {
      if (streams === 0) return;
      this.sessionStreams.push(streams);
      this.sessionMinutes.push((sessionEnd - sessionStart) / MINUTE_MS);
      this.sessionDevice.push(device);
    };
    for (const r of records) {
      const { start_time: start, end_time: end } = r.listening_time;
      this.firstStart = Math.min(this.firstStart, start);
      this.lastStart = Math.max(this.lastStart, start);
      this.artistStreams.set(r.artist, (this.artistStreams.get(r.artist) ?? 0) + 1);
      if (start - sessionEnd > SESSION_SPLIT_MS) {
        close();
        if (sessionEnd > -Infinity) this.gapHours.push((start - sessionEnd) / HOUR_MS);
        sessionStart = start;
        streams = 0;
        device = r.device ?? '';
      }
      streams++;
      sessionEnd = Math.max(sessionEnd, end);

      const date = new Date(start);
      const month = date.getUTCMonth();
      this.monthStreams[month]++;
      const holiday = isHolidayGenre(r.genre);
      const week = weekOf(start);
      this.weekStreams.set(week, (this.weekStreams.get(week) ?? 0) + 1);
      if (holiday) this.weekHoliday.set(week, (this.weekHoliday.get(week) ?? 0) + 1);
      if (month < 10) {
        this.offSeason++;
        if (holiday) this.holidayOffSeason++;
      }

      const ms = end - start;
      const full = ms >= r.length_seconds * 1000;
      if (full) {
        this.fullPlays++;
        if (ms % 1000 === 0) this.wholeSecondFullPlays++;
      }

      if (r.release_date !== undefined && r.release_date !== null) {
        this.releaseDates++;
        // 1970-01-02 was a Friday: day d is one when (d - 1) % 7 === 0
        if ((((r.release_date - 1) % 7) + 7) % 7 === 0) this.releaseFridays++;
        const age = Math.floor(start / DAY_MS) - r.release_date;
        if (age >= 0 && age < 42) this.releaseAge[0]++;
        else if (age >= 42 && age < 84) this.releaseAge[1]++;
      }

      if (r.reason_end !== undefined && r.reason_start !== undefined) {
        this.playbackStreams++;
        const sameSession = r.session_id === previousSession;
        this.reasonStart.set(r.reason_start, (this.reasonStart.get(r.reason_start) ?? 0) + 1);
        this.reasonEnd.set(r.reason_end, (this.reasonEnd.get(r.reason_end) ?? 0) + 1);
        if (sameSession && previousEnd !== undefined) {
          const key = `${previousEnd}>${r.reason_start}`;
          this.transitions.set(key, (this.transitions.get(key) ?? 0) + 1);
          if (r.reason_start === 'clickrow') this.clickrowMidSession++;
        }
        const song = `${r.artist}\u0000${r.song_name}`;
        if (r.reason_start === 'backbtn' && sameSession) {
          this.backbtnStarts++;
          if (song === previousSong) this.backbtnReplays++;
        }
        if (r.reason_end === 'fwdbtn') this.fwdbtn++;
        if (skippedOf(r.reason_end, endsEarly(r.interaction))) {
          this.skipped++;
          if (r.reason_end === 'fwdbtn') this.skippedByFwdbtn++;
        }
        if (r.offline) {
          this.offline++;
          if (r.device !== undefined && !DOWNLOAD_DEVICES.has(r.device)) this.offlineWithoutDownload++;
        }
        previousEnd = r.reason_end;
        previousSong = song;
        previousSession = r.session_id;
      }
    }
    close();
  }

  /** Months the run's streams span (at least one). */
  get months(): number {
    return this.lastStart > this.firstStart ? Math.max(1, (this.lastStart - this.firstStart) / (30.44 * DAY_MS)) : 1;
  }
}
