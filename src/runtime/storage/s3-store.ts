import { PassThrough, pipeline, type Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { storeKeyProblem, type ObjectStore, type ObjectWriter } from './object-store';
import { s3Client } from './s3-client';
import { s3ErrorText, s3Status } from './s3-errors';
import { confineS3Location, MAX_S3_KEY_BYTES, s3LocationText, type S3Location } from './s3-location';
import { S3MultipartWriter } from './s3-multipart-writer';

/** a 404 for the key (a missing bucket answers 404 too, as NoSuchBucket: no missing key but a failure) */
const isMissingKey = (err: unknown) => s3Status(err) === 404 && (err as Error | null)?.name !== 'NoSuchBucket';

/** how often putIfAbsent retries a 409 (AWS answers it while another conditional write of the key is in progress) */
const CONFLICT_RETRIES = 5;

/**
 * An ObjectStore over a bucket prefix of an S3-compatible server. Objects appear under their key only whole:
 * a writer's data goes to a multipart upload completed at commit (or one PutObject when small), so no reader
 * ever lists or reads a half-written object. The location must already have passed confineS3Location.
 */
export class S3Store implements ObjectStore {
  readonly location: string;

  /** The store at `location` (s3://bucket/prefix) if WRAPPED_ETL_S3_ALLOW lets this worker use it; else an InputError on `field`. */
  static open(field: string, location: string): S3Store {
    return new S3Store(confineS3Location(field, location));
  }

  constructor(
    private readonly root: S3Location,
    private readonly client: S3Client = s3Client(),
  ) {
    this.location = s3LocationText(root);
  }

  /** the full object key of `key`, after the checks every store makes */
  private objectKey(key: string): string {
    const problem = storeKeyProblem(key);
    if (problem !== undefined) throw new Error(`${this.location}: the key "${key}" ${problem}`);
    const full = this.root.prefix === '' ? key : `${this.root.prefix}/${key}`;
    if (Buffer.byteLength(full) > MAX_S3_KEY_BYTES)
      throw new Error(`${this.location}: the key "${key}" makes an object key longer than ${MAX_S3_KEY_BYTES} bytes`);
    return full;
  }

  private missing(key: string, cause: unknown): Error {
    return Object.assign(new Error(`no object ${this.location}: ${key}`, { cause }), { code: 'ENOENT' });
  }

  /** an error other than 404, naming the request and the object as s3://bucket/key (the SDK's own names neither) */
  private failure(what: string, key: string, cause: unknown): Error {
    return new Error(`${what} ${this.location}/${key} failed: ${s3ErrorText(cause)}`, { cause });
  }

  async read(key: string): Promise<Buffer> {
    const objectKey = this.objectKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.root.bucket, Key: objectKey }));
      return Buffer.from(await res.Body!.transformToByteArray());
    } catch (err) {
      if (isMissingKey(err)) throw this.missing(key, err);
      throw this.failure('GetObject', key, err);
    }
  }

  readStream(key: string): Readable {
    const out = new PassThrough();
    let objectKey: string;
    try {
      objectKey = this.objectKey(key);
    } catch (err) {
      process.nextTick(() => out.destroy(err as Error));
      return out;
    }
    this.client.send(new GetObjectCommand({ Bucket: this.root.bucket, Key: objectKey })).then(
      (res) => pipeline(res.Body as Readable, out, () => {}),
      (err: unknown) => out.destroy(isMissingKey(err) ? this.missing(key, err) : this.failure('GetObject', key, err)),
    );
    return out;
  }

  async stat(key: string): Promise<{ bytes: number; version: string } | undefined> {
    const objectKey = this.objectKey(key);
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.root.bucket, Key: objectKey }));
      return { bytes: res.ContentLength ?? 0, version: res.ETag ?? '' };
    } catch (err) {
      if (s3Status(err) === 404) return undefined;
      throw this.failure('HeadObject', key, err);
    }
  }

  /** keys that start with `prefix` (a string prefix, as S3 lists: 'parts/part-' or 'parts/') */
  async list(prefix: string): Promise<string[]> {
    const folder = prefix.replace(/\/$/, '');
    if (folder !== '') this.objectKey(folder); // a prefix that would reach outside the store is refused like a key
    const s3Prefix = this.root.prefix === '' ? prefix : `${this.root.prefix}/${prefix}`;
    const strip = this.root.prefix === '' ? 0 : this.root.prefix.length + 1;
    const keys: string[] = [];
    try {
      for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.root.bucket, Prefix: s3Prefix })) {
        for (const object of page.Contents ?? []) {
          // a key another tool put there that this store would refuse is no key of the run
          const key = object.Key!.slice(strip);
          if (storeKeyProblem(key) === undefined) keys.push(key);
        }
      }
    } catch (err) {
      throw this.failure('ListObjectsV2', prefix, err);
    }
    return keys.sort();
  }

  async writer(key: string): Promise<ObjectWriter> {
    return new S3MultipartWriter(this.client, this.root.bucket, this.objectKey(key), `${this.location}/${key}`);
  }

  /**
   * PutObject with If-None-Match: *: the server refuses it (412) when the key exists, and of racing writers
   * exactly one wins. A server that ignores the header would overwrite; the HEAD first narrows that to
   * writers racing within one round trip (docs/storage.md names the servers).
   */
  async putIfAbsent(key: string, data: Uint8Array): Promise<boolean> {
    const objectKey = this.objectKey(key);
    if ((await this.stat(key)) !== undefined) return false;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(new PutObjectCommand({ Bucket: this.root.bucket, Key: objectKey, Body: data, IfNoneMatch: '*' }));
        return true;
      } catch (err) {
        const status = s3Status(err);
        if (status === 412) return false;
        if (status === 409 && attempt < CONFLICT_RETRIES) {
          await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
          continue;
        }
        if (status === 501) {
          throw new Error(`${this.location}: the server does not support conditional writes (If-None-Match), which ${key} needs`, {
            cause: err,
          });
        }
        throw this.failure('PutObject (If-None-Match: *)', key, err);
      }
    }
  }

  async delete(key: string): Promise<void> {
    const objectKey = this.objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.root.bucket, Key: objectKey }));
    } catch (err) {
      throw this.failure('DeleteObject', key, err);
    }
  }
}
