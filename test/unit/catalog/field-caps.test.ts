import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSource, SourceError } from '../../../src/catalog/sources';
import { FIELD_MAX_CHARS } from '../../../src/catalog/song-row';
import { makeTmpDir } from '../../helpers/tmp-dir';

const tmp = makeTmpDir('catalog-caps-');
const ctx = { seed: 1, currentYear: 2025, cacheDir: tmp.dir };
afterAll(() => tmp.cleanup());

const HEADER = 'Title,Artist,Genre,Year\n';

describe('catalog field caps', () => {
  it('refuses a CSV whose cell is 50 MB, naming the source, the line and the field, without reading the rest', async () => {
    const file = path.join(tmp.dir, 'huge.csv');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, `${HEADER}Fine,Someone,pop,2001\n"`);
    const chunk = Buffer.alloc(1 << 20, 'a');
    for (let i = 0; i < 50; i++) fs.writeSync(fd, chunk);
    fs.writeSync(fd, '",Someone,pop,2002\n');
    fs.closeSync(fd);
    const spec = `csv:${file}`;
    const err = await readSource(spec, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toContain(spec);
    expect((err as Error).message).toContain(
      'line 3, column "Title" (the song\'s title): a row of more than 1,048,576 characters; a catalog cell holds at most 1000',
    );
  });

  it('skips a row whose title, artist, album or genre is longer than its cap, naming the line and the field; a cell at the cap is kept', async () => {
    const file = path.join(tmp.dir, 'long.csv');
    const atCap = 'T'.repeat(FIELD_MAX_CHARS.title);
    fs.writeFileSync(
      file,
      HEADER +
        `${atCap},Someone,pop,2001\n` +
        `${'x'.repeat(FIELD_MAX_CHARS.title + 1)},Someone,pop,2001\n` +
        `Song,Someone,${'g'.repeat(FIELD_MAX_CHARS.genre + 1)},2001\n` +
        `Other,${'a'.repeat(FIELD_MAX_CHARS.artist + 1)},pop,2001\n`,
    );
    const { songs, report } = await readSource(`csv:${file}`, ctx);
    expect(songs.map((s) => s.title)).toEqual([atCap]);
    expect(report.skipped).toEqual({ 'title too long': 1, 'genre too long': 1, 'artist too long': 1 });
    expect(report.examples).toEqual([
      'line 3: title too long: 1,001 characters (at most 1000)',
      'line 4: genre too long: 201 characters (at most 200)',
      'line 5: artist too long: 1,001 characters (at most 1000)',
    ]);
  });
});
