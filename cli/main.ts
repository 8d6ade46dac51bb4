import { UsageError } from './usage-error';

interface Command {
  usage: string;
  run(argv: string[]): Promise<void>;
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
  schedule: { summary: 'nightly generations: create, list, describe, pause, unpause, trigger, delete', load: () => require('./commands/schedule') },
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
`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainUsage());
    return name ? 0 : 2;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`wrapped-etl: unknown command "${name}"\n\n${mainUsage()}`);
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
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage);
    return 0;
  }
  try {
    await command.run(rest);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    const e = err as Error & { code?: string };
    if (err instanceof UsageError || e.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`wrapped-etl ${name}: ${e.message}\n\n${command.usage}`);
      return 2;
    }
    process.stderr.write(`wrapped-etl ${name}: ${e.message}\n`);
    if (process.env.LOG_LEVEL === 'debug') process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`${(err as Error).stack}\n`);
      process.exit(1);
    },
  );
}
