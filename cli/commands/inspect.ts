import { parseArgs } from 'node:util';
import { readContainer, readContainerSchema } from '../../src/formats/avro/read-container';
import { UsageError } from '../usage-error';

export const usage = `wrapped-etl inspect FILE.avro [--limit N] [--schema]

Prints the records of any AVRO object container file as NDJSON, or with --schema
its writer schema.
`;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { limit: { type: 'string' }, schema: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('give exactly one AVRO file');
  const file = positionals[0];
  if (values.schema) {
    process.stdout.write(JSON.stringify(await readContainerSchema(file), null, 2) + '\n');
    return;
  }
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  if (values.limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw new UsageError(`--limit needs a whole number >= 0, got "${values.limit}"`);
  if (limit === 0) return;
  let n = 0;
  for await (const record of readContainer(file)) {
    const line = JSON.stringify(record, (_k, v) => (Buffer.isBuffer(v) ? v.toString('base64') : v)) + '\n';
    if (!process.stdout.write(line)) await new Promise((r) => process.stdout.once('drain', r));
    if (++n >= limit) break;
  }
}
