import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import type { CompressionCodec } from 'hyparquet';
import type { Compressors } from 'hyparquet-writer/src/types.js';
import type { ParquetCodec } from './parquet-codec';
import { loadZstd } from '../zstd-wasm';

/** The codec a file's pages use and the functions that compress for it. */
export interface PageCodec {
  codec: CompressionCodec;
  compressors: Compressors;
}

/** zstd's own default level: ~SNAPPY's speed class on these pages, clearly smaller files. */
const ZSTD_LEVEL = 3;

const SNAPPY: PageCodec = { codec: 'SNAPPY', compressors: { SNAPPY: snappyCompress } };
let zstd: PageCodec | undefined;

/** Makes `codec` usable by pageCodec(). ZSTD: see zstd-wasm.ts; loaded only when a run asks for it. */
export async function loadPageCodec(codec: ParquetCodec): Promise<void> {
  if (codec === 'zstd' && !zstd) {
    const z = await loadZstd();
    zstd = { codec: 'ZSTD', compressors: { ZSTD: (bytes: Uint8Array) => z.compress(bytes, ZSTD_LEVEL) } };
  }
}

/** The pages' codec; ZSTD once loadPageCodec('zstd') has run in this thread. */
export function pageCodec(codec: ParquetCodec = 'snappy'): PageCodec {
  if (codec === 'snappy') return SNAPPY;
  if (!zstd) throw new Error('the zstd codec is not loaded in this thread: await loadPageCodec("zstd") before writing Parquet');
  return zstd;
}
