import { countsAsPlay, type Interaction } from '../domain/listening-record';
import { DAY_MS, SECOND_MS } from '../domain/time-units';
import type { Tendencies } from './behaviour';
import type { CatalogIndex } from './catalog-index';
import type { InteractionModel } from './interactions';
import { extraMsOf, listeningMs } from './interactions';
import type { PlaybackMachine } from './playback-context';
import type { ListenerMemory } from './listener-memory';
import type { SeededRandom } from './seeded-random';
import { pickSong, type PickDay } from './song-picker';
import { epochDay, holidayShare } from './seasons';
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
  /** the song of the last stream, which the back button replays */
  private last = -1;
  private repeats = 0;
  private readonly lengthSeconds: Int32Array;
  private readonly day: PickDay;
  /** the share of this session's picks that go to the holiday genre */
  private readonly holiday: number;

  /** `start`: when the session starts (its day decides what is released, new, and in season) */
  constructor(
    songs: SongTable,
    private readonly index: CatalogIndex,
    private readonly memory: ListenerMemory,
    private readonly tend: Tendencies,
    private readonly interactions: InteractionModel,
    private readonly rng: SeededRandom,
    private readonly playYear: number,
    private readonly playback: PlaybackMachine,
    start: number,
  ) {
    this.lengthSeconds = songs.columns.lengthSeconds;
    const today = epochDay(start);
    // weeks start on Mondays (day 4 of the epoch was one)
    const week = today - ((((today - 4) % 7) + 7) % 7);
    this.day = { today, releaseDay: index.releaseDay, newReleases: index.newReleases(week) };
    this.holiday = index.holiday ? holidayShare(today * DAY_MS) : 0;
  }

  /** the session's device */
  get device(): string {
    return this.playback.traits.device;
  }

  next(): StreamDraw {
    const { rng } = this;
    let song: number;
    let interaction: Interaction;
    if (this.last >= 0 && this.playback.lastEnd === 'backbtn') {
      // the back button: the song just left starts again
      song = this.last;
      interaction = this.interactions.draw(rng, true, this.device);
    } else if (this.playedThrough >= 0 && this.repeats < MAX_REPEATS && rng.chance(this.interactions.repeatChance(this.device))) {
      song = this.playedThrough;
      interaction = 'repeated';
    } else if (
      this.holiday > 0 &&
      rng.chance(this.holiday) &&
      this.day.releaseDay[(song = this.index.holiday!.draw(rng))] <= this.day.today
    ) {
      interaction = this.interactions.draw(rng, this.memory.hasPlayed(song), this.device);
    } else {
      const pick = pickSong(this.index, this.memory, this.tend, rng, this.playYear, this.day);
      song = pick.song;
      interaction = this.interactions.draw(rng, pick.replay, this.device);
    }
    return { song, interaction, ms: listeningMs(interaction, this.lengthSeconds[song], rng, extraMsOf(song)) };
  }

  /**
   * The stream happened: the listener remembers it, and a full play can be repeated next.
   * Returns whether it joins the songs the listener replays from (a holiday song is played by
   * its season, never replayed from the rotation).
   */
  played(draw: StreamDraw): boolean {
    this.playback.step(draw.interaction);
    this.last = draw.song;
    const rotates = countsAsPlay(draw.interaction) && this.index.isHoliday[draw.song] === 0;
    this.memory.record(draw.song, rotates);
    this.repeats = draw.interaction === 'repeated' ? this.repeats + 1 : 0;
    this.playedThrough = draw.ms >= this.lengthSeconds[draw.song] * SECOND_MS ? draw.song : -1;
    return rotates;
  }
}
