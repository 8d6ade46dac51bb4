import * as avro from 'avsc';
import { AtomicFile } from '../../runtime/atomic-file';
import { blockCodec, type BlockCodec, type ContainerCodec } from './block-codecs';
import type { RecordEncoder } from './song-event-encoder';

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);
const metaType = avro.Type.forSchema({ type: 'map', values: 'bytes' });
const longType = avro.Type.forSchema('long');

export interface ContainerWriterOptions<T> {
  /** 16 bytes; derive it from the run seed so output is byte-identical across runs */
  syncMarker: Buffer;
  /** default deflate; zstandard needs loadBlockCodec('zstandard') in this thread first */
  codec?: ContainerCodec;
  /** uncompressed bytes per block */
  blockBytes?: number;
  /** header schema with its attributes (logical types, defaults, docs); off keeps the bare schema of older files */
  schemaAttributes?: boolean;
  /** how a record is encoded, when not by the type itself (it must give the type's bytes) */
  encode?: RecordEncoder<T>;
}

export interface WrittenContainer {
  records: number;
  bytes: number;
  sha256: string;
}

/**
 * Writes an AVRO object container file synchronously, block by block, under a
 * temporary name; commit() renames it into place. Memory is bounded by one block.
 */
export class AvroContainerWriter<T = unknown> {
  private readonly file: AtomicFile;
  private readonly codec: BlockCodec;
  private readonly blockBytes: number;
  private block: Buffer;
  private blockPos = 0;
  private blockCount = 0;
  private total = 0;
  private readonly encode: RecordEncoder<T>;

  constructor(
    finalPath: string,
    type: avro.Type,
    private readonly options: ContainerWriterOptions<T>,
  ) {
    if (options.syncMarker.length !== 16) throw new Error('an AVRO sync marker has 16 bytes');
    this.encode = options.encode ?? ((record, buf, pos) => type.encode(record, buf, pos));
    const codec = options.codec ?? 'deflate';
    this.codec = blockCodec(codec);
    this.blockBytes = options.blockBytes ?? 256 * 1024;
    this.block = Buffer.allocUnsafe(this.blockBytes * 2);
    const meta = metaType.toBuffer({
      'avro.schema': Buffer.from(JSON.stringify(type.schema({ exportAttrs: options.schemaAttributes === true }))),
      'avro.codec': Buffer.from(codec),
    });
    this.file = new AtomicFile(finalPath);
    try {
      this.file.write(Buffer.concat([MAGIC, meta, options.syncMarker]));
    } catch (err) {
      this.file.abort();
      throw err;
    }
  }

  get records(): number {
    return this.total;
  }

  get bytesWritten(): number {
    return this.file.bytes;
  }

  append(record: T): void {
    let pos = this.encode(record, this.block, this.blockPos);
    while (pos < 0) {
      const grown = Buffer.allocUnsafe(this.block.length * 2);
      this.block.copy(grown, 0, 0, this.blockPos);
      this.block = grown;
      pos = this.encode(record, this.block, this.blockPos);
    }
    this.blockPos = pos;
    this.blockCount++;
    this.total++;
    if (this.blockPos >= this.blockBytes) this.flushBlock();
  }

  private flushBlock(): void {
    if (this.blockCount === 0) return;
    const raw = this.block.subarray(0, this.blockPos);
    const data = this.codec.compress(raw);
    this.file.write(Buffer.concat([longType.toBuffer(this.blockCount), longType.toBuffer(data.length), data, this.options.syncMarker]));
    this.blockPos = 0;
    this.blockCount = 0;
  }

  commit(): WrittenContainer {
    this.flushBlock();
    const { bytes, sha256 } = this.file.commit();
    return { records: this.total, bytes, sha256 };
  }

  abort(): void {
    this.file.abort();
  }
}
