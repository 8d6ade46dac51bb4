import { openRun, readAllUserRecords, readUserRecords, toStreams, type SpotifyFormat, type StoredRecord } from './spotify-export';
import { DEFAULT_MAX_FILE_BYTES, HISTORY_LAYOUTS, historyFiles } from './history-files';
import { FolderWriter, ZipWriter, type ExportFile, type HistoryWriter } from './history-writers';

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
 * Each user's folder when a whole run is exported: user-<id>, the id padded to the width
 * of the run's largest, so the folders sort by id (user-007 in a run of 100 to 999 users).
 */
function userFolderName(userId: number, users: number): string {
  return `user-${String(userId).padStart(String(users).length, '0')}`;
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

  const writeUser = (userId: number, records: StoredRecord[]) => {
    const streams = toStreams(records, seed, req.format);
    const root = req.user === undefined ? userFolderName(userId, users) : layout.folder;
    const inFolder = req.user === undefined ? `${layout.folder}/` : '';
    const files: ExportFile[] = [];
    for (const f of historyFiles(streams, layout, req.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES)) {
      files.push({ relPath: inFolder + f.name, data: f.data });
      summary.files++;
      summary.bytes += f.data.length;
    }
    writer.write(root, files);
    summary.streams += streams.length;
    summary.usersDone++;
    req.onProgress?.({ ...summary });
  };

  try {
    if (req.user !== undefined) {
      writeUser(req.user, (await readUserRecords(req.runDir, req.user)).records);
    } else {
      for await (const { userId, records } of readAllUserRecords(dataset)) writeUser(userId, records);
    }
    writer.finish();
  } catch (err) {
    writer.abort();
    throw err;
  }
  return summary;
}
