import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { text } from 'node:stream/consumers';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3Store } from '../../../src/runtime/storage/s3-store';
import { downloadFile, uploadFile } from '../../../src/runtime/storage/store-files';
import { makeTmpDir } from '../../helpers/tmp-dir';
import { UPLOAD_PART_BYTES, UPLOAD_PARTS_IN_FLIGHT } from '../../../src/runtime/storage/s3-multipart-writer';
import { useS3Server } from '../../helpers/s3-server';

const ROOT = path.resolve(__dirname, '../../..');
const BUCKET = 'runs';

describe('S3Store against a real S3-compatible server (SeaweedFS)', () => {
  const s3 = useS3Server([BUCKET]);
  const store = (prefix: string) => new S3Store({ bucket: BUCKET, prefix }, s3.server.client);

  const pendingUploads = async (prefix: string) =>
    (await s3.server.client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: prefix }))).Uploads ?? [];

  it('writes a multi-part object in odd chunks from a reused buffer and reads back the same bytes', async () => {
    const s = store('round-trip');
    const data = crypto.randomBytes(2 * UPLOAD_PART_BYTES + 12345);
    const writer = await s.writer('parts/part-00000.avro');
    const scratch = Buffer.alloc(777_777);
    for (let at = 0; at < data.length; at += scratch.length) {
      const n = data.copy(scratch, 0, at, at + scratch.length);
      await writer.write(scratch.subarray(0, n));
      scratch.fill(0xee); // the writer must have copied what it keeps
    }
    expect(await s.stat('parts/part-00000.avro')).toBeUndefined();
    const result = await writer.commit();
    expect(result).toEqual({ bytes: data.length, sha256: crypto.createHash('sha256').update(data).digest('hex') });
    expect((await s.read('parts/part-00000.avro')).equals(data)).toBe(true);
    expect(await s.stat('parts/part-00000.avro')).toMatchObject({ bytes: data.length });
    const streamed = Buffer.concat(await s.readStream('parts/part-00000.avro').toArray());
    expect(streamed.equals(data)).toBe(true);
    expect(await pendingUploads('round-trip/')).toEqual([]);
  });

  it('writes an object smaller than one part with one put, and an empty one', async () => {
    const s = store('small');
    const w = await s.writer('a.json');
    await w.write(Buffer.from('{"a":1}'));
    expect(await w.commit()).toMatchObject({ bytes: 7 });
    expect((await s.read('a.json')).toString()).toBe('{"a":1}');
    const empty = await s.writer('empty');
    expect((await empty.commit()).bytes).toBe(0);
    expect(await s.stat('empty')).toMatchObject({ bytes: 0 });
  });

  it('fails naming the key on a missing object, for read and readStream', async () => {
    const s = store('missing');
    await expect(s.read('nope/x')).rejects.toMatchObject({ code: 'ENOENT', message: 'no object s3://runs/missing: nope/x' });
    await expect(text(s.readStream('nope/x'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await s.stat('nope/x')).toBeUndefined();
  });

  it('fails naming the request, bucket and key on other errors (refused credentials, missing bucket), never the secret', async () => {
    const secret = 'not-the-secret-of-this-server';
    const refused = new S3Client({
      endpoint: s3.server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: s3.server.env.AWS_ACCESS_KEY_ID, secretAccessKey: secret },
    });
    try {
      const s = new S3Store({ bucket: BUCKET, prefix: 'denied' }, refused);
      const failures: [string, () => Promise<unknown>][] = [
        ['GetObject', () => s.read('avro/k')],
        ['GetObject', () => text(s.readStream('avro/k'))],
        ['HeadObject', () => s.stat('avro/k')],
        ['ListObjectsV2', () => s.list('avro/')],
        // its HEAD first is what fails
        ['HeadObject', () => s.putIfAbsent('avro/k', Buffer.from('x'))],
        ['DeleteObject', () => s.delete('avro/k')],
      ];
      for (const [request, failure] of failures) {
        const err = (await failure().then(
          () => undefined,
          (e: unknown) => e,
        )) as Error;
        expect(err?.message, request).toMatch(new RegExp(`^${request} s3://${BUCKET}/denied/avro/k? failed: (\\w+ \\()?HTTP 403`));
        expect(err.message).not.toContain(secret);
      }
      const w = await s.writer('avro/k');
      await w.write(Buffer.from('x'));
      const err = (await w.commit().then(
        () => undefined,
        (e: unknown) => e,
      )) as Error;
      expect(err.message).toMatch(new RegExp(`^s3://${BUCKET}/denied/avro/k: the upload failed: \\w+ \\(HTTP 403\\)`));
      expect(err.message).not.toContain(secret);
    } finally {
      refused.destroy();
    }
    const noBucket = new S3Store({ bucket: 'no-such-bucket', prefix: 'p' }, s3.server.client);
    await expect(noBucket.read('k')).rejects.toThrow(/^GetObject s3:\/\/no-such-bucket\/p\/k failed: NoSuchBucket \(HTTP 404\)/);
  });

  it('an aborted writer leaves no object and no pending upload', async () => {
    const s = store('aborted');
    const w = await s.writer('part');
    // enough parts that write() waits for one to land: the upload exists on the server when it returns
    await w.write(Buffer.alloc(UPLOAD_PARTS_IN_FLIGHT * UPLOAD_PART_BYTES + 1, 1));
    expect((await pendingUploads('aborted/')).length).toBe(1);
    await w.abort();
    expect(await s.stat('part')).toBeUndefined();
    expect(await s.list('')).toEqual([]);
    expect(await pendingUploads('aborted/')).toEqual([]);
  });

  it('a writer whose upload fails midway throws at commit and leaves nothing under the key', async () => {
    const s = store('failed');
    const w = await s.writer('part');
    await w.write(Buffer.alloc(UPLOAD_PARTS_IN_FLIGHT * UPLOAD_PART_BYTES, 2));
    expect((await pendingUploads('failed/')).length).toBe(1);
    // someone else aborts the upload (a lifecycle rule, an operator): the next parts cannot land
    for (const u of await pendingUploads('failed/')) {
      await s3.server.client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: u.Key, UploadId: u.UploadId }));
    }
    await expect(
      (async () => {
        await w.write(Buffer.alloc(UPLOAD_PART_BYTES, 3));
        await w.commit();
      })(),
    ).rejects.toThrow(/s3:\/\/runs\/failed\/part: (the upload failed|a part failed to upload)/);
    expect(await s.stat('part')).toBeUndefined();
  });

  it('a SIGKILLed writer leaves nothing under its key, only an incomplete upload no listing shows', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(ROOT, 'test/s3/unfinished-writer.ts'),
        `s3://${BUCKET}/killed`,
        'parts/part-00001.avro',
        String(3 * UPLOAD_PART_BYTES + 5),
      ],
      { cwd: ROOT, env: { ...process.env, ...s3.server.env }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('written') && resolve());
      child.once('exit', (code) => reject(new Error(`the writer exited (${code}) before writing`)));
    });
    // at least one part has reached the server: the kill lands mid-upload, not before it
    const [upload] = await pendingUploads('killed/');
    const parts = await s3.server.client.send(new ListPartsCommand({ Bucket: BUCKET, Key: upload.Key, UploadId: upload.UploadId }));
    expect(parts.Parts?.length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await exited;

    const s = store('killed');
    expect(await s.stat('parts/part-00001.avro')).toBeUndefined();
    expect(await s.list('')).toEqual([]);
    await expect(s.read('parts/part-00001.avro')).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await pendingUploads('killed/')).map((u) => u.Key)).toEqual(['killed/parts/part-00001.avro']);
  });

  it('putIfAbsent writes once; of racing writers exactly one wins and its bytes stay', async () => {
    const s = store('manifests');
    expect(await s.putIfAbsent('run-1/manifest.json', Buffer.from('first'))).toBe(true);
    expect(await s.putIfAbsent('run-1/manifest.json', Buffer.from('second'))).toBe(false);
    expect((await s.read('run-1/manifest.json')).toString()).toBe('first');

    for (let trial = 0; trial < 5; trial++) {
      const key = `race-${trial}/manifest.json`;
      const wins = await Promise.all(Array.from({ length: 8 }, (_, i) => store('manifests').putIfAbsent(key, Buffer.from(`writer ${i}`))));
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect((await s.read(key)).toString()).toBe(`writer ${wins.indexOf(true)}`);
    }
  });

  it('the server refuses a conditional put on an existing key with 412 (not only our HEAD before it)', async () => {
    await s3.server.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cond/x', Body: 'a' }));
    await expect(
      s3.server.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cond/x', Body: 'b', IfNoneMatch: '*' })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 412 },
    });
  });

  it('the server also refuses completing a multipart upload with If-None-Match: * over an existing key (412)', async () => {
    await s3.server.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cond/mpu', Body: 'first' }));
    const { UploadId } = await s3.server.client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'cond/mpu' }));
    const part = await s3.server.client.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: 'cond/mpu', UploadId, PartNumber: 1, Body: 'second' }),
    );
    await expect(
      s3.server.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: 'cond/mpu',
          UploadId,
          IfNoneMatch: '*',
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    expect((await store('cond').read('mpu')).toString()).toBe('first');
    await s3.server.client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'cond/mpu', UploadId }));
  });

  it("lists sorted keys relative to the store that start with the prefix asked, never another store's", async () => {
    const s = store('listing/run');
    for (const key of ['parts/b', 'parts/a', 'manifest.json', 'partsx/c']) await s.putIfAbsent(key, Buffer.from(key));
    await store('listing/run2').putIfAbsent('parts/z', Buffer.from('other run'));
    // keys another tool could put there that these rules refuse (SeaweedFS itself refuses '..' segments: 400 InvalidRequest)
    for (const odd of ['odd/%2e%2e/key', 'odd/\uff0e\uff0e/key', 'odd/\u202ekey']) {
      await s3.server.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `listing/run/${odd}`, Body: 'put by another tool' }));
    }
    await expect(
      s3.server.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'listing/run/odd/../key', Body: 'x' })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 400 },
    });
    const pending = await s.writer('parts/c');
    await pending.write(Buffer.alloc(UPLOAD_PART_BYTES + 1));

    expect(await s.list('parts/')).toEqual(['parts/a', 'parts/b']);
    expect(await s.list('parts')).toEqual(['parts/a', 'parts/b', 'partsx/c']);
    expect(await s.list('parts/b')).toEqual(['parts/b']);
    expect(await s.list('')).toEqual(['manifest.json', 'parts/a', 'parts/b', 'partsx/c']);
    await pending.abort();
  });

  it('refuses keys that would leave the prefix before any request, and deletes only its own key', async () => {
    const s = store('confined/inner');
    await store('confined').putIfAbsent('secret', Buffer.from('outside'));
    for (const key of [
      '../secret',
      '/confined/secret',
      'a/../../secret',
      '%2e%2e/secret',
      '\uff0e\uff0e/secret',
      'a\\..\\..\\secret',
      '',
    ]) {
      await expect(s.read(key)).rejects.toThrow(/^s3:\/\/runs\/confined\/inner: the key/);
      await expect(s.putIfAbsent(key, Buffer.from('x'))).rejects.toThrow(/the key/);
      await expect(s.writer(key)).rejects.toThrow(/the key/);
      await expect(s.delete(key)).rejects.toThrow(/the key/);
      await expect(s.list(key === '' ? 'a/..' : key)).rejects.toThrow(/the key/);
    }
    expect((await store('confined').read('secret')).toString()).toBe('outside');
    await s.putIfAbsent('mine', Buffer.from('x'));
    await s.delete('mine');
    expect(await s.stat('mine')).toBeUndefined();
  });
  it('uploads a staging file whole, refuses one that does not hash to its checkpoint, and downloads it back', async () => {
    const tmp = makeTmpDir();
    try {
      const s = store('staged');
      const data = crypto.randomBytes(UPLOAD_PART_BYTES + 4321);
      const file = path.join(tmp.dir, 'part-00000.avro');
      fs.writeFileSync(file, data);
      const sha256 = crypto.createHash('sha256').update(data).digest('hex');
      expect(await uploadFile(s, 'avro/part-00000.avro', file, sha256)).toEqual({ bytes: data.length, sha256 });
      await expect(uploadFile(s, 'avro/part-00001.avro', file, 'f'.repeat(64))).rejects.toThrow(
        /hashes to .* not f{64}: not uploading it as s3:\/\/runs\/staged: avro\/part-00001.avro/,
      );
      expect(await s.list('avro/')).toEqual(['avro/part-00000.avro']);
      expect(await pendingUploads('staged/')).toEqual([]);
      const back = path.join(tmp.dir, 'back', 'part.avro');
      expect(await downloadFile(s, 'avro/part-00000.avro', back)).toEqual({ bytes: data.length, sha256 });
      expect(fs.readFileSync(back).equals(data)).toBe(true);
      await expect(downloadFile(s, 'avro/missing.avro', path.join(tmp.dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
      expect(fs.readdirSync(tmp.dir).sort()).toEqual(['back', 'part-00000.avro']);
    } finally {
      tmp.cleanup();
    }
  });
  it('opens only the buckets and prefixes WRAPPED_ETL_S3_ALLOW lists, with endpoint and credentials from the environment', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, s3.server.env, { WRAPPED_ETL_S3_ALLOW: `${BUCKET}/allowed` });
    try {
      const s = S3Store.open('out', `s3://${BUCKET}/allowed/run-1`);
      expect(await s.putIfAbsent('manifest.json', Buffer.from('{}'))).toBe(true);
      expect(await s.list('')).toEqual(['manifest.json']);
      for (const location of [`s3://${BUCKET}/allowedx`, `s3://${BUCKET}`, `s3://${BUCKET}/allowed/../secret`, 's3://other/allowed']) {
        expect(() => S3Store.open('out', location)).toThrow(/^invalid input: out: /);
      }
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});
