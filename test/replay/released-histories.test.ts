import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { installRuntime, WORKFLOWS_PATH } from '../../cli/temporal/worker';
import { historyFromObject } from './history-file';

const DIR = path.join(__dirname, 'histories');
/** The histories committed with each release (recorded by record-histories.ts); a new one is added here too. */
const RELEASED = [
  'analyze-dataset-small.json',
  'generate-dataset-continued-as-new.json',
  'generate-dataset-invalid-input.json',
  'generate-dataset-small.json',
  'stream-world-refused.json',
  'world-advance-first-day.json',
  'world-advance-last-day.json',
  'world-create.json',
];

describe('histories of the released workflows (test/replay/histories) replay against the current code', () => {
  it('has exactly the committed histories to replay', () => {
    const files = fs
      .readdirSync(DIR)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(files).toEqual(RELEASED);
  });

  it.each(RELEASED)('%s replays without a determinism error', async (file) => {
    installRuntime();
    const history = historyFromObject(JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as object);
    await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, path.basename(file, '.json'));
  });
});
