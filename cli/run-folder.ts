import * as fs from 'node:fs';
import { findManifestKey } from '../src/dataset/manifest-location';
import { InputError } from '../src/domain/errors';
import { findManifest, MANIFEST_NAME } from '../src/pipeline/run-layout';
import { FolderStore } from '../src/runtime/storage/folder-store';
import { openStore } from '../src/runtime/storage/open-store';
import { UsageError } from './usage-error';

/** A command reading a finished run says a missing or unfinished folder at once, as a usage error. */
export function requireFinishedRunDir(runDir: string): void {
  if (!fs.existsSync(runDir)) throw new UsageError(`no run folder at ${runDir}`);
  if (!findManifest(runDir)) throw new UsageError(`${runDir} holds no ${MANIFEST_NAME}: not a finished run folder`);
}

/** requireFinishedRunDir for a run folder or an s3:// location (one WRAPPED_ETL_S3_ALLOW lists). */
export async function requireFinishedRun(location: string): Promise<void> {
  let store;
  try {
    store = openStore(location, 'run');
  } catch (err) {
    if (err instanceof InputError) throw new UsageError(err.message);
    throw err;
  }
  if (store instanceof FolderStore) return requireFinishedRunDir(location);
  if (!(await findManifestKey(store))) throw new UsageError(`${location} holds no ${MANIFEST_NAME}: not a finished run`);
}
