import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ColumnMapping } from './columns';
import { SONG_COLUMNS, type RawRow, type SongColumn, type Units } from './song-row';
import { InputError } from '../domain/errors';
import { parseInput, says, z } from '../domain/input-schema';

/** What a description can describe: a csv file or an html page, with their columns. */
const DESCRIBED_KINDS = ['csv', 'html'] as const;

const nonEmpty = () => z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' });
const anObject = (unknownKey: string, notAnObject = 'must be an object') => ({
  error: (issue: { code?: string }) => ((issue.code as string) === 'unrecognized_keys' ? unknownKey : notAnObject),
});
const UNIT_CHOICES = { length: ['seconds', 'ms'], danceability: ['fraction', 'percent'], energy: ['fraction', 'percent'] } as const;
const unit = <T extends readonly [string, ...string[]]>(allowed: T) =>
  z.enum(
    allowed,
    says((v) => `must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`),
  );
const DEFAULTABLE = SONG_COLUMNS.filter((c) => c !== 'title') as [SongColumn, ...SongColumn[]];

const DESCRIPTION_FIELDS = {
  /** csv or html; default: html with a url, csv with a path */
  kind: nonEmpty().optional(),
  /** csv: the file, resolved against the description's folder */
  path: nonEmpty().optional(),
  /** html: the page */
  url: nonEmpty().optional(),
  /** html: CSS selector of the candidate tables (default: every table) */
  table: nonEmpty().optional(),
  /** header name or 0-based position of each song column the headers do not name */
  columns: z
    .partialRecord(
      z.enum(SONG_COLUMNS),
      z.union([z.string().min(1), z.number().refine((v) => Number.isInteger(v) && v >= 0)], {
        error: 'must be a header name or a 0-based column number',
      }),
      anObject(`unknown column; known: ${SONG_COLUMNS.join(', ')}`),
    )
    .default({}),
  units: z
    .strictObject(
      {
        length: unit(UNIT_CHOICES.length).optional(),
        danceability: unit(UNIT_CHOICES.danceability).optional(),
        energy: unit(UNIT_CHOICES.energy).optional(),
      },
      anObject(`unknown; known: ${Object.keys(UNIT_CHOICES).join(', ')}`),
    )
    .default({}),
  /** values for columns the source lacks, e.g. the artist of a discography page */
  defaults: z
    .partialRecord(
      z.enum(DEFAULTABLE),
      z.union([z.string(), z.number()], { error: 'must be a string or a number' }).transform(String),
      anObject(`unknown column; known: ${DEFAULTABLE.join(', ')}`),
    )
    .default({}),
  /** free text for the reader */
  description: z.unknown().optional(),
};

/**
 * How to read one source whose layout is not recognised by its headers alone: the
 * content of a `source:PATH.json` file (see README "Catalog sources").
 */
const sourceDescriptionSchema = z
  .strictObject(
    DESCRIPTION_FIELDS,
    anObject(`unknown field; known fields: ${Object.keys(DESCRIPTION_FIELDS).join(', ')}`, 'must be a JSON object'),
  )
  .transform((o, ctx) => {
    const given = o.kind ?? (o.url ? 'html' : o.path ? 'csv' : undefined);
    const kind = DESCRIBED_KINDS.find((k) => k === given);
    const fail = (field: string, message: string) => {
      ctx.issues.push({ code: 'custom', path: [field], message, input: o });
      return z.NEVER;
    };
    if (kind === undefined) return fail('kind', `must be "csv" or "html" (or give "path" or "url"), got ${JSON.stringify(o.kind)}`);
    if (kind === 'csv' && !o.path) return fail('path', 'a csv source needs the path of its file');
    if (kind === 'html' && !o.url) return fail('url', 'an html source needs the url of its page');
    if (o.url && !/^https?:\/\//i.test(o.url)) return fail('url', `must start with http:// or https://, got ${JSON.stringify(o.url)}`);
    if (o.table && kind !== 'html') return fail('table', 'only an html source has tables');
    const { columns, units, defaults, url, table } = o;
    return {
      kind,
      path: o.path,
      url,
      table,
      columns: columns as ColumnMapping,
      units: units as Partial<Units>,
      defaults: defaults as RawRow,
    };
  });

export type SourceDescription = z.output<typeof sourceDescriptionSchema>;

export class DescriptionError extends Error {}

export function loadSourceDescription(file: string): SourceDescription {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch {
    throw new DescriptionError(`source description not found: ${abs}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DescriptionError(`${abs} is not valid JSON: ${(err as Error).message}`);
  }
  return parseSourceDescription(json, path.dirname(abs));
}

function parseSourceDescription(json: unknown, baseDir: string): SourceDescription {
  let description: SourceDescription;
  try {
    description = parseInput(sourceDescriptionSchema, json, '(top level)');
  } catch (err) {
    if (err instanceof InputError) throw new DescriptionError(`${err.field}: ${err.problem}`);
    throw err;
  }
  return { ...description, path: description.path === undefined ? undefined : path.resolve(baseDir, description.path) };
}
