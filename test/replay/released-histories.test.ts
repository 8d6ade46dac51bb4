import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { installRuntime, WORKFLOWS_PATH } from '../../cli/temporal/worker';
import { historyFromObject } from './history-file';

const DIR = path.join(__dirname, 'histories');
const FILES = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('histories of the released workflows (test/replay/histories) replay against the current code', () => {
  it('has histories to replay', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(4);
  });

  it.each(FILES)('%s replays without a determinism error', async (file) => {
    installRuntime();
    const history = historyFromObject(JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as object);
    await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, path.basename(file, '.json'));
  });
});
