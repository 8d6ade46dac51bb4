import { DEFAULT_UI_PORT } from '../temporal/constants';
import { startDevServer } from '../temporal/dev-server';
import { expectPositionals, parseCommand, wholeFlag, type CommandDef } from '../flags';

const SERVER = {
  name: 'server',
  about: `Runs the Temporal dev server with its Web UI in the foreground; history is kept
in a SQLite file. Stop it with Ctrl-C.`,
  flags: {
    port: { type: 'string', value: 'PORT', help: 'gRPC port (default 7233)' },
    'ui-port': { type: 'string', value: 'PORT', help: `Web UI port (default ${DEFAULT_UI_PORT})` },
    db: { type: 'string', value: 'FILE', help: 'SQLite history file (default .temporal/dev.db)' },
    ip: { type: 'string', value: 'IP', help: 'address to listen on (default 127.0.0.1)' },
  },
} as const satisfies CommandDef;

const port = (flag: string, v: string | undefined, dflt: number) => wholeFlag(SERVER, flag, v, 1, 65535) ?? dflt;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(SERVER, argv);
  expectPositionals(SERVER, positionals, 0, '');
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
