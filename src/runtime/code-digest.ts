import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface DigestedFolder {
  dir: string;
  recursive?: boolean;
  include: (name: string) => boolean;
}

/**
 * A digest of the code that makes some output: the included files of each folder (names and
 * bytes, in name order) and the versions of the named packages.
 */
export function codeDigest(folders: readonly DigestedFolder[], packages: readonly string[]): string {
  const hash = crypto.createHash('sha256');
  for (const { dir, recursive = false, include } of folders) {
    const names = fs.readdirSync(dir, { recursive, encoding: 'utf8' }).filter(include).sort();
    for (const name of names) hash.update(name).update(fs.readFileSync(path.join(dir, name)));
  }
  for (const pkg of packages) hash.update(pkg).update((require(`${pkg}/package.json`) as { version: string }).version);
  return hash.digest('hex');
}
