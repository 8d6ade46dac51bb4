import { parseArgs } from 'node:util';
import { UsageError } from './usage-error';

/**
 * One definition of a command's flags serves both the parser and the help text, so they cannot drift.
 * Every command parses its argv with `parseCommand`; `--help`/`-h` is answered from the same definition.
 */
type FlagDef =
  | { type: 'boolean'; help: string; hidden?: boolean }
  | { type: 'string'; value: string; help: string; multiple?: boolean; hidden?: boolean };

export type FlagDefs = Record<string, FlagDef>;

export type FlagValues<F extends FlagDefs> = {
  [K in keyof F]?: F[K] extends { type: 'boolean' } ? boolean : F[K] extends { multiple: true } ? string[] : string;
};

export interface CommandDef<F extends FlagDefs = FlagDefs> {
  /** as typed after `wrapped-etl`, e.g. "schedule create" */
  name: string;
  /** the positionals in the synopsis, e.g. "RUN_DIR" */
  args?: string;
  /** what the command does: paragraphs printed under the synopsis */
  about: string;
  flags: F;
  /** printed after the flags */
  footer?: string;
}

/** `--help` was asked for: main prints `text` on stdout and exits 0. */
export class HelpRequest extends Error {
  constructor(readonly text: string) {
    super('help requested');
    this.name = 'HelpRequest';
  }
}

const HELP_FLAG = '  -h, --help';
const PAD = 26;

function flagLine(name: string, def: FlagDef): string {
  const left = `  --${name}${def.type === 'string' ? ` ${def.value}` : ''}`;
  const lines = def.help.split('\n');
  const first = left.length < PAD ? `${left.padEnd(PAD)}${lines[0]}` : `${left}\n${' '.repeat(PAD)}${lines[0]}`;
  return [first, ...lines.slice(1).map((l) => ' '.repeat(PAD) + l)].join('\n');
}

/** The flags part of a help text, one line per visible flag, in definition order. */
function flagsHelp(flags: FlagDefs): string {
  return Object.entries(flags)
    .filter(([, def]) => !def.hidden)
    .map(([name, def]) => flagLine(name, def))
    .join('\n');
}

export function helpText(def: CommandDef): string {
  const flags = flagsHelp(def.flags);
  return [
    `Usage: wrapped-etl ${def.name}${def.args ? ` ${def.args}` : ''}${Object.keys(def.flags).length ? ' [flags]' : ''}`,
    '',
    def.about.trimEnd(),
    '',
    'Flags:',
    ...(flags ? [flags] : []),
    `${HELP_FLAG.padEnd(PAD)}show this help`,
    ...(def.footer ? ['', def.footer.trimEnd()] : []),
    '',
  ].join('\n');
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** The closest of `candidates` to a mistyped `word`, if one is close enough to be what was meant. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = c.startsWith(word) || word.startsWith(c) ? 1 : editDistance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** A usage error of this command: main prints it on one line with a pointer to the command's --help. */
export function usageError(def: Pick<CommandDef, 'name'>, message: string): UsageError {
  return new UsageError(message, def.name);
}

/** A whole-number flag within [min, max], or undefined when not given. */
export function wholeFlag(
  def: Pick<CommandDef, 'name'>,
  flag: string,
  v: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (v === undefined) return undefined;
  // decimal digits only: Number() would also take 0x10, 1e3, 0b1 or " 7"
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw usageError(
      def,
      `--${flag} needs a whole number ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`}, got "${v}"`,
    );
  }
  return n;
}

/**
 * Parses argv by the definition: values typed as declared, positionals in order.
 * Unknown flags, a string flag without its value and a boolean flag given a value are usage errors
 * (with a "did you mean" for near misses); `--help` anywhere throws a HelpRequest.
 */
export function parseCommand<F extends FlagDefs>(def: CommandDef<F>, argv: string[]): { values: FlagValues<F>; positionals: string[] } {
  const { tokens } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.entries(def.flags).map(([name, f]) => [name, { type: f.type }])),
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const known = Object.keys(def.flags);
  const values: Record<string, string | string[] | boolean> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    if (token.name === 'help' || token.name === 'h') throw new HelpRequest(helpText(def));
    const flag = def.flags[token.name];
    if (!flag || token.rawName.length === 2) {
      const guess = closest(
        token.name,
        known.filter((k) => !def.flags[k].hidden),
      );
      throw usageError(def, `unknown flag ${token.rawName}${guess ? ` (did you mean --${guess}?)` : ''}`);
    }
    if (flag.type === 'boolean') {
      if (token.value !== undefined) throw usageError(def, `--${token.name} takes no value, got "${token.value}"`);
      values[token.name] = true;
      continue;
    }
    const value = token.value;
    if (value === undefined || (!token.inlineValue && value.startsWith('--') && value.length > 2)) {
      throw usageError(def, `--${token.name} needs a value (${flag.value})`);
    }
    if (flag.multiple) values[token.name] = [...((values[token.name] as string[] | undefined) ?? []), value];
    else values[token.name] = value;
  }
  return { values: values as FlagValues<F>, positionals };
}

/** Positionals beyond `count` are a usage error naming the first extra one. */
export function expectPositionals(def: Pick<CommandDef, 'name'>, positionals: string[], count: number, what: string): string[] {
  if (positionals.length < count) throw usageError(def, `give ${what}`);
  if (positionals.length > count) throw usageError(def, `unexpected argument "${positionals[count]}"`);
  return positionals;
}
