import * as path from 'node:path';
import { expect } from 'vitest';
import { namespaceOf } from '../helpers/shared-temporal';

// Runs before the test file's imports: the file's own namespace on the shared dev servers,
// for everything it starts in process (workers, clients, the CLI's commands) and in child processes.
process.env.TEMPORAL_NAMESPACE = namespaceOf(path.relative(path.resolve(__dirname, '../..'), expect.getState().testPath!));
