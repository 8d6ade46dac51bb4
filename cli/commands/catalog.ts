import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { writeCatalogFile } from '../../src/catalog/catalog-file';
import { ingestSources, type IngestReport } from '../../src/catalog/sources';
import { DEFAULTS } from '../../src/config/generation-input';
import { UsageError } from '../usage-error';

const DEFAULT_YEAR = Number(DEFAULTS.to.slice(0, 4));

export const usage = `wrapped-etl catalog import SOURCE... --out FILE.avro [flags]

Reads song sources, validates and merges them into one catalog file (AVRO, schema
schemas/song.avsc) and says what it did: rows read, songs kept, rows skipped by
reason (the first few with their line or row), fields imputed, duplicates merged.

Sources:
  csv:PATH               a CSV file: the "Spotify - All Time Top 2000s" or 600k-tracks
                         layout, or any file whose headers name title and artist
  html:URL               the song tables of a web page (Title/Song/Single/Track and
                         Artist/Performer columns, Year if present)
  source:PATH.json       a description of another CSV or HTML layout
  synthetic:N            N made-up songs (offline; default synthetic:8000)

Flags:
  --out FILE.avro        where to write the catalog (required)
  --json                 print the report as one JSON line
  --seed N               seed of synthetic sources (default ${DEFAULTS.seed})
  --year YYYY            the current year: latest valid release is YYYY+1, and the
                         anchor of synthetic and imputed years (default ${DEFAULT_YEAR},
                         as generate's default --to)
  --cache-dir DIR        keep fetched pages here and reuse them (default: not kept)
  --http-delay MS        pause between requests to one host (default 1000)
  --http-timeout MS      per request (default 20000)
`;

function int(flag: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${flag} needs a whole number from ${min} to ${max}, got "${v}"`);
  return n;
}

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      json: { type: 'boolean' },
      seed: { type: 'string' },
      year: { type: 'string' },
      'cache-dir': { type: 'string' },
      'http-delay': { type: 'string' },
      'http-timeout': { type: 'string' },
    },
    allowPositionals: true,
  });
  const [action, ...sources] = positionals;
  if (action !== 'import') throw new UsageError(action ? `unknown action "${action}"; the action is import` : 'say what to do: catalog import SOURCE... --out FILE.avro');
  if (sources.length === 0) throw new UsageError('give at least one SOURCE, e.g. csv:top2000.csv or synthetic:2000');
  if (!values.out) throw new UsageError('--out FILE.avro is required');
  const out = path.resolve(values.out);
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
    const file = writeCatalogFile(out, songs);
    if (values.json) {
      process.stdout.write(JSON.stringify({ out: file.path, sha256: file.sha256, ...report, songs: file.songs }) + '\n');
    } else {
      process.stdout.write(describeReport(report, file.path, file.sha256));
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
    lines.push(`${s.source}: ${s.rowsRead} rows read, ${s.songsKept} songs kept, ${skipped} skipped${reasons.length ? ` (${reasons.join(', ')})` : ''}`);
    for (const example of s.examples) lines.push(`  ${example}`);
    const imputed = Object.entries(s.imputed).map(([field, n]) => `${field} ${n}`);
    if (imputed.length) lines.push(`  imputed (not in the source): ${imputed.join(', ')}`);
  }
  lines.push(`duplicates merged: ${report.duplicatesMerged}`);
  lines.push(`catalog: ${report.songs} songs -> ${out} (sha256 ${sha256.slice(0, 16)}...)`);
  return lines.join('\n') + '\n';
}
