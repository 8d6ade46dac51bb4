import type { ListeningRecord } from '../domain/listening-record';
import { deviceClass, sessionDevice, type DeviceClass } from './devices';
import type { SeededRandom } from './seeded-random';
import { SESSION_GAP_MS } from './session-calendar';

/** The fields schema v2 adds, which Spotify's exports also carry. */
export interface PlaybackContext {
  session_id: string | null;
  device: string;
  reason_start: string;
  reason_end: string;
  shuffle: boolean;
  offline: boolean;
  incognito_mode: boolean;
}

function sessionId(userId: number, session: number): string {
  return `u${userId}-s${session}`;
}

const SHUFFLE_SHARE = 0.45;
const INCOGNITO_SHARE = 0.02;

/** Devices whose app can download music for offline play (the web player and a cast target cannot). */
export const DOWNLOAD_DEVICES: ReadonlySet<string> = new Set(['android', 'ios', 'windows', 'osx', 'linux']);
/** The share of sessions played offline on a device that can download: mobile more than desktop. */
const OFFLINE_SHARE: Record<DeviceClass, number> = { mobile: 0.1, desktop: 0.03, other: 0 };

/** Reasons and their weights. */
type Choice = readonly (readonly [string, number])[];

/** How a session's first stream starts, by device kind: a cast target is started from another device. */
const OPENERS: Record<DeviceClass | 'cast', Choice> = {
  mobile: [
    ['clickrow', 40],
    ['appload', 30],
    ['playbtn', 25],
    ['remote', 5],
  ],
  desktop: [
    ['clickrow', 45],
    ['appload', 25],
    ['playbtn', 30],
  ],
  other: [
    ['clickrow', 55],
    ['playbtn', 45],
  ],
  cast: [
    ['remote', 75],
    ['clickrow', 25],
  ],
};
/** How a stream the listener moved on from ends: mostly the forward button, sometimes another row, back, or a remote. */
const SKIP_ENDS: Record<DeviceClass | 'cast', Choice> = {
  mobile: [
    ['fwdbtn', 80],
    ['clickrow', 12],
    ['backbtn', 6],
    ['remote', 2],
  ],
  desktop: [
    ['fwdbtn', 76],
    ['clickrow', 18],
    ['backbtn', 6],
  ],
  other: [
    ['fwdbtn', 78],
    ['clickrow', 16],
    ['backbtn', 6],
  ],
  cast: [
    ['remote', 50],
    ['fwdbtn', 40],
    ['backbtn', 5],
    ['clickrow', 5],
  ],
};
/** How a stream the listener stopped ends: pause (endplay), the app killed while paused or playing, a logout. */
const STOP_ENDS: Record<DeviceClass | 'cast', Choice> = {
  mobile: [
    ['endplay', 55],
    ['unexpected-exit-while-paused', 25],
    ['unexpected-exit', 15],
    ['logout', 5],
  ],
  desktop: [
    ['endplay', 60],
    ['unexpected-exit-while-paused', 10],
    ['unexpected-exit', 10],
    ['logout', 20],
  ],
  other: [
    ['endplay', 80],
    ['unexpected-exit', 20],
  ],
  cast: [
    ['endplay', 70],
    ['remote', 30],
  ],
};
/** How playback starts again after a stop: the play button or a row after a pause; the app's start after an exit. */
const AFTER_PAUSE: Choice = [
  ['playbtn', 60],
  ['clickrow', 40],
];
const AFTER_EXIT: Choice = [
  ['appload', 70],
  ['clickrow', 20],
  ['playbtn', 10],
];

/** reason_end values that end a stream to move on to another one: a stream ended early this way is `skipped`. */
const MOVES_ON: ReadonlySet<string> = new Set(['fwdbtn', 'clickrow', 'remote']);
/** reason_end values after which the next stream needs a new start (a stop, not a move). */
const STOPS: ReadonlySet<string> = new Set(['endplay', 'unexpected-exit', 'unexpected-exit-while-paused', 'logout']);

/**
 * Spotify's `skipped`: the listener skipped to another song. True for a stream that ended
 * before its song did by the forward button, a click on another row or a remote; false for a
 * back-button press (the song restarts), a stop, and any stream played to its end.
 */
export function skippedOf(reasonEnd: string, endedEarly: boolean): boolean {
  return endedEarly && MOVES_ON.has(reasonEnd);
}

/** Whether a stream with this interaction ends before its song does. */
export function endsEarly(interaction: string): boolean {
  return interaction === 'skipped' || interaction === 'paused';
}

function kindOf(device: string): DeviceClass | 'cast' {
  return device === 'cast' ? 'cast' : deviceClass(device);
}

function choose(rng: SeededRandom, choice: Choice): string {
  let total = 0;
  for (const [, w] of choice) total += w;
  let r = rng.next() * total;
  for (const [name, w] of choice) if ((r -= w) < 0) return name;
  return choice[choice.length - 1][0];
}

export interface SessionTraits {
  device: string;
  shuffle: boolean;
  offline: boolean;
  incognito: boolean;
  opener: string;
}

/** A session's device and modes, from its own random stream; the stream goes on into the session's PlaybackMachine. */
export function sessionTraits(seed: number, userId: number, session: number): { traits: SessionTraits; rng: SeededRandom } {
  const { device, rng } = sessionDevice(seed, userId, session);
  const kind = kindOf(device);
  const traits = {
    device,
    shuffle: rng.chance(SHUFFLE_SHARE),
    offline: DOWNLOAD_DEVICES.has(device) && rng.chance(OFFLINE_SHARE[deviceClass(device)]),
    incognito: rng.chance(INCOGNITO_SHARE),
    opener: choose(rng, OPENERS[kind]),
  };
  return { traits, rng };
}

/**
 * Why each stream of a session starts and ends, as a state machine: the first stream starts
 * by the session's opener; a stream played to its end ends with `trackdone`; one the
 * listener moved on from ends by the forward button, another row, the back button or a
 * remote (by device); one the listener stopped ends with a pause, an exit or a logout. The
 * next stream starts the way the previous one ended (`trackdone`, `fwdbtn`, `clickrow`,
 * `backbtn`, `remote`), or after a stop with the play button, a row or the app's start.
 * After `backbtn` the simulator replays the same song. Fed the session's streams in order,
 * it draws from the session's own stream only, so the simulator, schema v2 and the export
 * of a v1 run give the same reasons.
 */
export class PlaybackMachine {
  private previousEnd: string | undefined;
  private readonly kind: DeviceClass | 'cast';

  constructor(
    private readonly rng: SeededRandom,
    readonly traits: SessionTraits,
  ) {
    this.kind = kindOf(traits.device);
  }

  /** How the last stream ended (undefined before the first). */
  get lastEnd(): string | undefined {
    return this.previousEnd;
  }

  /** The reasons of the session's next stream, given its interaction. */
  step(interaction: string): { reason_start: string; reason_end: string } {
    const previous = this.previousEnd;
    let start: string;
    if (previous === undefined) start = this.traits.opener;
    else if (STOPS.has(previous)) start = choose(this.rng, previous === 'endplay' ? AFTER_PAUSE : AFTER_EXIT);
    else start = previous;
    let end: string;
    if (interaction === 'skipped') end = choose(this.rng, SKIP_ENDS[this.kind]);
    else if (interaction === 'paused') end = choose(this.rng, STOP_ENDS[this.kind]);
    else end = 'trackdone';
    this.previousEnd = end;
    return { reason_start: start, reason_end: end };
  }
}

/**
 * Derives the playback context of a user's records, fed in time order: device and
 * modes per session from its own random stream, reasons from its PlaybackMachine.
 */
export class PlaybackContextDeriver {
  private key = '';
  private machine!: PlaybackMachine;

  constructor(private readonly seed: number) {}

  next(record: { user_id: number; interaction: string }, session: number): PlaybackContext {
    const key = `${record.user_id}/${session}`;
    if (key !== this.key) {
      this.key = key;
      const { traits, rng } = sessionTraits(this.seed, record.user_id, session);
      this.machine = new PlaybackMachine(rng, traits);
    }
    const { traits } = this.machine;
    const reasons = this.machine.step(record.interaction);
    return {
      session_id: sessionId(record.user_id, session),
      device: traits.device,
      reason_start: reasons.reason_start,
      reason_end: reasons.reason_end,
      shuffle: traits.shuffle,
      offline: traits.offline,
      incognito_mode: traits.incognito,
    };
  }
}

/**
 * The playback context of each of one user's records, in time order: from the records
 * themselves in a v2 run; in a v1 run derived the way v2 derives it, with sessions told
 * apart by gaps of SESSION_GAP_MS or more (the simulator keeps sessions at least that far apart).
 */
export function playbackContextsOf<
  R extends { user_id: number; interaction: string; listening_time: ListeningRecord['listening_time'] } & Partial<PlaybackContext>,
>(records: readonly R[], seed: number): PlaybackContext[] {
  if (records.length && records[0].session_id !== undefined) return records as unknown as PlaybackContext[];
  const deriver = new PlaybackContextDeriver(seed);
  let session = 0;
  return records.map((r, i) => {
    if (i > 0 && r.listening_time.start_time - records[i - 1].listening_time.end_time >= SESSION_GAP_MS) session++;
    return deriver.next(r, session);
  });
}
