import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isCatalogFile, writeCatalogFile } from '../../src/catalog/catalog-file';
import { ingestSources, parseSourceSpec, SourceError, type IngestReport } from '../../src/catalog/sources';
import { DEFAULTS } from '../../src/config/generation-input';
import { refuseTerminal, STDOUT, viaStdout } from '../stdout-out';
import { checkOutputPlace, checkReplaceable } from '../../src/runtime/output-place';
import { InputError } from '../../src/domain/errors';
import { parseCommand, usageError, wholeFlag, type CommandDef } from '../flags';

const DEFAULT_YEAR = Number(DEFAULTS.to.slice(0, 4));

const CATALOG = {
  name: 'catalog',
  args: 'import SOURCE...',
  about: `Reads song sources, validates and merges them into one catalog file (AVRO, schema
schemas/song.avsc) and says what it did: rows read, songs kept, rows skipped by
reason (the first few with their line or row), fields imputed, duplicates merged.

Sources:
  csv:PATH               a CSV file: the "Spotify - All Time Top 2000s" or 600k-tracks
                         layout, or any file whose headers name title and artist
  html:URL               the song tables of a web page (Title/Song/Single/Track and
                         Artist/Performer columns, Year if present)
  source:PATH.json       a description of another CSV or HTML layout
  synthetic:N            N made-up songs (offline; default synthetic:40000)`,
  flags: {
    out: { type: 'string', value: 'FILE.avro', help: 'where to write the catalog (required; - writes it to stdout)' },
    json: { type: 'boolean', help: 'print the report as one JSON line:\n{"out","sha256","sources":[...],"duplicatesMerged","songs"}' },
    seed: { type: 'string', value: 'N', help: `seed of synthetic sources (default ${DEFAULTS.seed})` },
    year: {
      type: 'string',
      value: 'YYYY',
      help: `the current year: latest valid release is YYYY+1, and the\nanchor of synthetic and imputed years (default ${DEFAULT_YEAR},\nas generate's default --to)`,
    },
    'cache-dir': { type: 'string', value: 'DIR', help: 'keep fetched pages here and reuse them (default: not kept)' },
    'http-delay': { type: 'string', value: 'MS', help: 'pause between requests to one host (default 1000)' },
    'http-timeout': { type: 'string', value: 'MS', help: 'per request (default 20000)' },
  },
} as const satisfies CommandDef;

const int = (flag: string, v: string | undefined, min: number, max: number) => wholeFlag(CATALOG, flag, v, min, max);

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(CATALOG, argv);
  const [action, ...sources] = positionals;
  if (action !== 'import')
    throw usageError(
      CATALOG,
      action ? `unknown action "${action}"; the action is import` : 'say what to do: catalog import SOURCE... --out FILE.avro',
    );
  if (sources.length === 0) throw usageError(CATALOG, 'give at least one SOURCE, e.g. csv:top2000.csv or synthetic:8000');
  if (!values.out) throw usageError(CATALOG, '--out FILE.avro is required');
  const toStdout = values.out === STDOUT;
  if (toStdout) refuseTerminal(CATALOG.name, 'an AVRO file');
  for (const spec of sources) {
    try {
      parseSourceSpec(spec);
    } catch (err) {
      if (err instanceof SourceError) throw usageError(CATALOG, err.message);
      throw err;
    }
  }
  if (!toStdout && !fs.existsSync(path.dirname(path.resolve(values.out)))) {
    throw usageError(CATALOG, `--out: no folder ${path.dirname(path.resolve(values.out))} to write ${path.basename(values.out)} in`);
  }
  if (!toStdout) {
    try {
      checkOutputPlace('out', values.out);
      checkReplaceable('out', values.out, 'a catalog', isCatalogFile);
    } catch (err) {
      if (err instanceof InputError) throw usageError(CATALOG, `--out ${err.problem}`);
      throw err;
    }
  }
  const seed = int('seed', values.seed, 0, 2 ** 53) ?? DEFAULTS.seed;
  const currentYear = int('year', values.year, 1900, 9999) ?? DEFAULT_YEAR;
  const delayMs = int('http-delay', values['http-delay'], 0, 600_000);
  const timeoutMs = int('http-timeout', values['http-timeout'], 1, 600_000);

  const tempCache = values['cache-dir'] ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'wrapped-etl-pages-'));
  const quiet = !!values.json;
  try {
    const { songs, report } = await ingestSources(sources, {
      seed,
      currentYear,
      cacheDir: values['cache-dir'] ? path.resolve(values['cache-dir']) : tempCache!,
      http: { ...(delayMs !== undefined && { delayMs }), ...(timeoutMs !== undefined && { timeoutMs }) },
      onProgress: quiet ? undefined : progressPrinter(),
    });
    const file = toStdout
      ? await viaStdout('catalog.avro', (tmp) => writeCatalogFile(tmp, songs))
      : writeCatalogFile(path.resolve(values.out), songs);
    const shown = toStdout ? STDOUT : file.path;
    // with the catalog on stdout, the report goes to stderr
    const reportTo = toStdout ? process.stderr : process.stdout;
    if (values.json) {
      reportTo.write(JSON.stringify({ out: shown, sha256: file.sha256, ...report, songs: file.songs }) + '\n');
    } else {
      reportTo.write(describeReport(report, shown, file.sha256));
    }
  } finally {
    if (tempCache) fs.rmSync(tempCache, { recursive: true, force: true });
  }
}

/** Progress on stderr; row counts at most every 2 s. */
function progressPrinter(): (event: { source: string; message: string; rowsRead?: number }) => void {
  let last = 0;
  return ({ source, message, rowsRead }) => {
    if (rowsRead !== undefined && Date.now() - last < 2000) return;
    last = Date.now();
    process.stderr.write(`${source}: ${message}\n`);
  };
}

export function describeReport(report: IngestReport, out: string, sha256: string): string {
  const lines: string[] = [];
  for (const s of report.sources) {
    const skipped = Object.values(s.skipped).reduce((a, b) => a + b, 0);
    const reasons = Object.entries(s.skipped).map(([reason, n]) => `${reason} ${n}`);
    lines.push(
      `${s.source}: ${s.rowsRead} rows read, ${s.songsKept} songs kept, ${skipped} skipped${reasons.length ? ` (${reasons.join(', ')})` : ''}`,
    );
    for (const example of s.examples) lines.push(`  ${example}`);
    const imputed = Object.entries(s.imputed).map(([field, n]) => `${field} ${n}`);
    if (imputed.length) lines.push(`  imputed (not in the source): ${imputed.join(', ')}`);
  }
  lines.push(`duplicates merged: ${report.duplicatesMerged}`);
  lines.push(`catalog: ${report.songs} songs -> ${out} (sha256 ${sha256.slice(0, 16)}...)`);
  return lines.join('\n') + '\n';
}
