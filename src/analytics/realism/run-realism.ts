import * as fs from 'node:fs';
import { readContainer } from '../../formats/avro/read-container';
import { RunLayout } from '../../pipeline/run-layout';
import { runPartFiles } from '../profile/run-profile';
import { RealismTally, type RealismRecord } from './realism-tally';
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
  const parts = runPartFiles(runDir);
  const tally = new RealismTally();
  for (let p = 0; p < parts.length; p++) {
    const byUser = new Map<number, RealismRecord[]>();
    for await (const r of readContainer<RealismRecord>(parts[p])) {
      let list = byUser.get(r.user_id);
      if (!list) byUser.set(r.user_id, (list = []));
      list.push(r);
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
