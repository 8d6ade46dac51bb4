import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cancel from '../../cli/commands/cancel';
import * as catalog from '../../cli/commands/catalog';
import * as exportCommand from '../../cli/commands/export';
import * as generate from '../../cli/commands/generate';
import * as inspect from '../../cli/commands/inspect';
import * as profile from '../../cli/commands/profile';
import * as realism from '../../cli/commands/realism';
import * as resume from '../../cli/commands/resume';
import * as schedule from '../../cli/commands/schedule';
import * as server from '../../cli/commands/server';
import * as status from '../../cli/commands/status';
import * as stream from '../../cli/commands/stream';
import * as worker from '../../cli/commands/worker';
import * as world from '../../cli/commands/world';
import * as wrapped from '../../cli/commands/wrapped';
import { HelpRequest } from '../../cli/flags';
import { main } from '../../cli/main';

/**
 * docs/cli.md's reference part, generated from the commands' flag definitions (cli/flags.ts): the `--help` of
 * every command and subcommand, as the CLI prints it. `npx tsx test/docs/cli-reference.ts` rewrites it;
 * test/integration/docs/cli-reference.test.ts fails when it is out of date.
 */
export const CLI_DOC = path.resolve(__dirname, '..', '..', 'docs', 'cli.md');
export const MARKER =
  '<!-- Everything below is generated from cli/flags.ts definitions by `npx tsx test/docs/cli-reference.ts`; do not edit. -->';

/** The command modules, imported statically (main loads them with require, which the test runner does not transform). */
const MODULES: Record<string, { run(argv: string[]): Promise<void> }> = {
  generate,
  server,
  worker,
  inspect,
  catalog,
  profile,
  realism,
  status,
  resume,
  cancel,
  schedule,
  wrapped,
  world,
  stream,
  export: exportCommand,
};
const SUBCOMMANDS: Record<string, string[]> = {
  schedule: ['create', 'list', 'describe', 'pause', 'unpause', 'trigger', 'delete'],
  world: ['create', 'advance', 'status', 'repair'],
};

async function mainHelp(): Promise<string> {
  let text = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    text += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    await main(['--help']);
  } finally {
    process.stdout.write = write;
  }
  return text.trimEnd();
}

async function helpOf(command: string, sub: string[]): Promise<string> {
  try {
    await MODULES[command].run([...sub, '--help']);
  } catch (err) {
    if (err instanceof HelpRequest) return err.text.trimEnd();
    throw err;
  }
  throw new Error(`wrapped-etl ${command} ${sub.join(' ')} --help printed no help`);
}

export async function cliReference(): Promise<string> {
  const block = (title: string, text: string) => `${title}\n\n\`\`\`text\n${text}\n\`\`\``;
  const sections = [block('## Reference', await mainHelp())];
  for (const command of Object.keys(MODULES)) {
    for (const sub of SUBCOMMANDS[command] ?? ['']) {
      const argv = sub ? [sub] : [];
      sections.push(block(`### wrapped-etl ${[command, ...argv].join(' ')}`, await helpOf(command, argv)));
    }
  }
  return sections.join('\n\n');
}

/** docs/cli.md with its reference part (after MARKER) replaced by the generated one. */
export async function renderCliDoc(current: string): Promise<string> {
  const at = current.indexOf(MARKER);
  const head = (at < 0 ? current : current.slice(0, at)).trimEnd();
  return `${head}\n\n${MARKER}\n\n${await cliReference()}\n`;
}

if (require.main === module) {
  void renderCliDoc(fs.readFileSync(CLI_DOC, 'utf8')).then((text) => {
    fs.writeFileSync(CLI_DOC, text);
    console.log(`wrote ${CLI_DOC}`);
  });
}
