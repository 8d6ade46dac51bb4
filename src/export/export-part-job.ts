import type { RunDataset } from '../dataset/run-dataset';
import { threadJob } from '../runtime/thread-job';
import { entryFiles, HISTORY_LAYOUTS } from './history-files';
import { deflatedForZip, FolderWriter, type ExportFile } from './history-writers';
import { AlbumFiller, openRun, type SpotifyFormat } from './spotify-export';
import { EXPORT_FIELDS, StreamEntries, UserColumns } from './stream-entries';

export interface ExportPartJob {
  /** the run: a folder or s3://bucket/prefix/RUN */
  runDir: string;
  /** the part's index in the manifest */
  shard: number;
  format: SpotifyFormat;
  maxFileBytes: number;
  /** deflate the files for a zip entry here (deflatedForZip) */
  forZip: boolean;
  /**
   * Write each user's folder here (userFolderName, each folder atomic) instead of handing
   * the files back: an export of every user into a folder, whose folders need no order.
   */
  intoFolder?: string;
}

/** One user's export: its JSON files (paths under the export's folder) and how many streams they hold. */
export interface ExportedUser {
  userId: number;
  streams: number;
  /** the files, or none when the job wrote them (intoFolder) */
  files: ExportFile[];
  /** what the job wrote into its folder (intoFolder): files and their bytes */
  written?: { files: number; bytes: number };
}

/**
 * Each user's folder when a whole run is exported: user-<id>, the id padded to the width
 * of the run's largest, so the folders sort by id (user-007 in a run of 100 to 999 users).
 */
export function userFolderName(userId: number, users: number): string {
  return `user-${String(userId).padStart(String(users).length, '0')}`;
}

/** One part's users' exports in a pool thread (ThreadPool.run(exportPartThreadJob, ...)); progress is users done. */
export const exportPartThreadJob = threadJob<ExportPartJob, number, ExportedUser[]>(__filename, runExportPartJob);

/**
 * The records of part `shard`'s users, user by user in id order (users without streams come
 * empty), read as columns of EXPORT_FIELDS through the run's reader (the part checked by its
 * sha256 first). A part holds its users' records one user after another (as the generator
 * writes them), so one user is held at a time; the same UserColumns is refilled for the next.
 */
export async function* partUsers(dataset: RunDataset, shard: number): AsyncGenerator<UserColumns> {
  const { users, shardSize } = dataset.manifest.params;
  const part = dataset.parts[shard];
  const last = Math.min(users, (shard + 1) * shardSize);
  const user = new UserColumns();
  let next = shard * shardSize + 1;
  user.clear(next);
  for await (const batch of dataset.columns(part, EXPORT_FIELDS)) {
    const ids = batch.numbers('user_id');
    let from = 0;
    while (from < batch.length) {
      const id = ids[from];
      if (id !== next) {
        if (user.length) {
          yield user;
          user.clear(++next);
        }
        while (next < id && next <= last) {
          yield user;
          user.clear(++next);
        }
        if (id !== next)
          throw new Error(`${part.file}: the records of user ${id} are not where the generator writes them (expected user ${next})`);
      }
      let to = from + 1;
      while (to < batch.length && ids[to] === id) to++;
      user.append(batch, from, to);
      from = to;
    }
  }
  if (user.length) {
    yield user;
    user.clear(++next);
  }
  while (next <= last) {
    yield user;
    user.clear(++next);
  }
}

/**
 * The export files of every user of one part, in user order: the part is read (checked by
 * its sha256) and each user's streams are laid out into JSON files, the CPU-heavy part of
 * an export; writing them, in order, is the caller's, except into a folder (intoFolder), written here.
 */
export async function runExportPartJob(job: ExportPartJob, onProgress: (users: number) => void = () => {}): Promise<ExportedUser[]> {
  const dataset = await openRun(job.runDir);
  const layout = HISTORY_LAYOUTS[job.format];
  const entries = new StreamEntries(dataset.manifest.params.seed, job.format);
  const albums = new AlbumFiller(dataset);
  const users: ExportedUser[] = [];
  const folder = job.intoFolder === undefined ? undefined : new FolderWriter(job.intoFolder);
  const inFolder = `${layout.folder}/`;
  try {
    for await (const user of partUsers(dataset, job.shard)) {
      // a v1 part's records carry no album: the run's catalog gives it, read once and only when needed
      if (job.format === 'spotify-extended' && user.length && !user.album.length) entries.albums ??= await albums.albums();
      const files = [...entryFiles(entries.render(user), layout, job.maxFileBytes)].map((f) => {
        const file = { relPath: f.name, data: f.data };
        return job.forZip ? deflatedForZip(file) : file;
      });
      if (folder) {
        folder.write(
          userFolderName(user.userId, dataset.manifest.params.users),
          files.map((f) => ({ ...f, relPath: inFolder + f.relPath })),
        );
        const bytes = files.reduce((n, f) => n + f.data.length, 0);
        users.push({ userId: user.userId, streams: user.length, files: [], written: { files: files.length, bytes } });
      } else users.push({ userId: user.userId, streams: user.length, files });
      onProgress(users.length);
    }
  } catch (err) {
    folder?.abort();
    throw err;
  }
  return users;
}
