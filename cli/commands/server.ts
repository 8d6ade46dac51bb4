import { parseArgs } from 'node:util';
import { DEFAULT_UI_PORT } from '../temporal/constants';
import { startDevServer } from '../temporal/dev-server';
import { UsageError } from '../usage-error';

export const usage = `wrapped-etl server [--port 7233] [--ui-port 8233] [--db FILE] [--ip 127.0.0.1]

Runs the Temporal dev server with its Web UI in the foreground; history is kept
in the SQLite file (default .temporal/dev.db). Stop it with Ctrl-C.
`;

function port(flag: string, v: string | undefined, dflt: number): number {
  const n = v === undefined ? dflt : Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`--${flag} needs a port number, got "${v}"`);
  return n;
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, 'ui-port': { type: 'string' }, db: { type: 'string' }, ip: { type: 'string' } },
  });
  const server = await startDevServer({
    ip: values.ip ?? '127.0.0.1',
    port: port('port', values.port, 7233),
    uiPort: port('ui-port', values['ui-port'], DEFAULT_UI_PORT),
    dbFile: values.db ?? '.temporal/dev.db',
    stdio: 'inherit',
  });
  process.stderr.write(`Temporal dev server at ${server.address}, Web UI at ${server.uiUrl}. Ctrl-C stops it.\n`);
  const stop = () => void server.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const code = await server.exited;
  if (code && code !== 0 && code !== 130 && code !== 143) process.exitCode = 1;
}
