import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readContainerSchema } from '../../../src/formats/avro/read-container';
import { loadSchemaJson, SONG_SCHEMA } from '../../../src/formats/avro/schemas';
import { readCatalogFile } from '../../../src/catalog/catalog-file';
import { makeTmpDir } from '../../helpers/tmp-dir';
import { PageServer } from '../../helpers/page-server';

const ROOT = path.join(__dirname, '../../..');
const FIXTURES = path.join(__dirname, '../../fixtures/catalog');

/** The real command line, from the TypeScript sources (no build needed). */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'cli/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('wrapped-etl catalog import', () => {
  const tmp = makeTmpDir('catalog-cli-');
  let pages: PageServer;
  beforeAll(async () => {
    pages = await new PageServer().start();
  });
  afterAll(async () => {
    await pages.stop();
    tmp.cleanup();
  });

  it('imports csv, html and synthetic sources into one AVRO catalog and prints what it did', async () => {
    const out = path.join(tmp.dir, 'catalog.avro');
    const csv = path.join(FIXTURES, 'top2000-quirks.csv');
    const r = await cli([
      'catalog',
      'import',
      `csv:${csv}`,
      `html:${pages.url('/plain.html')}`,
      'synthetic:50',
      '--out',
      out,
      '--http-delay',
      '0',
    ]);
    expect(r.stderr).toContain(`csv:${csv}: reading`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `csv:${csv}: 16 rows read, 10 songs kept, 6 skipped (year out of range 1, missing artist 1, energy out of range 1, popularity out of range 1, empty row 1, length not positive 1)`,
    );
    expect(r.stdout).toContain('  line 11: year out of range: 2031 (allowed 1900..2026)');
    expect(r.stdout).toContain(`html:${pages.url('/plain.html')}: 3 rows read, 3 songs kept, 0 skipped`);
    expect(r.stdout).toContain('duplicates merged: 1');
    expect(r.stdout).toContain(`catalog: 62 songs -> ${out}`);
    const songs = await readCatalogFile(out);
    expect(songs).toHaveLength(62);
    expect(songs.map((s) => s.title)).toContain('Smells Like Teen Spirit');
    const fields = (schema: unknown) => (schema as { fields: { name: string }[] }).fields.map((f) => f.name);
    expect(fields(await readContainerSchema(out))).toEqual(fields(loadSchemaJson(SONG_SCHEMA)));
  });

  it('--json prints one JSON line with the report', async () => {
    const out = path.join(tmp.dir, 'tracks.avro');
    const r = await cli(['catalog', 'import', `source:${path.join(FIXTURES, 'tracks-600k.json')}`, '--out', out, '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]);
    expect(report).toMatchObject({ out, songs: 3, duplicatesMerged: 0 });
    expect(report.sources[0]).toMatchObject({
      rowsRead: 5,
      songsKept: 3,
      skipped: { 'year not a number': 1, 'danceability out of range': 1 },
    });
    expect(report.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('says clearly what is wrong: usage errors exit 2, source errors exit 1', async () => {
    const noOut = await cli(['catalog', 'import', 'synthetic:10']);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('--out FILE.avro is required');
    const bad = await cli(['catalog', 'import', `html:${pages.url('/missing')}`, '--out', path.join(tmp.dir, 'x.avro')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`GET ${pages.url('/missing')} answered HTTP 404`);
  });
});
