import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AtomicDir,
  AtomicFile,
  isTempName,
  removeStaleTempFiles,
  setLiveThreads,
  sha256File,
  sha256Of,
  writeFileAtomic,
} from '../../../src/runtime/atomic-file';
import { makeTmpDir } from '../../helpers/tmp-dir';

const sha = (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('hex');
/** a pid no process has: a child that has exited */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('files and folders appear under their final name only when complete', () => {
  const tmp = makeTmpDir('atomic-file-');
  let n = 0;
  const fresh = () => {
    const dir = path.join(tmp.dir, `case-${n++}`);
    fs.mkdirSync(dir);
    return dir;
  };
  afterAll(() => tmp.cleanup());

  it('writes under a temporary name of this writer, then renames into place with the bytes and sha256 written', () => {
    const dir = fresh();
    const final = path.join(dir, 'sub', 'part-00000.avro');
    const file = new AtomicFile(final);
    expect(path.dirname(file.tempPath)).toBe(path.dirname(final));
    expect(path.basename(file.tempPath)).toMatch(
      new RegExp(`^\\.part-00000\\.avro\\.[0-9a-f]{8}-${process.pid}-${threadId}-[0-9a-f]{8}\\.tmp$`),
    );
    file.write(Buffer.from('hello '));
    file.write(Buffer.from('world'));
    expect(file.bytes).toBe(11);
    expect(fs.existsSync(final)).toBe(false);
    expect(fs.readFileSync(file.tempPath, 'utf8')).toBe('hello world');
    expect(file.commit()).toEqual({ bytes: 11, sha256: sha('hello world') });
    expect(fs.readFileSync(final, 'utf8')).toBe('hello world');
    expect(fs.readdirSync(path.dirname(final))).toEqual(['part-00000.avro']);
  });

  it('writes a large chunk whole', () => {
    const final = path.join(fresh(), 'big');
    const data = crypto.randomBytes(3 * 1024 * 1024 + 7);
    expect(writeFileAtomic(final, data)).toEqual({ bytes: data.length, sha256: sha(data) });
    expect(fs.readFileSync(final).equals(data)).toBe(true);
  });

  it('two writers of one final name use two temporary files', () => {
    const final = path.join(fresh(), 'x');
    const a = new AtomicFile(final);
    const b = new AtomicFile(final);
    expect(a.tempPath).not.toBe(b.tempPath);
    a.abort();
    b.abort();
  });

  it('abort removes the temporary file and leaves no final one; a second abort does nothing', () => {
    const dir = fresh();
    const file = new AtomicFile(path.join(dir, 'x'));
    file.write(Buffer.from('partial'));
    file.abort();
    file.abort();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('writeFileAtomic takes text or bytes and replaces an existing file; a failed write leaves nothing behind', () => {
    const dir = fresh();
    const final = path.join(dir, 'x.json');
    expect(writeFileAtomic(final, '{"a":1}')).toEqual({ bytes: 7, sha256: sha('{"a":1}') });
    // text counts in UTF-8 bytes, not characters
    expect(writeFileAtomic(final, 'héllo ✓')).toEqual({ bytes: 10, sha256: sha('héllo ✓') });
    expect(fs.readFileSync(final, 'utf8')).toBe('héllo ✓');
    writeFileAtomic(final, new Uint8Array([1, 2, 3]));
    expect([...fs.readFileSync(final)]).toEqual([1, 2, 3]);
    fs.mkdirSync(path.join(dir, 'taken'));
    expect(() => writeFileAtomic(path.join(dir, 'taken'), 'x')).toThrow();
    expect(fs.readdirSync(dir).sort()).toEqual(['taken', 'x.json']);
    expect(fs.readdirSync(path.join(dir, 'taken'))).toEqual([]);
  });

  it('a folder is filled under a temporary name and renamed into place whole, replacing an older one', () => {
    const dir = fresh();
    const final = path.join(dir, 'day');
    const first = new AtomicDir(final);
    expect(path.basename(first.tempPath)).toMatch(new RegExp(`^\\.day\\.[0-9a-f]{8}-${process.pid}-${threadId}-[0-9a-f]{8}\\.tmp$`));
    first.writeFile('a/b.txt', Buffer.from('one'));
    expect(fs.existsSync(final)).toBe(false);
    first.commit();
    expect(fs.readFileSync(path.join(final, 'a', 'b.txt'), 'utf8')).toBe('one');

    const second = new AtomicDir(final);
    second.writeFile('c.txt', Buffer.from('two'));
    expect(() => second.writeFile('c.txt', Buffer.from('again'))).toThrow();
    second.commit();
    expect(fs.readdirSync(final)).toEqual(['c.txt']);
    expect(fs.readFileSync(path.join(final, 'c.txt'), 'utf8')).toBe('two');
    expect(fs.readdirSync(dir)).toEqual(['day']);

    const third = new AtomicDir(final);
    third.writeFile('d.txt', Buffer.from('three'));
    third.abort();
    expect(fs.readdirSync(dir)).toEqual(['day']);
    expect(fs.readdirSync(final)).toEqual(['c.txt']);
  });

  it('sha256 of text, bytes and a file larger than the read buffer', () => {
    const file = path.join(fresh(), 'f');
    const data = crypto.randomBytes((1 << 20) * 2 + 5);
    fs.writeFileSync(file, data);
    expect(sha256File(file)).toBe(sha(data));
    expect(sha256Of('abc')).toBe(sha('abc'));
    expect(sha256Of(new Uint8Array([97, 98, 99]))).toBe(sha('abc'));
    fs.writeFileSync(file, '');
    expect(sha256File(file)).toBe(sha(''));
  });

  it("removes only the final name's temporary files whose writer is dead: process ended, thread ended, or this thread's closed file", () => {
    const dir = fresh();
    const final = path.join(dir, 'part-00000.avro');
    const own = new AtomicFile(final);
    const host = /\.([0-9a-f]{8})-\d+-\d+-[0-9a-f]{8}\.tmp$/.exec(own.tempPath)![1];
    const dead = deadPid();
    const names = {
      deadProcess: `part-00000.avro.${host}-${dead}-0-00000001.tmp`,
      liveProcess: `part-00000.avro.${host}-${process.ppid}-0-00000002.tmp`,
      // pid 1 lives; signalling it is refused (EPERM) unless root: alive either way
      initProcess: `part-00000.avro.${host}-1-0-0000000b.tmp`,
      otherHost: `part-00000.avro.${host === 'ffffffff' ? 'eeeeeeee' : 'ffffffff'}-${dead}-0-00000003.tmp`,
      otherFinal: `part-00001.avro.${host}-${dead}-0-00000004.tmp`,
      longerFinal: `part-00000.avro2.${host}-${dead}-0-00000005.tmp`,
      notTemp: `part-00000.avro.${host}-${dead}-0-00000006.tmpx`,
      unknownShape: `part-00000.avro.${host}-x-0-00000007.tmp`,
      ownClosed: `part-00000.avro.${host}-${process.pid}-${threadId}-00000008.tmp`,
      endedThread: `part-00000.avro.${host}-${process.pid}-${threadId + 1000}-00000009.tmp`,
      liveThread: `part-00000.avro.${host}-${process.pid}-${threadId + 2000}-0000000a.tmp`,
    };
    for (const name of Object.values(names)) fs.writeFileSync(path.join(dir, name), 'x');
    removeStaleTempFiles(final);
    // which threads live is unknown yet: another thread's files stay
    expect(fs.existsSync(path.join(dir, names.endedThread))).toBe(true);
    expect(fs.existsSync(path.join(dir, names.deadProcess))).toBe(false);
    expect(fs.existsSync(path.join(dir, names.ownClosed))).toBe(false);

    setLiveThreads([threadId, threadId + 2000]);
    try {
      removeStaleTempFiles(final);
    } finally {
      setLiveThreads([]);
    }
    const kept = [
      names.liveProcess,
      names.initProcess,
      names.otherHost,
      names.otherFinal,
      names.longerFinal,
      names.notTemp,
      names.unknownShape,
      names.liveThread,
      path.basename(own.tempPath),
    ];
    expect(fs.readdirSync(dir).sort()).toEqual(kept.sort());
    own.write(Buffer.from('data'));
    own.commit();
    expect(fs.readFileSync(final, 'utf8')).toBe('data');
    removeStaleTempFiles(path.join(dir, 'missing', 'x'));
  });

  it('a temporary file this thread closed without commit is stale; one it still writes is not', () => {
    const dir = fresh();
    const final = path.join(dir, 'x');
    const open = new AtomicFile(final);
    const aborted = new AtomicFile(final);
    aborted.abort();
    fs.writeFileSync(aborted.tempPath, 'left');
    removeStaleTempFiles(final);
    expect(fs.readdirSync(dir)).toEqual([path.basename(open.tempPath)]);
    open.abort();
  });

  it("a dead writer's temporary folder goes with its contents before a folder of the same final name is built", () => {
    const dir = fresh();
    const final = path.join(dir, 'day');
    const probe = new AtomicDir(final);
    const host = /\.([0-9a-f]{8})-\d+-\d+-[0-9a-f]{8}\.tmp$/.exec(probe.tempPath)![1];
    probe.abort();
    const stale = path.join(dir, `.day.${host}-${deadPid()}-0-0000000c.tmp`);
    fs.mkdirSync(path.join(stale, 'nested'), { recursive: true });
    fs.writeFileSync(path.join(stale, 'nested', 'half.txt'), 'half');
    const next = new AtomicDir(final);
    expect(fs.readdirSync(dir)).toEqual([path.basename(next.tempPath)]);
    next.abort();
  });

  it('commitIfAbsent links into place only when the final name is free, and never leaves the temporary file', () => {
    const dir = fresh();
    const final = path.join(dir, 'object');
    const first = new AtomicFile(final);
    first.write(Buffer.from('first'));
    expect(first.commitIfAbsent()).toEqual({ bytes: 5, sha256: sha('first') });
    const second = new AtomicFile(final);
    second.write(Buffer.from('second'));
    expect(second.commitIfAbsent()).toBeUndefined();
    expect(fs.readdirSync(dir)).toEqual(['object']);
    expect(fs.readFileSync(final, 'utf8')).toBe('first');

    // any other failure is thrown, not taken for a taken name
    const lost = new AtomicFile(path.join(dir, 'lost'));
    fs.rmSync(lost.tempPath);
    expect(() => lost.commitIfAbsent()).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(fs.readdirSync(dir)).toEqual(['object']);
  });

  it("a failed write's error names the temporary file", () => {
    const file = new AtomicFile(path.join(fresh(), 'x'));
    file.abort();
    expect(() => file.write(Buffer.from('late'))).toThrow(expect.objectContaining({ path: file.tempPath }));
  });

  it('tells temporary file names from final ones', () => {
    const file = new AtomicFile(path.join(fresh(), 'part-00000.avro'));
    expect(isTempName(path.basename(file.tempPath))).toBe(true);
    file.abort();
    for (const name of ['part-00000.avro', 'part-00000.avro.tmp', '.part-00000.avro.ffffffff-12-0-0000000g.tmp'])
      expect(isTempName(name), name).toBe(false);
  });
});
