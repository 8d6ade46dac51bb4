import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import type { CompressionCodec } from 'hyparquet';
import type { Compressors } from 'hyparquet-writer/src/types.js';
import type { ParquetCodec } from './parquet-codec';

/** The codec a file's pages use and the functions that compress for it. */
export interface PageCodec {
  codec: CompressionCodec;
  compressors: Compressors;
}

/** zstd's own default level: ~SNAPPY's speed class on these pages, clearly smaller files. */
const ZSTD_LEVEL = 3;

const SNAPPY: PageCodec = { codec: 'SNAPPY', compressors: { SNAPPY: snappyCompress } };
let zstd: PageCodec | undefined;

/**
 * Makes `codec` usable by pageCodec(). ZSTD is libzstd 1.5.7 compiled to WebAssembly
 * (@hpcc-js/wasm-zstd), pinned in package.json: the same bytes on every Node version and
 * platform, where Node's own zlib zstd exists only from Node 22/24 and compresses with
 * whichever libzstd that Node bundles. Loaded only when a run asks for it.
 */
export async function loadPageCodec(codec: ParquetCodec): Promise<void> {
  if (codec === 'zstd' && !zstd) {
    const { Zstd } = await import('@hpcc-js/wasm-zstd');
    const z = await Zstd.load();
    zstd = { codec: 'ZSTD', compressors: { ZSTD: (bytes: Uint8Array) => z.compress(bytes, ZSTD_LEVEL) } };
  }
}

/** The pages' codec; ZSTD once loadPageCodec('zstd') has run in this thread. */
export function pageCodec(codec: ParquetCodec = 'snappy'): PageCodec {
  if (codec === 'snappy') return SNAPPY;
  if (!zstd) throw new Error('the zstd codec is not loaded in this thread: await loadPageCodec("zstd") before writing Parquet');
  return zstd;
}
