import type { ListeningRecord } from '../domain/listening-record';
import { sessionDevice } from './devices';

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

const SESSION_OPENERS = ['clickrow', 'playbtn', 'appload'] as const;
const OPENER_WEIGHTS = [55, 30, 15];
const SHUFFLE_SHARE = 0.45;
const OFFLINE_SHARE = 0.04;
const INCOGNITO_SHARE = 0.02;

function sessionId(userId: number, session: number): string {
  return `u${userId}-s${session}`;
}

/** Why a stream ended follows from the interaction alone. */
function reasonEnd(interaction: string): string {
  if (interaction === 'skipped') return 'fwdbtn';
  if (interaction === 'paused') return 'endplay';
  return 'trackdone';
}

/** Why a stream started follows from how the previous one of the session ended. */
function reasonStartAfter(previousEnd: string): string {
  return previousEnd === 'endplay' ? 'playbtn' : previousEnd;
}

interface SessionTraits {
  device: string;
  shuffle: boolean;
  offline: boolean;
  incognito: boolean;
  opener: string;
}

function sessionTraits(seed: number, userId: number, session: number): SessionTraits {
  const { device, rng } = sessionDevice(seed, userId, session);
  return {
    device,
    shuffle: rng.chance(SHUFFLE_SHARE),
    offline: rng.chance(OFFLINE_SHARE),
    incognito: rng.chance(INCOGNITO_SHARE),
    opener: SESSION_OPENERS[rng.weightedIndex(OPENER_WEIGHTS)],
  };
}

/**
 * Derives the playback context of a user's records, fed in time order: device and
 * modes per session from its own random stream, reasons from the interactions.
 */
export class PlaybackContextDeriver {
  private key = '';
  private traits!: SessionTraits;
  private previousEnd: string | undefined;

  constructor(private readonly seed: number) {}

  next(record: Pick<ListeningRecord, 'user_id' | 'interaction'>, session: number): PlaybackContext {
    const key = `${record.user_id}/${session}`;
    if (key !== this.key) {
      this.key = key;
      this.traits = sessionTraits(this.seed, record.user_id, session);
      this.previousEnd = undefined;
    }
    const end = reasonEnd(record.interaction);
    const start = this.previousEnd === undefined ? this.traits.opener : reasonStartAfter(this.previousEnd);
    this.previousEnd = end;
    return {
      session_id: sessionId(record.user_id, session),
      device: this.traits.device,
      reason_start: start,
      reason_end: end,
      shuffle: this.traits.shuffle,
      offline: this.traits.offline,
      incognito_mode: this.traits.incognito,
    };
  }
}
