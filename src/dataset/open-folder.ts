import { FolderStore } from '../runtime/storage/folder-store';
import { RunDataset } from './run-dataset';
import { WorldDataset } from './world-dataset';

/** The finished run in folder `runDir` (manifest of either layout). */
export function openRunFolder(runDir: string): Promise<RunDataset> {
  return RunDataset.openRun(new FolderStore(runDir));
}

/** The world in folder `worldDir`. */
export function openWorldFolder(worldDir: string): Promise<WorldDataset> {
  return WorldDataset.open(new FolderStore(worldDir));
}
