import { inlineJobs, type JobRunner, type JobTask } from '../runtime/thread-job';
import { exportPartThreadJob, userFolderName, type ExportedUser } from './export-part-job';
import { openRun, readUserRecords, toStreams, type SpotifyFormat } from './spotify-export';
import { DEFAULT_MAX_FILE_BYTES, HISTORY_LAYOUTS, historyFiles } from './history-files';
import { fileBytes, FolderWriter, ZipWriter, type ExportFile, type HistoryWriter } from './history-writers';

export interface ExportRequest {
  /** the run: a folder or s3://bucket/prefix/RUN */
  runDir: string;
  format: SpotifyFormat;
  /** one user, or every user of the run when undefined */
  user?: number;
  /** a folder to write into, or a zip file */
  out: { kind: 'folder' | 'zip'; path: string };
  maxFileBytes?: number;
  onProgress?: (p: ExportProgress) => void;
  /** where every user's export of a whole run is made, part by part (default: this thread) */
  pool?: JobRunner;
}

export interface ExportProgress {
  usersDone: number;
  usersTotal: number;
  streams: number;
  bytes: number;
}

export interface ExportSummary extends ExportProgress {
  files: number;
}

/**
 * Writes Spotify-style exports of a finished run, laid out as in my_spotify_data.zip:
 * for one user the export's folder (e.g. "Spotify Extended Streaming History/") with its
 * JSON files; for all users one user-<id>/ folder each holding that. A zip holds exactly
 * what the folder would. Checks the run and the user before anything is written.
 */
export async function exportHistories(req: ExportRequest): Promise<ExportSummary> {
  const dataset = await openRun(req.runDir, req.user);
  const { seed, users } = dataset.manifest.params;
  const layout = HISTORY_LAYOUTS[req.format];
  const writer: HistoryWriter = req.out.kind === 'zip' ? new ZipWriter(req.out.path) : new FolderWriter(req.out.path);
  const summary: ExportSummary = { usersDone: 0, usersTotal: req.user === undefined ? users : 1, streams: 0, bytes: 0, files: 0 };

  const maxFileBytes = req.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const writeUser = ({ userId, streams, files, written }: ExportedUser) => {
    if (written) {
      summary.files += written.files;
      summary.bytes += written.bytes;
    } else {
      const root = req.user === undefined ? userFolderName(userId, users) : layout.folder;
      const inFolder = req.user === undefined ? `${layout.folder}/` : '';
      writer.write(
        root,
        files.map((f) => ({ ...f, relPath: inFolder + f.relPath })),
      );
      summary.files += files.length;
      for (const f of files) summary.bytes += fileBytes(f);
    }
    summary.streams += streams;
    summary.usersDone++;
    req.onProgress?.({ ...summary });
  };

  // parts are made on the pool, at most one more than it runs at once ahead of the one being written;
  // into a folder, each thread writes its users' folders itself (they need no order), so only counts come back
  const runner = req.pool ?? inlineJobs;
  const tasks: (JobTask<ExportedUser[]> | undefined)[] = [];
  const startPart = (shard: number) => {
    const intoFolder = req.out.kind === 'folder' ? req.out.path : undefined;
    const input = { runDir: req.runDir, shard, format: req.format, maxFileBytes, forZip: req.out.kind === 'zip', intoFolder };
    const task = runner.run(exportPartThreadJob, input, `export of ${dataset.parts[shard].file}`);
    // a later part's failure is met when its turn comes (or it is cancelled): not unhandled meanwhile
    task.result.catch(() => {});
    tasks.push(task);
  };
  try {
    if (req.user !== undefined) {
      const streams = toStreams((await readUserRecords(req.runDir, req.user)).records, seed, req.format);
      const files: ExportFile[] = [...historyFiles(streams, layout, maxFileBytes)].map((f) => ({ relPath: f.name, data: f.data }));
      writeUser({ userId: req.user, streams: streams.length, files });
    } else {
      const parts = dataset.parts.length;
      while (tasks.length < Math.min(parts, runner.size + 1)) startPart(tasks.length);
      for (let shard = 0; shard < parts; shard++) {
        const made = await tasks[shard]!.result;
        tasks[shard] = undefined;
        if (tasks.length < parts) startPart(tasks.length);
        for (const user of made) writeUser(user);
      }
    }
    writer.finish();
  } catch (err) {
    // a part writing user folders is let finish (it leaves whole folders, no temporary ones); a zip's parts are dropped
    if (req.out.kind === 'folder') await Promise.allSettled(tasks.map((task) => task?.result));
    else for (const task of tasks) task?.cancel();
    writer.abort();
    throw err;
  }
  return summary;
}
