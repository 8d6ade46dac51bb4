import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AtomicDir, AtomicFile, writeFileAtomic } from '../../../src/runtime/atomic-file';

/** A temporary name as a writer on this host with `pid` and `thread` gives it (`earlier`: as versions before the leading dot did). */
const tempNameOf = (finalPath: string, pid: number, { thread = 0, earlier = false } = {}) =>
  path.join(
    path.dirname(finalPath),
    `${earlier ? '' : '.'}${path.basename(finalPath)}.${createHash('sha256').update(os.hostname()).digest('hex').slice(0, 8)}-${pid}-${thread}-0badf00d.tmp`,
  );

/** A pid no process has now: one that has just ended. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

describe("a dead writer's temporary files", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapped-etl-stale-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("go when the next writer of the same final name starts (a checkpoint written with writeFileAtomic, a killed shard's leftover)", () => {
    const checkpoint = path.join(dir, '_work', 'parts', 'part-00026.json');
    fs.mkdirSync(path.dirname(checkpoint), { recursive: true });
    const dead = tempNameOf(checkpoint, deadPid());
    fs.writeFileSync(dead, '{"shard":');
    fs.writeFileSync(tempNameOf(checkpoint, deadPid(), { earlier: true }), '{');
    writeFileAtomic(checkpoint, '{"shard":26}');
    expect(fs.readdirSync(path.dirname(checkpoint))).toEqual(['part-00026.json']);
  });

  it('are hidden while written: a name starting with a dot, which Spark, Hadoop and pyarrow skip in a dataset folder', () => {
    const file = new AtomicFile(path.join(dir, 'part-00000.avro'));
    expect(path.dirname(file.tempPath)).toBe(dir);
    expect(path.basename(file.tempPath)).toMatch(/^\.part-00000\.avro\.[0-9a-f]{8}-\d+-\d+-[0-9a-f]{8}\.tmp$/);
    file.abort();
  });

  it("stay while their writer lives, and other final names' stay", () => {
    const part = path.join(dir, 'part-00001.avro');
    const live = tempNameOf(part, process.ppid); // the runner's parent: alive while this test runs
    const otherName = tempNameOf(path.join(dir, 'part-00002.avro'), deadPid());
    fs.writeFileSync(live, 'x');
    fs.writeFileSync(otherName, 'x');
    const file = new AtomicFile(part);
    file.write(Buffer.from('bytes'));
    file.commit();
    expect(fs.readdirSync(dir).sort()).toEqual([path.basename(otherName), 'part-00001.avro', path.basename(live)].sort());
  });

  it("go, folders too, when an AtomicDir of the same name starts (a killed export's folder)", () => {
    const out = path.join(dir, 'user-1');
    const dead = tempNameOf(out, deadPid());
    fs.mkdirSync(path.join(dead, 'nested'), { recursive: true });
    fs.writeFileSync(path.join(dead, 'nested', 'a.json'), '[');
    const folder = new AtomicDir(out);
    folder.writeFile('a.json', Buffer.from('[]'));
    folder.commit();
    expect(fs.readdirSync(dir)).toEqual(['user-1']);
  });
});
