import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ColumnMapping } from './columns';
import { SONG_COLUMNS, type RawRow, type SongColumn, type Units } from './song-row';

/**
 * How to read one source whose layout is not recognised by its headers alone; the
 * content of a `source:PATH.json` file (see README "Catalog sources").
 */
export interface SourceDescription {
  kind: 'csv' | 'html';
  /** csv: the file, resolved against the description's folder */
  path?: string;
  /** html: the page */
  url?: string;
  /** html: CSS selector of the candidate tables (default: every table) */
  table?: string;
  columns: ColumnMapping;
  units: Partial<Units>;
  /** values for columns the source lacks, e.g. the artist of a discography page */
  defaults: RawRow;
}

const FIELDS = ['kind', 'path', 'url', 'table', 'columns', 'units', 'defaults', 'description'];
const UNITS: Record<keyof Units, readonly string[]> = { length: ['seconds', 'ms'], danceability: ['fraction', 'percent'], energy: ['fraction', 'percent'] };

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

export function parseSourceDescription(json: unknown, baseDir: string): SourceDescription {
  const fail = (field: string, msg: string): never => {
    throw new DescriptionError(`${field}: ${msg}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('(top level)', 'must be a JSON object');
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FIELDS.includes(k)) fail(k, `unknown field; known fields: ${FIELDS.join(', ')}`);
  const str = (k: string): string | undefined => {
    if (o[k] === undefined) return undefined;
    if (typeof o[k] !== 'string' || o[k] === '') fail(k, 'must be a non-empty string');
    return o[k] as string;
  };
  const url = str('url');
  const file = str('path');
  const kind = str('kind') ?? (url ? 'html' : file ? 'csv' : undefined);
  if (kind !== 'csv' && kind !== 'html') fail('kind', `must be "csv" or "html" (or give "path" or "url"), got ${JSON.stringify(o.kind)}`);
  if (kind === 'csv' && !file) fail('path', 'a csv source needs the path of its file');
  if (kind === 'html' && !url) fail('url', 'an html source needs the url of its page');
  if (url && !/^https?:\/\//i.test(url)) fail('url', `must start with http:// or https://, got ${JSON.stringify(url)}`);

  const record = (k: string): Record<string, unknown> => {
    if (o[k] === undefined) return {};
    if (typeof o[k] !== 'object' || o[k] === null || Array.isArray(o[k])) fail(k, 'must be an object');
    return o[k] as Record<string, unknown>;
  };
  const columns: ColumnMapping = {};
  for (const [k, v] of Object.entries(record('columns'))) {
    if (!(SONG_COLUMNS as readonly string[]).includes(k)) fail(`columns.${k}`, `unknown column; known: ${SONG_COLUMNS.join(', ')}`);
    if (!((typeof v === 'string' && v !== '') || (Number.isInteger(v) && (v as number) >= 0))) fail(`columns.${k}`, 'must be a header name or a 0-based column number');
    columns[k as SongColumn] = v as string | number;
  }
  const units: Partial<Units> = {};
  for (const [k, v] of Object.entries(record('units'))) {
    const allowed = UNITS[k as keyof Units];
    if (!allowed) fail(`units.${k}`, `unknown; known: ${Object.keys(UNITS).join(', ')}`);
    if (!allowed.includes(v as string)) fail(`units.${k}`, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
    (units as Record<string, unknown>)[k] = v;
  }
  const defaults: RawRow = {};
  for (const [k, v] of Object.entries(record('defaults'))) {
    if (!(SONG_COLUMNS as readonly string[]).includes(k) || k === 'title') fail(`defaults.${k}`, `unknown column; known: ${SONG_COLUMNS.filter((c) => c !== 'title').join(', ')}`);
    if (typeof v !== 'string' && typeof v !== 'number') fail(`defaults.${k}`, 'must be a string or a number');
    defaults[k as SongColumn] = String(v);
  }
  const table = str('table');
  if (table && kind !== 'html') fail('table', 'only an html source has tables');
  return { kind: kind as SourceDescription['kind'], path: file === undefined ? undefined : path.resolve(baseDir, file), url, table, columns, units, defaults };
}
