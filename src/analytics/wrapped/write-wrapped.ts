import * as fs from 'node:fs';
import * as path from 'node:path';
import { AtomicFile, writeFileAtomic } from '../../runtime/atomic-file';
import { ParquetFileWriter, writeParquetFile } from '../../formats/parquet/parquet-file-writer';
import { renderWrappedReport } from './html-report';
import { readPartial } from './part-job';
import { MergedScopeTotals, NameIds, rankingScratch, type NameTables, type Renumbering } from './id-tallies';
import { HOURLY_COLUMNS, hourlyRows, TOP_ITEM_COLUMNS, topItemRows, USER_COLUMNS, userRow } from './wrapped-parquet';
import { TOP_COUNTRY, TOP_GLOBAL, type TimelinePoint, type UserWrapped, type WrappedSummary } from './wrapped-types';

/** The files of a Wrapped, in its output folder. */
export const WRAPPED_FILES = {
  summary: 'summary.json',
  users: 'users.json',
  usersParquet: 'users.parquet',
  topItemsParquet: 'top-items.parquet',
  hourlyParquet: 'hourly.parquet',
  report: 'report.html',
} as const;

type WrappedFileKey = keyof typeof WRAPPED_FILES;

export interface WrittenWrapped {
  outDir: string;
  files: Record<WrappedFileKey, string>;
  users: number;
  records: number;
  cardUser: number;
}

/**
 * Merges the part analyses, read one at a time, into the Wrapped files: users stream
 * to users.json and users.parquet, the run and country totals are merged and ranked.
 * `cardUser` picks the user of the report's card (default: the first user).
 */
export async function writeWrapped(opts: {
  outDir: string;
  runId: string;
  runDir: string;
  partials: string[];
  cardUser?: number;
  /** a world's: how the card user's Wrapped moved month by month */
  timeline?: TimelinePoint[];
}): Promise<WrittenWrapped> {
  const file = (k: WrappedFileKey) => path.join(opts.outDir, WRAPPED_FILES[k]);
  fs.mkdirSync(opts.outDir, { recursive: true });
  // names are numbered once for the whole run; each part's numbers are mapped to these
  const names = { songs: new NameIds(), artists: new NameIds(), genres: new NameIds() };
  const renumbered = (ids: NameIds, partNames: readonly string[]) => Int32Array.from(partNames, (name) => ids.id(name));
  const global = new MergedScopeTotals();
  const countries = new Map<string, MergedScopeTotals>();
  const usersParquet = await ParquetFileWriter.open(file('usersParquet'), USER_COLUMNS);
  let usersJson: AtomicFile;
  try {
    usersJson = new AtomicFile(file('users'));
  } catch (err) {
    usersParquet.abort();
    throw err;
  }
  let card: UserWrapped | undefined;
  let users = 0;
  let inferred = 0;
  let matches = 0;
  try {
    usersJson.write(Buffer.from('['));
    for (const partial of opts.partials) {
      const analysis = readPartial(partial);
      if (!analysis)
        throw new Error(`${partial} is missing or does not match its sha256; analyse the run again (intact partials are reused)`);
      const to: Renumbering = {
        songs: renumbered(names.songs, analysis.names.songs),
        artists: renumbered(names.artists, analysis.names.artists),
        genres: renumbered(names.genres, analysis.names.genres),
      };
      global.merge(analysis.global, to);
      for (const [c, totals] of analysis.countries) {
        let t = countries.get(c);
        if (!t) countries.set(c, (t = new MergedScopeTotals()));
        t.merge(totals, to);
      }
      for (const u of analysis.users) {
        usersJson.write(Buffer.from(`${users ? ',' : ''}\n${JSON.stringify(u)}`));
        await usersParquet.append(userRow(u));
        users++;
        if (u.inferred) {
          inferred++;
          if (u.inferred.personality === u.personality) matches++;
        }
        if (!card && (opts.cardUser === undefined || opts.cardUser === u.user_id)) card = u;
      }
    }
    usersJson.write(Buffer.from('\n]\n'));
    if (!card) throw new Error(opts.cardUser === undefined ? 'the run has no users' : `user ${opts.cardUser} has no records in this run`);
    usersJson.commit();
    await usersParquet.commit();
  } catch (err) {
    usersJson.abort();
    usersParquet.abort();
    throw err;
  }

  const tables: NameTables = { songs: names.songs.names, artists: names.artists.names, genres: names.genres.names };
  const scratch = rankingScratch();
  const summary: WrappedSummary = {
    runId: opts.runId,
    runDir: opts.runDir,
    parts: opts.partials.length,
    global: global.summary(TOP_GLOBAL, tables, scratch),
    countries: Object.fromEntries(
      [...countries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, t]) => [c, t.summary(TOP_COUNTRY, tables, scratch)]),
    ),
    personality_inference: inferred ? { users: inferred, matches } : null,
  };
  writeFileAtomic(file('summary'), JSON.stringify(summary, null, 2) + '\n');
  await writeParquetFile(file('topItemsParquet'), TOP_ITEM_COLUMNS, topItemRows(summary));
  await writeParquetFile(file('hourlyParquet'), HOURLY_COLUMNS, hourlyRows(summary));
  writeFileAtomic(file('report'), renderWrappedReport(summary, card, opts.timeline));
  const files = Object.fromEntries((Object.keys(WRAPPED_FILES) as WrappedFileKey[]).map((k) => [k, file(k)])) as Record<
    WrappedFileKey,
    string
  >;
  return { outDir: opts.outDir, files, users, records: summary.global.records, cardUser: card.user_id };
}
