import { threadJob } from '../runtime/thread-job';
import { historyFiles, HISTORY_LAYOUTS } from './history-files';
import { deflatedForZip, type ExportFile } from './history-writers';
import { openRun, readPartUserRecords, toStreams, type SpotifyFormat } from './spotify-export';

export interface ExportPartJob {
  /** the run: a folder or s3://bucket/prefix/RUN */
  runDir: string;
  /** the part's index in the manifest */
  shard: number;
  format: SpotifyFormat;
  maxFileBytes: number;
  /** deflate the files for a zip entry here (deflatedForZip) */
  forZip: boolean;
}

/** One user's export: its JSON files (paths under the export's folder) and how many streams they hold. */
export interface ExportedUser {
  userId: number;
  streams: number;
  files: ExportFile[];
}

/** One part's users' exports in a pool thread (ThreadPool.run(exportPartThreadJob, ...)); progress is users done. */
export const exportPartThreadJob = threadJob<ExportPartJob, number, ExportedUser[]>(__filename, runExportPartJob);

/**
 * The export files of every user of one part, in user order: the part is read (checked by
 * its sha256) and each user's streams are made and laid out into JSON files, the CPU-heavy
 * part of an export; writing them, in order, is the caller's.
 */
export async function runExportPartJob(job: ExportPartJob, onProgress: (users: number) => void = () => {}): Promise<ExportedUser[]> {
  const dataset = await openRun(job.runDir);
  const { seed } = dataset.manifest.params;
  const layout = HISTORY_LAYOUTS[job.format];
  const users: ExportedUser[] = [];
  for await (const { userId, records } of readPartUserRecords(dataset, job.shard)) {
    const streams = toStreams(records, seed, job.format);
    const files = [...historyFiles(streams, layout, job.maxFileBytes)].map((f) => {
      const file = { relPath: f.name, data: f.data };
      return job.forZip ? deflatedForZip(file) : file;
    });
    users.push({ userId, streams: streams.length, files });
    onProgress(users.length);
  }
  return users;
}
