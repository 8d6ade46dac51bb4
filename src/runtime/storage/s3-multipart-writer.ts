import * as crypto from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  ChecksumAlgorithm,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ObjectWriter } from './object-store';
import { s3ErrorText } from './s3-errors';

/** bytes of one upload part (S3 takes 5 MiB to 5 GiB, at most 10,000 parts: objects up to 78 GiB) */
export const UPLOAD_PART_BYTES = 8 * 1024 * 1024;
/** parts on their way to the server at once; a writer holds at most this many parts plus the one it fills */
export const UPLOAD_PARTS_IN_FLIGHT = 3;

/**
 * An object written as a multipart upload that only CompleteMultipartUpload makes visible; an object smaller
 * than one part goes as one PutObject at commit instead. Memory stays bounded: written bytes are copied into
 * part buffers (the caller may reuse its chunk at once) and write() waits while UPLOAD_PARTS_IN_FLIGHT parts are
 * on their way. A failure or abort() aborts the upload; a killed process leaves only an incomplete upload,
 * which no listing or read shows (a bucket lifecycle rule removes such uploads: docs/storage.md).
 */
export class S3MultipartWriter implements ObjectWriter {
  private part = Buffer.allocUnsafe(UPLOAD_PART_BYTES);
  private filled = 0;
  private readonly hash = crypto.createHash('sha256');
  private bytes = 0;
  private uploadId: Promise<string> | undefined;
  private partNumber = 0;
  private readonly done: CompletedPart[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  private finished = false;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly key: string,
    /** how messages name the object */
    private readonly label: string,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    this.checkOpen();
    this.hash.update(chunk);
    this.bytes += chunk.length;
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(chunk.length - at, UPLOAD_PART_BYTES - this.filled);
      this.part.set(chunk.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled === UPLOAD_PART_BYTES) await this.sendPart();
    }
  }

  async commit(): Promise<{ bytes: number; sha256: string }> {
    this.checkOpen();
    this.finished = true;
    try {
      if (this.uploadId === undefined) {
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key, Body: this.part.subarray(0, this.filled) }));
      } else {
        if (this.filled > 0) await this.sendPart();
        await Promise.all(this.inFlight);
        if (this.failure !== undefined) throw this.failure;
        const parts = [...this.done].sort((a, b) => a.PartNumber! - b.PartNumber!);
        await this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.bucket,
            Key: this.key,
            UploadId: await this.uploadId,
            MultipartUpload: { Parts: parts },
          }),
        );
      }
    } catch (err) {
      await this.abortUpload();
      throw new Error(`${this.label}: the upload failed: ${s3ErrorText(err)}`, { cause: err });
    }
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  async abort(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.abortUpload();
  }

  private checkOpen(): void {
    if (this.finished) throw new Error(`${this.label}: the writer was committed or aborted already`);
    if (this.failure !== undefined) throw this.partFailure();
  }

  private partFailure(): Error {
    return new Error(`${this.label}: a part failed to upload: ${s3ErrorText(this.failure)}`, { cause: this.failure });
  }

  /** sends the filled part buffer and starts a new one; waits while too many parts are on their way */
  private async sendPart(): Promise<void> {
    this.uploadId ??= this.createUpload();
    const body = this.part.subarray(0, this.filled);
    const partNumber = ++this.partNumber;
    this.part = Buffer.allocUnsafe(UPLOAD_PART_BYTES);
    this.filled = 0;
    const sending = this.uploadPart(partNumber, body).then(
      (part) => void this.done.push(part),
      (err: unknown) => void (this.failure ??= err),
    );
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
    while (this.inFlight.size >= UPLOAD_PARTS_IN_FLIGHT) await Promise.race(this.inFlight);
    if (this.failure !== undefined) throw this.partFailure();
  }

  private async createUpload(): Promise<string> {
    const res = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, ...(await this.checksumAlgorithm()) }),
    );
    return res.UploadId!;
  }

  /** the SDK adds a CRC32 to each part when it may (its default); the upload must then be created with one */
  private async checksumAlgorithm(): Promise<{ ChecksumAlgorithm?: ChecksumAlgorithm }> {
    return (await this.client.config.requestChecksumCalculation()) === 'WHEN_SUPPORTED'
      ? { ChecksumAlgorithm: ChecksumAlgorithm.CRC32 }
      : {};
  }

  private async uploadPart(partNumber: number, body: Buffer): Promise<CompletedPart> {
    const res = await this.client.send(
      new UploadPartCommand({
        Bucket: this.bucket,
        Key: this.key,
        UploadId: await this.uploadId!,
        PartNumber: partNumber,
        Body: body,
        ...(await this.checksumAlgorithm()),
      }),
    );
    return {
      PartNumber: partNumber,
      ETag: res.ETag,
      ...(res.ChecksumCRC32 && { ChecksumCRC32: res.ChecksumCRC32 }),
      ...(res.ChecksumCRC32C && { ChecksumCRC32C: res.ChecksumCRC32C }),
      ...(res.ChecksumCRC64NVME && { ChecksumCRC64NVME: res.ChecksumCRC64NVME }),
      ...(res.ChecksumSHA1 && { ChecksumSHA1: res.ChecksumSHA1 }),
      ...(res.ChecksumSHA256 && { ChecksumSHA256: res.ChecksumSHA256 }),
    };
  }

  /** waits for parts on their way, then aborts the upload (if one was created) so the server drops its parts */
  private async abortUpload(): Promise<void> {
    await Promise.allSettled(this.inFlight);
    if (this.uploadId === undefined) return;
    const uploadId = await this.uploadId.catch(() => undefined);
    if (uploadId === undefined) return;
    await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: uploadId })).catch(() => {
      // best effort: an upload never completed shows under no key either way
    });
  }
}
