import { fileHead } from '../runtime/output-place';
import { HISTORY_LAYOUTS } from './history-files';

/** A zip `export` wrote: its first entry is a user's folder or an export's folder (what ZipWriter adds first). */
export function isExportZip(file: string): boolean {
  const head = fileHead(file, 30 + 256);
  if (head.length < 30 || head.readUInt32LE(0) !== 0x04034b50) return false;
  const first = head.subarray(30, 30 + head.readUInt16LE(26)).toString('utf8');
  return /^user-\d+\//.test(first) || Object.values(HISTORY_LAYOUTS).some((l) => first === `${l.folder}/`);
}

/** A JSON file `export --user` wrote: an array of Spotify streams (extended ones start with "ts", basic ones with "endTime"). */
export function isExportJson(file: string): boolean {
  return /^\[(\]|\s*\{\s*"(ts|endTime)")/.test(fileHead(file, 64).toString('utf8'));
}
