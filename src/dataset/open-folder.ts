import { FolderStore } from '../runtime/storage/folder-store';
import { openStore } from '../runtime/storage/open-store';
import { RunDataset } from './run-dataset';
import { WorldDataset } from './world-dataset';

/** The finished run in folder `runDir` (manifest of either layout). */
export function openRunFolder(runDir: string): Promise<RunDataset> {
  return RunDataset.openRun(new FolderStore(runDir));
}

/** The finished run at `location`: a folder, or s3://bucket/prefix (a bucket WRAPPED_ETL_S3_ALLOW lists; else an InputError on `run`). */
export function openRunAt(location: string): Promise<RunDataset> {
  return RunDataset.openRun(openStore(location, 'run'));
}

/** The world in folder `worldDir`. */
export function openWorldFolder(worldDir: string): Promise<WorldDataset> {
  return WorldDataset.open(new FolderStore(worldDir));
}
