import * as zlib from 'node:zlib';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import { snappyUncompress } from 'hyparquet';
import { loadZstd, type Zstd } from '../zstd-wasm';

/** The codecs a run's AVRO parts can use (`avroCodec`), as the Avro spec names them. */
export const AVRO_CODECS = ['deflate', 'snappy', 'zstandard'] as const;
export type AvroCodec = (typeof AVRO_CODECS)[number];
/** ...and `null`, what a container may also say */
export type ContainerCodec = AvroCodec | 'null';

/** How one container block's bytes are compressed and decompressed. */
export interface BlockCodec {
  compress(raw: Uint8Array): Buffer;
  decompress(data: Uint8Array): Buffer;
}

/** zlib's default level: the parts' bytes as they have always been */
const DEFLATE_LEVEL = 6;
/** zstd's own default level, as Java Avro's and fastavro's zstandard codecs use */
const ZSTD_LEVEL = 3;

const NULL: BlockCodec = { compress: (raw) => Buffer.from(raw), decompress: (data) => Buffer.from(data) };

const DEFLATE: BlockCodec = {
  compress: (raw) => zlib.deflateRawSync(raw, { level: DEFLATE_LEVEL }),
  decompress: (data) => zlib.inflateRawSync(data),
};

/**
 * Snappy as the Avro spec has it: the compressed block, then the CRC32 of the uncompressed
 * bytes, 4 bytes big-endian. The compressor is hyparquet-writer's (pure JS, the one the
 * Parquet parts already use), the decompressor hyparquet's: no native build on any Node.
 */
const SNAPPY: BlockCodec = {
  compress(raw) {
    const packed = snappyCompress(raw);
    const out = Buffer.allocUnsafe(packed.length + 4);
    out.set(packed, 0);
    out.writeUInt32BE(zlib.crc32(raw), packed.length);
    return out;
  },
  decompress(data) {
    if (data.length < 5) throw new Error('snappy block shorter than its CRC32');
    const packed = data.subarray(0, data.length - 4);
    const out = Buffer.allocUnsafe(uncompressedLength(packed));
    snappyUncompress(packed, out);
    const want = Buffer.from(data.buffer, data.byteOffset, data.length).readUInt32BE(data.length - 4);
    if (zlib.crc32(out) !== want) throw new Error('snappy block fails its CRC32');
    return out;
  },
};

/** A snappy stream starts with its uncompressed length as a varint. */
function uncompressedLength(packed: Uint8Array): number {
  let n = 0;
  for (let i = 0, shift = 1; i < 5 && i < packed.length; i++, shift *= 128) {
    n += (packed[i] & 0x7f) * shift;
    if (packed[i] < 0x80) return n;
  }
  throw new Error('snappy block without its length');
}

let zstandard: BlockCodec | undefined;
const zstdCodec = (z: Zstd): BlockCodec => ({ compress: (raw) => z.compress(raw, ZSTD_LEVEL), decompress: (data) => z.decompress(data) });

/** Makes `codec` usable by blockCodec() in this thread (zstandard loads WebAssembly once). */
export async function loadBlockCodec(codec: string): Promise<void> {
  if (codec === 'zstandard' && !zstandard) zstandard = zstdCodec(await loadZstd());
}

/** The codec a container names; throws for one it does not know, or zstandard before loadBlockCodec. */
export function blockCodec(codec: string): BlockCodec {
  switch (codec) {
    case 'null':
      return NULL;
    case 'deflate':
      return DEFLATE;
    case 'snappy':
      return SNAPPY;
    case 'zstandard':
      if (!zstandard) throw new Error('the zstandard codec is not loaded in this thread: await loadBlockCodec("zstandard") first');
      return zstandard;
    default:
      throw new Error(`unsupported codec ${codec}; known: null, ${AVRO_CODECS.join(', ')}`);
  }
}
