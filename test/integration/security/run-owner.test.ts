import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  claimOwnedChecked,
  claimRun,
  holdRun,
  processHolderAlive,
  releaseRun,
  RunOwnedElsewhere,
  type RunOwner,
} from '../../../src/pipeline/run-owner';
import { streamOfTopic } from '../../../src/stream/stream-owner';
import { AtomicFile, removeStaleTempFiles } from '../../../src/runtime/atomic-file';
import { makeTmpDir } from '../../helpers/tmp-dir';

describe('one writer per run folder, and only a dead attempt’s temporary files removed', () => {
  const tmp = makeTmpDir('security-owner-');
  afterAll(() => tmp.cleanup());
  let n = 0;
  const runDir = () => path.join(tmp.dir, `run-${n++}`);

  it('lets one workflow own a folder: others are refused until it is released or silent past the lease', () => {
    const dir = runDir();
    const now = Date.parse('2026-11-29T12:00:00Z');
    claimRun(dir, 'wf-a', { now });
    expect(() => claimRun(dir, 'wf-b', { now: now + 1000 })).toThrow(RunOwnedElsewhere);
    expect(() => claimRun(dir, 'wf-b', { now: now + 1000 })).toThrow(/being written by workflow wf-a/);
    expect(claimRun(dir, 'wf-a', { now: now + 2000 }).workflowId).toBe('wf-a');
    // a crashed owner: silent for longer than the lease (10 minutes)
    expect(claimRun(dir, 'wf-b', { now: now + 2000 + 10 * 60_000 + 1 }).workflowId).toBe('wf-b');
    // the old owner notices at its next step
    expect(() => holdRun(dir, 'wf-a')).toThrow(/being written by workflow wf-b/);
    // an explicit resume takes over at once
    expect(claimRun(dir, 'wf-c', { takeOver: true }).workflowId).toBe('wf-c');
    releaseRun(dir, 'wf-b');
    expect(() => claimRun(dir, 'wf-d')).toThrow(/wf-c/);
    releaseRun(dir, 'wf-c');
    expect(claimRun(dir, 'wf-d').workflowId).toBe('wf-d');
  });

  it('treats an unreadable owner file as no owner', () => {
    const dir = runDir();
    fs.mkdirSync(path.join(dir, '_work'), { recursive: true });
    fs.writeFileSync(path.join(dir, '_work', 'owner.json'), '{"torn');
    expect(claimRun(dir, 'wf-a').workflowId).toBe('wf-a');
  });

  it('removes temporary files of a dead process, keeps those of a live one, of another machine and its own open ones', async () => {
    const dir = runDir();
    fs.mkdirSync(dir);
    const final = path.join(dir, 'part-00000.avro');
    const own = new AtomicFile(final);
    const ownTag = /\.([0-9a-f]{8})-\d+-\d+-[0-9a-f]{8}\.tmp$/.exec(own.tempPath)![1];
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.once('exit', r));
    const alive = spawn('sleep', ['30']);
    try {
      const names = {
        dead: `part-00000.avro.${ownTag}-${dead.pid}-0-00000001.tmp`,
        alive: `part-00000.avro.${ownTag}-${alive.pid}-0-00000002.tmp`,
        otherHost: `part-00000.avro.ffffffff-${dead.pid}-0-00000003.tmp`,
      };
      for (const name of Object.values(names)) fs.writeFileSync(path.join(dir, name), 'x');
      removeStaleTempFiles(final);
      expect(fs.readdirSync(dir).sort()).toEqual([names.alive, names.otherHost, path.basename(own.tempPath)].sort());
      own.write(Buffer.from('data'));
      own.commit();
      expect(fs.readFileSync(final, 'utf8')).toBe('data');
    } finally {
      alive.kill();
    }
  });

  it('counts a CLI streamer that has exited but is not reaped (a zombie) as gone, and takes its topic over at once', async (ctx) => {
    if (!fs.existsSync('/proc/self/stat')) return ctx.skip('no /proc here: kill(pid, 0) alone decides, and a zombie cannot be told');
    // sh starts `sleep 0.1` and then becomes `sleep 30` (exec keeps its pid), which never waits for its child: that child,
    // once exited, stays a zombie while its parent lives
    const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const [out] = (await once(parent.stdout!, 'data')) as [Buffer];
      const zombie = Number(out.toString().trim());
      const state = () => {
        const stat = fs.readFileSync(`/proc/${zombie}/stat`, 'latin1');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      };
      for (const deadline = Date.now() + 10_000; state() !== 'Z' && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
      expect(state()).toBe('Z');
      // what kill(pid, 0) alone says: it is there
      expect(() => process.kill(zombie, 0)).not.toThrow();
      const now = new Date().toISOString();
      const holder = (pid: number): RunOwner => ({
        workflowId: `process:${os.hostname()}:${pid}`,
        host: os.hostname(),
        pid,
        since: now,
        renewedAt: now,
      });
      expect(processHolderAlive(holder(zombie))).toBe(false);
      expect(processHolderAlive(holder(parent.pid!))).toBe(true);

      // a CLI stream finding the zombie's claim fresh (well within the lease) takes it over, and one of the live parent is refused
      const worldDir = runDir();
      const topic = streamOfTopic(worldDir, 't');
      const cli = { holderAlive: async (h: RunOwner) => processHolderAlive(h) };
      fs.mkdirSync(path.dirname(topic.file), { recursive: true });
      fs.writeFileSync(topic.file, JSON.stringify(holder(parent.pid!)));
      await expect(claimOwnedChecked(topic, 'process:me', cli)).rejects.toThrow(
        `world ${path.basename(worldDir)} -> topic t is being streamed by process ${parent.pid} on ${os.hostname()}`,
      );
      fs.writeFileSync(topic.file, JSON.stringify(holder(zombie)));
      expect((await claimOwnedChecked(topic, 'process:me', cli)).workflowId).toBe('process:me');
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
