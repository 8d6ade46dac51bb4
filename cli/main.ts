import * as fs from 'node:fs';
import * as path from 'node:path';
import { closest, HelpRequest } from './flags';
import { UsageError } from './usage-error';
import { diskFailure } from '../src/runtime/disk-failure';
import { logLevelFromEnv } from '../src/runtime/log-level';

/** Long-running services: their info lines are their report. The other commands report through their own output. */
const SERVICES = new Set(['server', 'worker']);

interface Command {
  run(argv: string[]): Promise<void>;
  /** only for commands not yet on cli/flags.ts, which answer --help themselves */
  usage?: string;
}

/** Commands load lazily, so `inspect` does not pay for the Temporal SDK. */
const COMMANDS: Record<string, { summary: string; load: () => Command }> = {
  generate: { summary: 'generate a dataset (embedded Temporal by default)', load: () => require('./commands/generate') },
  server: { summary: 'run the Temporal dev server with its Web UI', load: () => require('./commands/server') },
  worker: { summary: 'run a worker on the task queue', load: () => require('./commands/worker') },
  inspect: { summary: 'print an AVRO file as NDJSON, or its schema', load: () => require('./commands/inspect') },
  catalog: { summary: 'catalog import SOURCE... --out FILE.avro: ingest song sources', load: () => require('./commands/catalog') },
  profile: { summary: 'fidelity profile of a run: can behaviour tell the personality?', load: () => require('./commands/profile') },
  realism: { summary: 'realism scorecard of a run against published streaming data', load: () => require('./commands/realism') },
  status: { summary: 'progress and state of a generation', load: () => require('./commands/status') },
  resume: { summary: 'resume a failed, cancelled or terminated generation', load: () => require('./commands/resume') },
  cancel: { summary: 'cancel a generation gracefully', load: () => require('./commands/cancel') },
  schedule: {
    summary: 'nightly generations: create, list, describe, pause, unpause, trigger, delete',
    load: () => require('./commands/schedule'),
  },
  wrapped: { summary: 'Wrapped analytics of a run: JSON, Parquet and an HTML report', load: () => require('./commands/wrapped') },
  world: { summary: 'a persistent world advanced day by day: create, advance, status', load: () => require('./commands/world') },
  stream: { summary: "publish a world's days into a Kafka topic, exactly once", load: () => require('./commands/stream') },
  export: { summary: "a user's history in Spotify's export formats", load: () => require('./commands/export') },
};

function mainUsage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return `wrapped-etl: synthetic Spotify-style listening histories as AVRO, orchestrated by Temporal

Usage: wrapped-etl COMMAND [flags]    (wrapped-etl COMMAND --help for its flags)

${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  .join('\n')}

  --version   print the version
  --help      show this help

Exit codes: 0 done, 1 failed (a failed run, an unreachable server, unreadable data), 2 usage error.
`;
}

export function version(): string {
  // dist/cli/main.js and cli/main.ts both sit two folders below the package root
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Warnings and errors only: a command's progress and result lines are its report (LOG_LEVEL=info shows the rest). */
function quietLogs(): void {
  (require('../src/runtime/logger') as typeof import('../src/runtime/logger')).logger.level = 'warn';
}

/** One line: what was wrong and where the help is. */
function usageLine(command: string, message: string): string {
  return `wrapped-etl ${command}: ${message}; see: wrapped-etl ${command} --help\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`wrapped-etl ${version()}\n`);
    return 0;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainUsage());
    return 0;
  }
  if (!name) {
    process.stderr.write(mainUsage());
    return 2;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    const guess = closest(name, Object.keys(COMMANDS));
    const what = name.startsWith('-') ? `unknown flag ${name}` : `unknown command "${name}"`;
    process.stderr.write(`wrapped-etl: ${what}${guess ? ` (did you mean ${guess}?)` : ''}; see: wrapped-etl --help\n`);
    return 2;
  }
  let command: Command;
  try {
    command = entry.load();
  } catch (err) {
    if ((err as { code?: string }).code !== 'MODULE_NOT_FOUND') throw err;
    process.stderr.write(`wrapped-etl: the ${name} command is not available in this build: ${(err as Error).message.split('\n')[0]}\n`);
    return 2;
  }
  if (!SERVICES.has(name) && !logLevelFromEnv()) quietLogs();
  if (command.usage && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(command.usage);
    return 0;
  }
  try {
    await command.run(rest);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof HelpRequest) {
      process.stdout.write(err.text);
      return 0;
    }
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(usageLine((err as UsageError).command ?? name, (err as Error).message.split('\n')[0]));
      return 2;
    }
    const e = err as Error;
    // a full disk: which file and its filesystem's free space (a write's own error names no file)
    const disk = diskFailure(err, { resume: 'then run the command again' });
    process.stderr.write(`wrapped-etl ${name}: ${disk?.type === 'DiskFull' ? disk.message : e.message}\n`);
    if (logLevelFromEnv() === 'debug') process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

/**
 * Resolves once what was written to `stream` has gone out: writes to a pipe are queued when its reader is slower,
 * and process.exit drops the queue (`export --out - | wc -c` got 80 KB of a 5 MB export, with exit 0).
 */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

async function exitWith(code: number): Promise<never> {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

/** Runs a command line and exits with its code once its output has gone out (bin/wrapped-etl.js calls this). */
export function runAndExit(argv: string[]): Promise<never> {
  return main(argv).then(exitWith, (err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    return exitWith(1);
  });
}

if (require.main === module) void runAndExit(process.argv.slice(2));
