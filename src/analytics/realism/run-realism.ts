import * as fs from 'node:fs';
import { readContainer } from '../../formats/avro/read-container';
import { RunLayout } from '../../pipeline/run-layout';
import { requireFolder } from '../profile/run-profile';
import { openRunFolder } from '../../dataset/open-folder';
import { recordsOf } from '../../dataset/record-view';
import { RealismTally, type RealismRecord } from './realism-tally';

/** The fields the scorecard reads of a record; `device` only where the part has it (schema v2). */
const REALISM_FIELDS = [
  'user_id',
  'user_location.country',
  'user_location.timezone',
  'interaction',
  'song_name',
  'artist',
  'length_seconds',
  'listening_time.start_time',
  'listening_time.end_time',
  'personality',
  'device',
] as const;
import { buildScorecard, type Scorecard } from './scorecard';

export interface RunScorecard extends Scorecard {
  runDir: string;
  parts: number;
  /** songs in the run's catalog checkpoint, or the distinct songs streamed when it is missing */
  catalogSongs: number;
  catalogFrom: 'catalog' | 'played songs';
}

async function catalogSize(runDir: string): Promise<number | undefined> {
  const file = new RunLayout(runDir).catalogPath;
  if (!fs.existsSync(file)) return undefined;
  let n = 0;
  for await (const _song of readContainer(file)) n++;
  return n;
}

/**
 * The realism scorecard of a run, from its AVRO part files and its catalog checkpoint
 * alone. A part holds whole users; each user's streams are put in time order first.
 */
export async function realismOfRun(runDir: string, onPart: (done: number, total: number) => void = () => {}): Promise<RunScorecard> {
  const dataset = await openRunFolder(requireFolder(runDir));
  const parts = dataset.parts;
  const tally = new RealismTally();
  for (let p = 0; p < parts.length; p++) {
    const byUser = new Map<number, RealismRecord[]>();
    for await (const batch of dataset.columns(parts[p], REALISM_FIELDS)) {
      for (const r of recordsOf<RealismRecord>(batch)) {
        let list = byUser.get(r.user_id);
        if (!list) byUser.set(r.user_id, (list = []));
        list.push(r);
      }
    }
    for (const userId of [...byUser.keys()].sort((a, b) => a - b)) {
      tally.addUser(byUser.get(userId)!.sort((a, b) => a.listening_time.start_time - b.listening_time.start_time));
    }
    onPart(p + 1, parts.length);
  }
  const catalog = await catalogSize(runDir);
  const catalogSongs = catalog ?? tally.songPlays.size;
  return {
    runDir,
    parts: parts.length,
    catalogSongs,
    catalogFrom: catalog === undefined ? 'played songs' : 'catalog',
    ...buildScorecard(tally, catalogSongs),
  };
}
