import * as path from 'node:path';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import { AtomicDir, AtomicFile } from '../runtime/atomic-file';

/** One file of an export: its path under the export's root (e.g. a user's folder) and its bytes. */
export interface ExportFile {
  relPath: string;
  /** the file's bytes; with `deflated`, its zip entry's DEFLATE stream instead (deflatedForZip) */
  data: Uint8Array;
  /** the file's own size and CRC-32 when `data` is deflated already */
  deflated?: { size: number; crc: number };
}

/** ZipWriter's compression: DEFLATE level 6 by fflate (plain JavaScript: the same bytes whatever zlib Node carries). */
const ZIP_LEVEL = 6;

/**
 * A file as ZipWriter would deflate it, made where the file is made (a pool thread), so the
 * thread writing the zip only appends: the same DEFLATE stream, size and CRC as ZipDeflate's.
 */
export function deflatedForZip(file: ExportFile): ExportFile {
  const entry = new ZipDeflate(file.relPath, { level: ZIP_LEVEL });
  const chunks: Uint8Array[] = [];
  entry.ondata = (err, chunk) => {
    if (err) throw err;
    // (a copy: fflate may reuse a chunk's memory for the next one, which ZipWriter has written by then)
    chunks.push(chunk.slice());
  };
  entry.push(file.data, true);
  return { relPath: file.relPath, data: Buffer.concat(chunks), deflated: { size: entry.size, crc: entry.crc } };
}

/** A file's size as written (before any compression). */
export const fileBytes = (f: ExportFile): number => f.deflated?.size ?? f.data.length;

/** Where an export goes: a folder tree or a zip of the same tree. */
export interface HistoryWriter {
  /** Writes the files under `root` (a folder name); in a folder, `root` appears only once all of them are written. */
  write(root: string, files: Iterable<ExportFile>): void;
  /** Completes the export; a zip appears under its name only now. */
  finish(): void;
  /** Removes what an unfinished export left. */
  abort(): void;
}

/** Writes each root as a folder under `outDir`, built aside and renamed into place (replacing an older one). */
export class FolderWriter implements HistoryWriter {
  private open: AtomicDir | undefined;

  constructor(private readonly outDir: string) {}

  write(root: string, files: Iterable<ExportFile>): void {
    const dir = (this.open = new AtomicDir(path.join(this.outDir, root)));
    for (const f of files) {
      if (f.deflated) throw new Error(`${f.relPath} came deflated for a zip, not for a folder`);
      dir.writeFile(f.relPath, f.data);
    }
    dir.commit();
    this.open = undefined;
  }

  finish(): void {}

  abort(): void {
    this.open?.abort();
  }
}

/**
 * Every entry dated 1980-01-01 00:00, the earliest a zip can say. fflate stores the local
 * time of the date given, so it is built from local fields: the same bytes in every time zone.
 */
const ZIP_ENTRY_TIME = new Date(1980, 0, 1, 0, 0, 0);
/** fflate writes no ZIP64: sizes and offsets must stay below 4 GiB, entries below 65,536. */
const ZIP_MAX_BYTES = 0xffffffff;
const ZIP_MAX_ENTRIES = 0xffff;

/**
 * A deterministic zip: entries in the order written, fixed dates, no per-system attributes,
 * DEFLATE level 6 by fflate (plain JavaScript, so the bytes do not depend on the zlib Node
 * carries). Same input, same bytes. Written under a temporary name, renamed on finish().
 */
export class ZipWriter implements HistoryWriter {
  private readonly file: AtomicFile;
  private readonly zip: Zip;
  private readonly folders = new Set<string>();
  private entries = 0;
  private failure: Error | undefined;

  constructor(readonly zipPath: string) {
    this.file = new AtomicFile(zipPath);
    this.zip = new Zip((err, chunk) => {
      if (err) this.failure = err;
      else this.append(chunk);
    });
  }

  private append(chunk: Uint8Array): void {
    if (this.file.bytes + chunk.length > ZIP_MAX_BYTES) {
      throw new Error(`${this.zipPath} would pass 4 GiB, more than a zip without ZIP64 can hold: export to a folder (--out DIR) instead`);
    }
    this.file.write(chunk);
  }

  private add(entry: ZipPassThrough | ZipDeflate, data: Uint8Array, deflated?: ExportFile['deflated']): void {
    if (++this.entries > ZIP_MAX_ENTRIES)
      throw new Error(`${this.zipPath} would hold more than ${ZIP_MAX_ENTRIES} entries: export to a folder (--out DIR) instead`);
    entry.mtime = ZIP_ENTRY_TIME;
    if (deflated) {
      // what ZipDeflate says of itself at level 6: its header is written on add, its sizes and CRC once its data is in
      Object.assign(entry, { compression: 8, flag: new ZipDeflate('', { level: ZIP_LEVEL }).flag, ...deflated });
      this.zip.add(entry);
      entry.ondata(null, data as Uint8Array<ArrayBuffer>, true);
    } else {
      this.zip.add(entry);
      entry.push(data, true);
    }
    if (this.failure) throw this.failure;
  }

  /** The folder entries above `relPath` not yet in the zip, outermost first, as zip tools write them. */
  private addFolders(relPath: string): void {
    const parts = relPath.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const folder = `${parts.slice(0, i).join('/')}/`;
      if (this.folders.has(folder)) continue;
      this.folders.add(folder);
      this.add(new ZipPassThrough(folder), new Uint8Array(0));
    }
  }

  write(root: string, files: Iterable<ExportFile>): void {
    this.addFolders(`${root}/`);
    for (const f of files) {
      const name = `${root}/${f.relPath}`;
      this.addFolders(name);
      if (f.deflated) this.add(new ZipPassThrough(name), f.data, f.deflated);
      else this.add(new ZipDeflate(name, { level: ZIP_LEVEL }), f.data);
    }
  }

  finish(): void {
    this.zip.end();
    if (this.failure) throw this.failure;
    this.file.commit();
  }

  abort(): void {
    this.zip.terminate();
    this.file.abort();
  }
}
