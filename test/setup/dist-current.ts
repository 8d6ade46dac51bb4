import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
/** tsconfig.json's include: what dist/ is compiled from */
const SOURCE_DIRS = ['src', 'workflows', 'activities', 'cli', 'bench'];

/** Sources whose compiled file in dist/ is missing or older than they are. */
export function staleSources(): string[] {
  const stale: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const compiled = path.join(ROOT, 'dist', rel.replace(/\.ts$/, '.js'));
        if (!fs.existsSync(compiled) || fs.statSync(compiled).mtimeMs < fs.statSync(path.join(ROOT, rel)).mtimeMs) stale.push(rel);
      }
    }
  };
  for (const dir of SOURCE_DIRS) walk(dir);
  return stale;
}

/**
 * The lanes that run the CLI as a process run dist/: when a source is newer than its compiled file,
 * build first (npm run build, one lane at a time) rather than test stale code.
 */
export default function setup(): void {
  const lock = path.join(ROOT, 'dist.build-lock');
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${lock} has been held for 10 minutes: remove it if no build runs`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    const stale = staleSources();
    if (stale.length === 0) return;
    process.stdout.write(
      `dist/ is older than ${stale.length} source(s) (${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', ...' : ''}): npm run build\n`,
    );
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const still = staleSources();
    if (still.length) throw new Error(`npm run build left dist/ older than ${still.join(', ')}`);
  } finally {
    fs.rmdirSync(lock);
  }
}
