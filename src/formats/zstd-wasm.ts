import * as zlib from 'node:zlib';

/**
 * libzstd 1.5.7 compiled to WebAssembly (@hpcc-js/wasm-zstd, pinned in package.json): the
 * same compressed bytes on every Node version and platform, where Node's own zlib zstd
 * exists only from Node 22/24 and compresses with whichever libzstd that Node bundles.
 *
 * The package's compress()/decompress() copy their result out of the WebAssembly heap as
 * `new Uint8Array([...view])`, one JS array element per byte: 256 KiB AVRO blocks went at
 * 4-6 MB/s that way against 32-54 MB/s through the same exported functions with one
 * Buffer copy (same bytes; /tmp micro-bench on the loaded machine, Node 20 and 24). So this
 * calls the module's exported functions itself.
 */
export interface Zstd {
  compress(data: Uint8Array, level: number): Buffer;
  /** one zstd frame */
  decompress(data: Uint8Array): Buffer;
}

interface HeapBlock {
  ptr: number;
  size: number;
}
interface WasmModule {
  malloc(size: number): HeapBlock;
  free(block: HeapBlock): void;
  dataToHeap(data: Uint8Array): HeapBlock;
  heapView(block: HeapBlock): Uint8Array;
}
interface ZstdFunctions {
  compressBound(size: number): number;
  compress(dst: number, dstCapacity: number, src: number, srcSize: number, level: number): number;
  decompress(dst: number, dstCapacity: number, src: number, srcSize: number): number;
  getFrameContentSize(src: number, srcSize: number): number | bigint;
  isError(code: number): boolean;
  getErrorName(code: number): string;
}

/** Node's native zstd decoder (Node >= 22.15; @types/node 20 does not declare it) */
const nativeDecompress = (zlib as { zstdDecompressSync?: (data: Uint8Array) => Buffer }).zstdDecompressSync;
/** what getFrameContentSize answers at and above this: unknown (a streamed frame) or an error */
const NO_CONTENT_SIZE = 2n ** 64n - 2n;

let loaded: Zstd | undefined;

/** The zstd codec; loads the WebAssembly module once per thread. */
export async function loadZstd(): Promise<Zstd> {
  if (loaded) return loaded;
  const { Zstd: Library } = await import('@hpcc-js/wasm-zstd');
  const library = await Library.load();
  const lib = library as unknown as { _mainModule: WasmModule; _zstdClass: ZstdFunctions };
  const heap = lib._mainModule;
  const fns = lib._zstdClass;
  if (typeof heap?.heapView !== 'function' || typeof fns?.compressBound !== 'function') {
    throw new Error('@hpcc-js/wasm-zstd no longer exposes its module functions: check zstd-wasm.ts against the installed version');
  }
  const run = (src: Uint8Array, capacity: number, call: (dst: number, cap: number, s: HeapBlock) => number): Buffer => {
    const input = heap.dataToHeap(src);
    const output = heap.malloc(capacity);
    try {
      const n = call(output.ptr, capacity, input);
      if (fns.isError(n)) throw new Error(`zstd: ${fns.getErrorName(n)}`);
      return Buffer.from(heap.heapView({ ptr: output.ptr, size: n }));
    } finally {
      heap.free(output);
      heap.free(input);
    }
  };
  loaded = {
    compress: (data, level) => run(data, fns.compressBound(data.length), (dst, cap, s) => fns.compress(dst, cap, s.ptr, s.size, level)),
    // decoding gives the same bytes whoever decodes: Node's native zstd where it has one (Node >= 22.15)
    decompress: nativeDecompress
      ? (data) => nativeDecompress.call(zlib, data)
      : (data) => {
          const input = heap.dataToHeap(data);
          let size: bigint;
          try {
            size = BigInt(fns.getFrameContentSize(input.ptr, input.size));
          } finally {
            heap.free(input);
          }
          // a streamed frame (Java's ZstdOutputStream writes them) does not say its size: the library's own streaming path
          if (size >= NO_CONTENT_SIZE) return Buffer.from(library.decompress(data));
          return run(data, Number(size), (dst, cap, s) => fns.decompress(dst, cap, s.ptr, s.size));
        },
  };
  return loaded;
}
