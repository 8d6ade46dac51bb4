import type { ListeningRecord } from '../../domain/listening-record';
import type { CatalogReference } from './catalog-reference';

/** The fields of a record UserBehaviourAccumulator reads (user_id: whose they are). */
export const USER_BEHAVIOUR_FIELDS = [
  'user_id',
  'user_location.country',
  'user_location.city',
  'song_name',
  'artist',
  'year',
  'popularity',
  'listening_time.start_time',
  'listening_time.end_time',
  'personality',
] as const;

/** A gap longer than this between two events of a user starts a new session. */
export const SESSION_SPLIT_MS = 20 * 60_000;

export interface AxisScores {
  /** share of the user's new songs by artists already played, mapped to -1..1 (> 0: Familiarity) */
  FE: number;
  /** mean newness rank of new songs at play time, mapped to -1..1 (> 0: Newness) */
  TN: number;
  /** share of events that replay a song already played, mapped to -1..1 (> 0: Loyalty) */
  LV: number;
  /** mean popularity rank of new songs, mapped to -1..1 (> 0: Commonality) */
  CU: number;
}

export interface UserBehaviour {
  userId: number;
  personality: string;
  records: number;
  distinctSongs: number;
  scores: AxisScores;
  /** minutes, one per session */
  sessionMinutes: number[];
  sessions: number;
  travelSessions: number;
}

/** The place of a session: country and city as one key. */
export const behaviourPlace = (country: string, city: string): string => `${country}\u0000${city}`;

/** One event as UserBehaviourAccumulator reads it (see addEvent). */
export interface BehaviourEvent {
  personality: string;
  year: number;
  popularity: number;
  /** listening_time.start_time and end_time */
  start: number;
  end: number;
  /** the user's first event of this song (artist and title) */
  newSong: boolean;
  /** the song's artist was played by the user before this event */
  knownArtist: boolean;
  /** behaviourPlace of the event's country and city */
  place: string;
}

/** An event to fill and hand to addEvent, again and again. */
export const newBehaviourEvent = (): BehaviourEvent => ({
  personality: '',
  year: 0,
  popularity: 0,
  start: 0,
  end: 0,
  newSong: false,
  knownArtist: false,
  place: '',
});

/** What a UserBehaviourAccumulator has read, as JSON: a world carries it from one day to the next. */
export interface UserBehaviourState {
  personality: string;
  records: number;
  songs: string[];
  artists: string[];
  newSongs: number;
  newSongsByKnownArtist: number;
  newnessSum: number;
  popularitySum: number;
  lastEnd: number | null;
  lastPlace: string;
  sessionStart: number;
  sessionMinutes: number[];
  sessionPlaces: [string, number][];
}

/**
 * Reads one user's events in time order and measures each axis from behaviour alone,
 * always over the choices the axis governs: replaying or not (every event), and for
 * songs new to the user, whether the artist was known, how new and how popular the
 * song was against the catalog.
 */
export class UserBehaviourAccumulator {
  private personality = '';
  private records = 0;
  private readonly songs = new Set<string>();
  private readonly artists = new Set<string>();
  private newSongs = 0;
  private newSongsByKnownArtist = 0;
  private newnessSum = 0;
  private popularitySum = 0;
  private lastEnd = -Infinity;
  private lastPlace = '';
  private sessionStart = 0;
  private readonly sessionMinutes: number[] = [];
  private readonly sessionPlaces = new Map<string, number>();
  private distinctSongs = 0;
  private setsKept = true;
  private readonly event = newBehaviourEvent();

  constructor(
    readonly userId: number,
    private readonly reference: CatalogReference,
  ) {}

  add(r: ListeningRecord): void {
    const songKey = `${r.artist}\u0000${r.song_name}`;
    const e = this.event;
    e.newSong = !this.songs.has(songKey);
    if (e.newSong) this.songs.add(songKey);
    e.knownArtist = this.artists.has(r.artist);
    this.artists.add(r.artist);
    e.personality = r.personality;
    e.year = r.year;
    e.popularity = r.popularity;
    e.start = r.listening_time.start_time;
    e.end = r.listening_time.end_time;
    e.place = behaviourPlace(r.user_location.country, r.user_location.city);
    this.addEvent(e);
  }

  /**
   * One event whose reader keeps the user's songs and artists itself (newSong, knownArtist):
   * what add() does after its own sets; such an accumulator has no state() to carry.
   */
  addEvent(e: BehaviourEvent): void {
    if (e !== this.event) this.setsKept = false;
    this.personality = e.personality;
    this.records++;
    if (e.newSong) {
      this.distinctSongs++;
      this.newSongs++;
      if (e.knownArtist) this.newSongsByKnownArtist++;
      this.newnessSum += this.reference.newnessRank(e.year, new Date(e.start).getUTCFullYear());
      this.popularitySum += this.reference.popularityRank(e.popularity);
    }
    const place = e.place;
    const start = e.start;
    const newSession = start - this.lastEnd > SESSION_SPLIT_MS || place !== this.lastPlace;
    if (newSession) {
      this.closeSession();
      this.sessionStart = start;
      this.lastPlace = place;
      this.sessionPlaces.set(place, (this.sessionPlaces.get(place) ?? 0) + 1);
    }
    this.lastEnd = Math.max(this.lastEnd, e.end);
  }

  state(): UserBehaviourState {
    if (!this.setsKept) throw new Error('an accumulator fed by addEvent has no state: its reader kept the songs and artists');
    return {
      personality: this.personality,
      records: this.records,
      songs: [...this.songs],
      artists: [...this.artists],
      newSongs: this.newSongs,
      newSongsByKnownArtist: this.newSongsByKnownArtist,
      newnessSum: this.newnessSum,
      popularitySum: this.popularitySum,
      lastEnd: this.lastEnd === -Infinity ? null : this.lastEnd,
      lastPlace: this.lastPlace,
      sessionStart: this.sessionStart,
      sessionMinutes: [...this.sessionMinutes],
      sessionPlaces: [...this.sessionPlaces],
    };
  }

  /** An accumulator that goes on from a state() (an open session stays open). */
  static fromState(userId: number, reference: CatalogReference, state: UserBehaviourState): UserBehaviourAccumulator {
    const a = new UserBehaviourAccumulator(userId, reference);
    for (const s of state.songs) a.songs.add(s);
    for (const s of state.artists) a.artists.add(s);
    for (const m of state.sessionMinutes) a.sessionMinutes.push(m);
    for (const [place, n] of state.sessionPlaces) a.sessionPlaces.set(place, n);
    Object.assign(a, {
      distinctSongs: state.songs.length,
      personality: state.personality,
      records: state.records,
      newSongs: state.newSongs,
      newSongsByKnownArtist: state.newSongsByKnownArtist,
      newnessSum: state.newnessSum,
      popularitySum: state.popularitySum,
      lastEnd: state.lastEnd ?? -Infinity,
      lastPlace: state.lastPlace,
      sessionStart: state.sessionStart,
    });
    return a;
  }

  private closeSession(): void {
    if (this.lastEnd > -Infinity) this.sessionMinutes.push((this.lastEnd - this.sessionStart) / 60_000);
  }

  finish(): UserBehaviour {
    this.closeSession();
    this.lastEnd = -Infinity;
    const toScore = (share: number) => 2 * share - 1;
    const sessions = this.sessionMinutes.length;
    const home = Math.max(0, ...this.sessionPlaces.values());
    return {
      userId: this.userId,
      personality: this.personality,
      records: this.records,
      distinctSongs: this.distinctSongs,
      scores: {
        FE: toScore(this.newSongs > 1 ? this.newSongsByKnownArtist / (this.newSongs - 1) : 0.5),
        TN: toScore(this.newnessSum / this.newSongs),
        LV: toScore(1 - this.distinctSongs / this.records),
        CU: toScore(this.popularitySum / this.newSongs),
      },
      sessionMinutes: this.sessionMinutes,
      sessions,
      travelSessions: sessions - home,
    };
  }
}
