import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * How a run's files are placed:
 * - 'formats' (engine-ready, since 2026-12-07): each format in its own folder, so `RUN/avro` and
 *   `RUN/parquet` each read as one dataset; the manifest and marker are named so dataset readers
 *   (Spark/Hadoop, Hive, pyarrow, DuckDB) skip them:
 *     avro/part-NNNNN.avro  parquet/part-NNNNN.parquet  _manifest.json  _SUCCESS  _work/
 * - 'flat' (runs written earlier): every part beside manifest.json at the root:
 *     part-NNNNN.avro  part-NNNNN.parquet  manifest.json  _work/
 * A run keeps the style it was started with (a resumed flat run stays flat).
 */
export type LayoutStyle = 'formats' | 'flat';

export const MANIFEST_NAME = '_manifest.json';
export const FLAT_MANIFEST_NAME = 'manifest.json';
/** A manifest's names, preferred first (runs written since the engine-ready layout, then earlier runs). */
export const MANIFEST_NAMES = [MANIFEST_NAME, FLAT_MANIFEST_NAME] as const;
export const SUCCESS_NAME = '_SUCCESS';
const FLAT_PART = /^part-\d{5,}\.avro$/;

/** The style of the run folder at `runDir` as found on disk: 'flat' when it holds an earlier version's manifest or parts. */
export function runStyleAt(runDir: string): LayoutStyle {
  if (fs.existsSync(path.join(runDir, MANIFEST_NAME)) || fs.existsSync(path.join(runDir, 'avro'))) return 'formats';
  if (fs.existsSync(path.join(runDir, FLAT_MANIFEST_NAME))) return 'flat';
  if (!fs.existsSync(runDir)) return 'formats';
  return fs.readdirSync(runDir).some((name) => FLAT_PART.test(name)) ? 'flat' : 'formats';
}

/**
 * Where everything of one generation lives. Every file has a key: '/'-separated and relative to
 * the run's root (`runDir`, a folder; the same keys serve a bucket prefix). The manifest's part
 * entries record their files by these keys (e.g. `avro/part-00000.avro`), relative to the root.
 * Without a style, the folder's own is found when first needed (runStyleAt).
 */
export class RunLayout {
  private found: LayoutStyle | undefined;

  constructor(
    readonly runDir: string,
    style?: LayoutStyle,
  ) {
    this.found = style;
  }

  get style(): LayoutStyle {
    return (this.found ??= runStyleAt(this.runDir));
  }

  static partName(shard: number, ext = 'avro'): string {
    return `part-${String(shard).padStart(5, '0')}.${ext}`;
  }

  /** The key of the shard's file of `format` (also its extension). */
  partKey(shard: number, format = 'avro'): string {
    const name = RunLayout.partName(shard, format);
    return this.style === 'flat' ? name : `${format}/${name}`;
  }

  /** The folder holding every part of `format`: the dataset an engine reads (the root itself for flat runs). */
  formatKey(format: string): string {
    return this.style === 'flat' ? '' : format;
  }

  get manifestKey(): string {
    return this.style === 'flat' ? FLAT_MANIFEST_NAME : MANIFEST_NAME;
  }

  /** The empty marker written after the manifest (formats style only). */
  get successKey(): string | undefined {
    return this.style === 'flat' ? undefined : SUCCESS_NAME;
  }

  /** checkpoints and intermediate files; dataset readers skip names starting with '_' */
  get workKey(): string {
    return '_work';
  }

  /** The local path of a key of this layout. */
  pathOf(key: string): string {
    return path.join(this.runDir, ...key.split('/'));
  }

  partPath(shard: number, format = 'avro'): string {
    return this.pathOf(this.partKey(shard, format));
  }

  /** Where the shard's files of each format go (what PartWriters.open takes). */
  partPlace(shard: number): { keyOf(format: string): string; pathOf(key: string): string } {
    return { keyOf: (format) => this.partKey(shard, format), pathOf: (key) => this.pathOf(key) };
  }

  formatDir(format: string): string {
    return this.pathOf(this.formatKey(format));
  }

  get manifestPath(): string {
    return this.pathOf(this.manifestKey);
  }

  get successPath(): string | undefined {
    return this.successKey === undefined ? undefined : this.pathOf(this.successKey);
  }

  get workDir(): string {
    return this.pathOf(this.workKey);
  }

  get paramsKey(): string {
    return `${this.workKey}/params.json`;
  }

  get catalogKey(): string {
    return `${this.workKey}/catalog.avro`;
  }

  get catalogReportKey(): string {
    return `${this.workKey}/catalog-report.json`;
  }

  get usersKey(): string {
    return `${this.workKey}/users.jsonl`;
  }

  get usersOffsetsKey(): string {
    return `${this.workKey}/users.offsets`;
  }

  /** the users files' checkpoint: what they must hash to */
  get usersCheckpointKey(): string {
    return `${this.workKey}/users.json`;
  }

  /** the shard's checkpoint: what its part files must hash to */
  partCheckpointKey(shard: number): string {
    return `${this.workKey}/parts/${RunLayout.partName(shard, 'json')}`;
  }

  /** The files a resumed run needs from an earlier attempt besides its parts: params, catalog, users (and their checkpoints). */
  get runStateKeys(): string[] {
    return [this.paramsKey, this.catalogKey, this.catalogReportKey, this.usersKey, this.usersOffsetsKey, this.usersCheckpointKey];
  }

  get paramsPath(): string {
    return this.pathOf(this.paramsKey);
  }

  get catalogPath(): string {
    return this.pathOf(this.catalogKey);
  }

  get catalogReportPath(): string {
    return this.pathOf(this.catalogReportKey);
  }

  get httpCacheDir(): string {
    return path.join(this.workDir, 'http-cache');
  }

  get usersPath(): string {
    return this.pathOf(this.usersKey);
  }

  get usersOffsetsPath(): string {
    return this.pathOf(this.usersOffsetsKey);
  }

  get usersCheckpointPath(): string {
    return this.pathOf(this.usersCheckpointKey);
  }

  partCheckpointPath(shard: number): string {
    return this.pathOf(this.partCheckpointKey(shard));
  }
}

/** The manifest of the run at `runDir` (either style), or undefined while it has none (not complete, or not a run). */
export function findManifest(runDir: string): string | undefined {
  for (const name of MANIFEST_NAMES) {
    const file = path.join(runDir, name);
    if (fs.statSync(file, { throwIfNoEntry: false })?.isFile()) return file;
  }
  return undefined;
}
