import { RunLayout } from '../../pipeline/run-layout';
import { openRunAt } from '../../dataset/open-folder';
import type { RunDataset } from '../../dataset/run-dataset';
import { recordsOf } from '../../dataset/record-view';
import { RealismTally, type RealismRecord } from './realism-tally';
import { finishScorecard, firstRoundMetrics, type Scorecard } from './scorecard';
import { YearTally, type YearRecord } from './year-tally';
import { yearMetrics, type YearDetail } from './year-metrics';
import { playbackContextsOf } from '../../simulation/playback-context';

/** The fields the scorecard reads of a record; the playback fields and `release_date` only where the part has them (schema v2). */
const REALISM_FIELDS = [
  'user_id',
  'user_location.country',
  'user_location.timezone',
  'interaction',
  'song_name',
  'artist',
  'genre',
  'length_seconds',
  'listening_time.start_time',
  'listening_time.end_time',
  'personality',
  'device',
  'session_id',
  'reason_start',
  'reason_end',
  'offline',
  'release_date',
] as const;

export interface RunScorecard extends Scorecard, YearDetail {
  runDir: string;
  parts: number;
  /** songs in the run's catalog checkpoint, or the distinct songs streamed when it is missing */
  catalogSongs: number;
  /** artists in the run's catalog checkpoint, or the distinct artists streamed */
  catalogArtists: number;
  catalogFrom: 'catalog' | 'played songs';
}

async function catalogSize(dataset: RunDataset): Promise<{ songs: number; artists: number } | undefined> {
  const catalog = await dataset.fileRecords<{ artist: string }>(new RunLayout(dataset.store.location).catalogKey);
  if (catalog === undefined) return undefined;
  let songs = 0;
  const artists = new Set<string>();
  for await (const song of catalog) {
    songs++;
    artists.add(song.artist);
  }
  return { songs, artists: artists.size };
}

/** The tallies of a run's scorecard, fed one user's records at a time (in time order). */
export class RunTallies {
  readonly realism = new RealismTally();
  readonly year = new YearTally();

  /** `seed`: the run's, to derive the playback fields of a schema v1 run the way its export does */
  constructor(private readonly seed: number | undefined) {}

  addUser(records: (RealismRecord & YearRecord)[]): void {
    this.realism.addUser(records);
    if (records.length && records[0].reason_end === undefined && this.seed !== undefined) {
      const contexts = playbackContextsOf(records, this.seed);
      this.year.addUser(records.map((r, i) => ({ ...r, ...contexts[i] })));
    } else this.year.addUser(records);
  }
}

/**
 * The realism scorecard of a run, from its AVRO part files and its catalog checkpoint
 * alone. A part holds whole users; each user's streams are put in time order first.
 */
export async function realismOfRun(runDir: string, onPart: (done: number, total: number) => void = () => {}): Promise<RunScorecard> {
  const dataset = await openRunAt(runDir);
  const parts = dataset.parts;
  const tallies = new RunTallies(dataset.manifest.params?.seed);
  for (let p = 0; p < parts.length; p++) {
    const byUser = new Map<number, (RealismRecord & YearRecord)[]>();
    for await (const batch of dataset.columns(parts[p], REALISM_FIELDS)) {
      for (const r of recordsOf<RealismRecord & YearRecord>(batch)) {
        let list = byUser.get(r.user_id);
        if (!list) byUser.set(r.user_id, (list = []));
        list.push(r);
      }
    }
    for (const userId of [...byUser.keys()].sort((a, b) => a - b)) {
      tallies.addUser(byUser.get(userId)!.sort((a, b) => a.listening_time.start_time - b.listening_time.start_time));
    }
    onPart(p + 1, parts.length);
  }
  const catalog = await catalogSize(dataset);
  const catalogSongs = catalog?.songs ?? tallies.realism.songPlays.size;
  const catalogArtists = catalog?.artists ?? tallies.year.artistStreams.size;
  const year = yearMetrics(tallies.realism, tallies.year, catalogSongs, catalogArtists);
  return {
    runDir,
    parts: parts.length,
    catalogSongs,
    catalogArtists,
    catalogFrom: catalog === undefined ? 'played songs' : 'catalog',
    ...finishScorecard(tallies.realism, [...firstRoundMetrics(tallies.realism, catalogSongs), ...year.metrics]),
    ...year.detail,
  };
}
