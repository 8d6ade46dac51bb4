import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelpRequest, parseCommand, type CommandDef } from '../../../cli/flags';
import { formatProgress, ProgressBar } from '../../../cli/progress-bar';
import { wantsColor } from '../../../src/runtime/color';
import { runInProcess } from '../../../src/pipeline/in-process-run';
import { RunLayout } from '../../../src/pipeline/run-layout';
import { resolveGenerationInput } from '../../../src/config/generation-input';
import { makeTmpDir } from '../../helpers/tmp-dir';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin/wrapped-etl.js');
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;

/** The CLI as a user runs it: no terminal, no colour variables unless given. */
function cli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  for (const k of ['NO_COLOR', 'FORCE_COLOR']) if (!opts.env?.[k]) delete env[k];
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, encoding: 'buffer', timeout: 60_000, env });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString(), raw: r.stdout };
}

/** Every `--flag` a help text lists. */
const listedFlags = (help: string) => [...help.matchAll(/^ {2}(?:-h, )?--([a-z-]+)/gm)].map((m) => m[1]);

describe('CLI manners: version, help, usage errors, exit codes', () => {
  it('--version prints the package version and exits 0', () => {
    for (const flag of ['--version', '-V']) {
      const r = cli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`wrapped-etl ${VERSION}\n`);
    }
  });

  it('answers an unknown flag in one line with a "did you mean" and the way to --help, exit 2', () => {
    const r = cli(['generate', '--userz', '5']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('wrapped-etl generate: unknown flag --userz (did you mean --users?); see: wrapped-etl generate --help\n');
    const far = cli(['inspect', 'x.avro', '--zzzzzzzz']);
    expect(far.stderr).toBe('wrapped-etl inspect: unknown flag --zzzzzzzz; see: wrapped-etl inspect --help\n');
    const cmd = cli(['genrate']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toBe('wrapped-etl: unknown command "genrate" (did you mean generate?); see: wrapped-etl --help\n');
    const sub = cli(['schedule', 'lsit']);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toBe('wrapped-etl schedule: unknown subcommand "lsit" (did you mean list?); see: wrapped-etl schedule --help\n');
  });

  it('every usage error is one line on stderr and exits 2', () => {
    for (const args of [
      ['generate', '--users'],
      ['generate', '--users', 'many'],
      ['generate', '--json=yes'],
      ['status'],
      ['status', 'a', 'b'],
      ['export', 'run', '--format', 'csv', '--user', '1', '--out', 'x.json'],
      ['schedule', 'create', 'x', '--cron', '0 2 * * *', '--run-name', 'fixed'],
      ['schedule', 'create', 'x', '--cron', 'bogus'],
      ['wrapped', '/nonexistent'],
      ['profile', '/nonexistent'],
      ['catalog', 'import', 'foo:bar', '--out', 'x.avro'],
      ['catalog', 'import', 'synthetic:5', '--out', '/nonexistent/dir/c.avro'],
      ['realism', '/nonexistent'],
    ]) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n'), args.join(' ')).toHaveLength(2);
      expect(r.stderr).toMatch(new RegExp(`^wrapped-etl ${args[0]}.*; see: wrapped-etl ${args[0]}( create)? --help\\n$`));
    }
  });

  /** Runs a command in this process; resolves with the help text it answered --help with. */
  async function helpOf(command: string, argv: string[] = []): Promise<string> {
    const [name, ...sub] = command.split(' ');
    const mod = (await import(`../../../cli/commands/${name}`)) as { run(argv: string[]): Promise<void> };
    const err = await mod.run([...sub, ...argv, '--help']).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(err instanceof HelpRequest)) throw new Error(`${command} ${argv.join(' ')}: ${String(err)}`);
    return err.text;
  }

  it('help comes from the flag definitions: every listed flag parses, a rejected one is not listed', async () => {
    for (const command of [
      'generate',
      'status',
      'resume',
      'cancel',
      'wrapped',
      'export',
      'catalog',
      'inspect',
      'profile',
      'realism',
      'worker',
      'server',
      'schedule create',
      'schedule list',
      'schedule pause',
      'world create',
      'world advance',
      'world status',
      'stream',
    ]) {
      const help = await helpOf(command);
      expect(help).toMatch(new RegExp(`^Usage: wrapped-etl ${command}`));
      const flags = listedFlags(help).filter((f) => f !== 'help');
      expect(flags.length, command).toBeGreaterThan(0);
      // every flag the help lists is known to the parser: it gets through to the --help at the end
      await helpOf(
        command,
        flags.flatMap((f) => [`--${f}`, 'x']),
      );
    }
    const create = await helpOf('schedule create');
    expect(create).not.toMatch(/--run-id|--run-name/);
    expect(create).toMatch(/--cron EXPR/);
    expect(await helpOf('generate')).toMatch(/--run-name NAME/);
    const r = cli(['schedule', 'create', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(create);
  });

  it('parseCommand types values by definition and answers --help anywhere', () => {
    const def = {
      name: 'demo',
      about: 'a demo',
      flags: {
        n: { type: 'string', value: 'N', help: 'a number' },
        tag: { type: 'string', value: 'T', help: 'tags', multiple: true },
        dry: { type: 'boolean', help: 'dry' },
      },
    } as const satisfies CommandDef;
    expect(parseCommand(def, ['a', '--n', '-3', '--tag', 'x', '--tag=y', '--dry', 'b'])).toEqual({
      values: { n: '-3', tag: ['x', 'y'], dry: true },
      positionals: ['a', 'b'],
    });
    expect(parseCommand(def, ['--', '--help']).positionals).toEqual(['--help']);
    expect(() => parseCommand(def, ['x', '-h'])).toThrow(HelpRequest);
    expect(() => parseCommand(def, ['--n', '--dry'])).toThrow(/--n needs a value \(N\)/);
  });

  it('documents the exit codes in the main help', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit codes: 0 done, 1 failed .*, 2 usage error/);
    const none = cli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^wrapped-etl: synthetic/);
  });
});

describe('CLI manners: paths are checked before any workflow starts', () => {
  const tmp = makeTmpDir();
  afterAll(() => tmp.cleanup());

  it('wrapped on a missing or unfinished run folder fails at once, with no Temporal server started', () => {
    const missing = cli(['wrapped', path.join(tmp.dir, 'nonexistent')], { cwd: tmp.dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `wrapped-etl wrapped: no run folder at ${path.join(tmp.dir, 'nonexistent')}; see: wrapped-etl wrapped --help\n`,
    );
    fs.mkdirSync(path.join(tmp.dir, 'half'));
    const half = cli(['wrapped', 'half'], { cwd: tmp.dir });
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/half holds no _manifest\.json: not a finished run folder/);
    expect(fs.existsSync(path.join(tmp.dir, '.temporal'))).toBe(false);
  });

  it('generate refuses what would fail its workflow before any server starts: unknown source kind or country, a run folder holding other params', () => {
    const kind = cli(['generate', '--catalog', 'foo:bar', '--users', '5'], { cwd: tmp.dir });
    expect(kind.code).toBe(2);
    expect(kind.stderr).toMatch(
      /^wrapped-etl generate: invalid input: catalog\[0\]: foo:bar: unknown catalog source kind "foo"; use one of .*synthetic:N; see: wrapped-etl generate --help\n$/,
    );
    const country = cli(['generate', '--countries', 'SE,XX', '--users', '5'], { cwd: tmp.dir });
    expect(country.code).toBe(2);
    expect(country.stderr).toBe('wrapped-etl generate: invalid input: countries: no city known for XX; see: wrapped-etl generate --help\n');
    const out = path.join(tmp.dir, 'out');
    const layout = new RunLayout(path.join(out, 'r1'));
    fs.mkdirSync(layout.workDir, { recursive: true });
    fs.writeFileSync(layout.paramsPath, JSON.stringify(resolveGenerationInput({ users: 5, out: '.', runId: 'r1' }, 'r1')));
    const unfinished = cli(['generate', '--users', '6', '--out', out, '--run-name', 'r1'], { cwd: tmp.dir });
    expect(unfinished.code).toBe(2);
    expect(unfinished.stderr).toBe(
      `wrapped-etl generate: ${layout.runDir} holds an unfinished generation with other params (users differs); give another --run-name, or continue that one with: wrapped-etl resume r1; see: wrapped-etl generate --help\n`,
    );
    fs.writeFileSync(layout.manifestPath, '{}');
    const complete = cli(['generate', '--users', '6', '--out', out, '--run-name', 'r1'], { cwd: tmp.dir });
    expect(complete.stderr).toMatch(/holds a complete generation with other params \(users differs\); give another --run-name; see:/);
    expect(fs.existsSync(path.join(tmp.dir, '.temporal'))).toBe(false);
  });
});

describe('CLI manners: - is stdout where a file is written', () => {
  const tmp = makeTmpDir();
  const runDir = path.join(tmp.dir, 'run');
  beforeAll(async () => {
    // a user with more streams than a pipe holds (64 KB), so the export's last bytes are still queued at exit
    await runInProcess(runDir, { users: 3, sessionsPerUser: 800, shardSize: 3, seed: 9, catalog: ['synthetic:50'] });
  });
  afterAll(() => tmp.cleanup());

  it('export --out - prints the whole JSON on stdout, however slowly the pipe drains, and its report on stderr; no file named -', () => {
    const r = cli(['export', runDir, '--format', 'spotify-basic', '--user', '2', '--out', '-'], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    expect(r.raw.length).toBeGreaterThan(128 << 10);
    const streams = JSON.parse(r.stdout) as { msPlayed: number }[];
    expect(streams.length).toBeGreaterThan(0);
    expect(r.stderr).toBe(`${streams.length} streams of user 2 as spotify-basic in stdout\n`);
    expect(fs.existsSync(path.join(tmp.dir, '-'))).toBe(false);
  });

  it('catalog import --out - writes the AVRO catalog to stdout, the JSON report to stderr', () => {
    const r = cli(['catalog', 'import', 'synthetic:20', '--out', '-', '--json'], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    expect(r.raw.subarray(0, 4).toString('latin1')).toBe('Obj\x01');
    expect(JSON.parse(r.stderr)).toMatchObject({ out: '-', songs: 20 });
    expect(fs.existsSync(path.join(tmp.dir, '-'))).toBe(false);
  });
});

describe('CLI manners: colour and progress', () => {
  it('colour follows FORCE_COLOR, then NO_COLOR, then whether the stream is a terminal', () => {
    expect(wantsColor({ isTTY: true }, {})).toBe(true);
    expect(wantsColor({ isTTY: false }, {})).toBe(false);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(wantsColor({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(wantsColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(wantsColor({ isTTY: false }, { FORCE_COLOR: '' })).toBe(true);
    expect(wantsColor({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
  });

  it('pretty logs are coloured only when asked: NO_COLOR wins over a pretty log, FORCE_COLOR colours a pipe', () => {
    const log = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['-e', "require('./dist/src/runtime/logger').logger.info('hello')"], {
        cwd: ROOT,
        encoding: 'utf8',
        env: {
          ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !['NO_COLOR', 'FORCE_COLOR', 'LOG_LEVEL'].includes(k))),
          WRAPPED_ETL_LOG_PRETTY: '1',
          ...env,
        },
      }).stderr;
    expect(log({ NO_COLOR: '1' })).toMatch(/INFO.*hello/);
    expect(log({ NO_COLOR: '1' })).not.toMatch(/\x1b\[/);
    expect(log({})).not.toMatch(/\x1b\[/);
    expect(log({ FORCE_COLOR: '1' })).toMatch(/\x1b\[/);
  });

  const progress = { phase: 'shards' as const, shardsDone: 25, shardsTotal: 100, records: 1_234_567, bytes: 98_765_432 };

  it('the progress line fits the terminal, names shards once and shows rate and ETA', () => {
    for (const columns of [40, 60, 80, 120, 200]) {
      const line = formatProgress(progress, { elapsedMs: 60_000, columns });
      expect(line.length, `${columns} columns: ${line}`).toBeLessThan(columns);
    }
    const line = formatProgress(progress, { elapsedMs: 60_000, columns: 120 });
    expect(line.match(/shards/g)).toHaveLength(1);
    expect(line).toMatch(/^\[#+-+\] +25% {2}generating {2}25\/100 shards {2}1\.23M rec {2}98\.77MB {2}20\.6k rec\/s {2}ETA 3m00s$/);
  });

  it('on a terminal the bar redraws one line no wider than the terminal; off a terminal it prints plain lines', () => {
    const out: string[] = [];
    const tty = { isTTY: true, columns: 60, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream;
    const bar = new ProgressBar(tty);
    bar.update(progress);
    bar.finish({ ...progress, phase: 'done', shardsDone: 100 });
    for (const s of out.filter((x) => x !== '\n')) {
      const visible = s.replace('\r', '').replace('\x1b[K', '');
      expect(visible.length).toBeLessThan(60);
    }
    expect(out.at(-1)).toBe('\n');
    const lines: string[] = [];
    const pipe = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    // without the time spent (a rate that moves with the clock): the same progress makes the same line
    const logged = new ProgressBar<Parameters<typeof formatProgress>[0]>(pipe, (p) => formatProgress(p));
    logged.update(progress);
    // finish prints the last state at once, unless it is the line just printed
    logged.finish(progress);
    expect(lines).toHaveLength(1);
    logged.finish({ ...progress, phase: 'done', shardsDone: 100 });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[#+-+\] .*\n$/);
    expect(lines.join('')).not.toMatch(/\r|\x1b/);
  });
});
