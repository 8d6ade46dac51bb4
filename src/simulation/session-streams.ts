import { countsAsPlay, type Interaction } from '../domain/listening-record';
import { SECOND_MS } from '../domain/time-units';
import type { Tendencies } from './behaviour';
import type { CatalogIndex } from './catalog-index';
import type { InteractionModel } from './interactions';
import { listeningMs } from './interactions';
import type { ListenerMemory } from './listener-memory';
import type { SeededRandom } from './seeded-random';
import { pickSong } from './song-picker';
import type { SongTable } from './song-table';

/** At most this many `repeated` streams follow one another. */
const MAX_REPEATS = 2;

export interface StreamDraw {
  song: number;
  interaction: Interaction;
  /** how long the stream lasts */
  ms: number;
}

/**
 * The streams of one session, one after the other: a `repeated` replay of the song just
 * played to the end, or a picked song with the interaction drawn for it on the session's
 * device, each with its listening time. Call played() for each stream that happens.
 */
export class SessionStreams {
  private playedThrough = -1;
  private repeats = 0;
  private readonly lengthSeconds: Int32Array;

  constructor(
    songs: SongTable,
    private readonly index: CatalogIndex,
    private readonly memory: ListenerMemory,
    private readonly tend: Tendencies,
    private readonly interactions: InteractionModel,
    private readonly rng: SeededRandom,
    private readonly playYear: number,
    readonly device: string,
  ) {
    this.lengthSeconds = songs.columns.lengthSeconds;
  }

  next(): StreamDraw {
    const { rng } = this;
    let song: number;
    let interaction: Interaction;
    if (this.playedThrough >= 0 && this.repeats < MAX_REPEATS && rng.chance(this.interactions.repeatChance(this.device))) {
      song = this.playedThrough;
      interaction = 'repeated';
    } else {
      const pick = pickSong(this.index, this.memory, this.tend, rng, this.playYear);
      song = pick.song;
      interaction = this.interactions.draw(rng, pick.replay, this.device);
    }
    return { song, interaction, ms: listeningMs(interaction, this.lengthSeconds[song], rng) };
  }

  /** The stream happened: the listener remembers it, and a full play can be repeated next. */
  played(draw: StreamDraw): void {
    this.memory.record(draw.song, countsAsPlay(draw.interaction));
    this.repeats = draw.interaction === 'repeated' ? this.repeats + 1 : 0;
    this.playedThrough = draw.ms >= this.lengthSeconds[draw.song] * SECOND_MS ? draw.song : -1;
  }
}
