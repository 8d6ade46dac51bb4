import { readContainer, readContainerSchema } from '../../src/formats/avro/read-container';
import { expectPositionals, parseCommand, wholeFlag, type CommandDef } from '../flags';

const INSPECT = {
  name: 'inspect',
  args: 'FILE.avro',
  about: `Prints the records of any AVRO object container file as NDJSON (one JSON object
per line, bytes as base64), or with --schema its writer schema as JSON.`,
  flags: {
    limit: { type: 'string', value: 'N', help: 'print at most N records' },
    schema: { type: 'boolean', help: 'print the writer schema instead of the records' },
  },
} as const satisfies CommandDef;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(INSPECT, argv);
  const [file] = expectPositionals(INSPECT, positionals, 1, 'one AVRO file');
  if (values.schema) {
    process.stdout.write(JSON.stringify(await readContainerSchema(file), null, 2) + '\n');
    return;
  }
  const limit = wholeFlag(INSPECT, 'limit', values.limit, 0) ?? Infinity;
  if (limit === 0) return;
  let n = 0;
  for await (const record of readContainer(file)) {
    const line = JSON.stringify(record, (_k, v) => (Buffer.isBuffer(v) ? v.toString('base64') : v)) + '\n';
    if (!process.stdout.write(line)) await new Promise((r) => process.stdout.once('drain', r));
    if (++n >= limit) break;
  }
}
