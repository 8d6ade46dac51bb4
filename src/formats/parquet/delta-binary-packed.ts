const BLOCK_SIZE = 128;
const MINIBLOCKS = 4;
const MINIBLOCK_SIZE = BLOCK_SIZE / MINIBLOCKS;
const TWO_32 = 2 ** 32;
/** The most a block takes: its min delta (ULEB128, <= 8 bytes), 4 widths, 128 values of <= 64 bits. */
const MAX_BLOCK_BYTES = 8 + MINIBLOCKS + BLOCK_SIZE * 8;

const zigZag = (value: number): number => (value >= 0 ? value * 2 : -value * 2 - 1);

/** Bits needed for a non-negative integer up to 2^53. */
function bitWidth(value: number): number {
  return value < TWO_32 ? 32 - Math.clz32(value) : 64 - Math.clz32(Math.floor(value / TWO_32));
}

/**
 * Parquet's DELTA_BINARY_PACKED encoding of INT64 values given as JS numbers (integers of
 * at most 53 bits, e.g. epoch milliseconds): blocks of 128 values in 4 miniblocks of 32,
 * each block's deltas less its smallest delta bit-packed at the width of each miniblock's
 * largest. Plain float arithmetic, so no BigInt is made per value; the page is built in
 * one reused buffer.
 */
export class DeltaBinaryPackedEncoder {
  private bytes = new Uint8Array(1 << 16);
  private length = 0;
  private readonly deltas = new Float64Array(BLOCK_SIZE);
  private readonly widths = new Int32Array(MINIBLOCKS);

  /** The page of values[0..count); the bytes stay valid until the next call. */
  encode(values: Float64Array, count: number): Uint8Array {
    const blocks = Math.ceil(Math.max(0, count - 1) / BLOCK_SIZE);
    if (this.bytes.length < 64 + blocks * MAX_BLOCK_BYTES) this.bytes = new Uint8Array(64 + blocks * MAX_BLOCK_BYTES);
    this.length = 0;
    this.uleb(BLOCK_SIZE);
    this.uleb(MINIBLOCKS);
    this.uleb(count);
    this.uleb(zigZag(count ? values[0] : 0));
    const { deltas, widths } = this;
    for (let start = 1; start < count; start += BLOCK_SIZE) {
      const n = Math.min(BLOCK_SIZE, count - start);
      let min = Infinity;
      for (let i = 0; i < n; i++) {
        const delta = values[start + i] - values[start + i - 1];
        deltas[i] = delta;
        if (delta < min) min = delta;
      }
      this.uleb(zigZag(min));
      const used = Math.ceil(n / MINIBLOCK_SIZE);
      for (let m = 0; m < MINIBLOCKS; m++) {
        let max = 0;
        if (m < used) for (let i = m * MINIBLOCK_SIZE; i < Math.min(n, (m + 1) * MINIBLOCK_SIZE); i++) max = Math.max(max, deltas[i] - min);
        widths[m] = bitWidth(max);
        this.bytes[this.length++] = widths[m];
      }
      // a short last miniblock is padded to 32 values; unused miniblocks of the last block have no bytes
      for (let m = 0; m < used; m++) this.packMiniblock(m * MINIBLOCK_SIZE, n, min, widths[m]);
    }
    return this.bytes.subarray(0, this.length);
  }

  /** Unsigned LEB128 of a non-negative integer up to 2^53, with float arithmetic (no 32-bit overflow). */
  private uleb(value: number): void {
    while (value >= 0x80) {
      this.bytes[this.length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.bytes[this.length++] = value;
  }

  /** 32 values (deltas[from..] less min, zeros past n) LSB first at `width` bits: 4 x width bytes. */
  private packMiniblock(from: number, n: number, min: number, width: number): void {
    const { bytes, deltas } = this;
    let at = this.length;
    let acc = 0;
    let accBits = 0;
    for (let i = from; i < from + MINIBLOCK_SIZE; i++) {
      let value = i < n ? deltas[i] - min : 0;
      let bits = width;
      // at most 16 bits go into the accumulator at a time, so it never passes 24 bits; values of
      // up to 32 bits (a session's gap is ~27) take 32-bit operations, wider ones float arithmetic
      while (bits > 16) {
        const wide = bits > 32;
        acc |= (wide ? value % 0x10000 : value & 0xffff) << accBits;
        value = wide ? Math.floor(value / 0x10000) : value >>> 16;
        bits -= 16;
        accBits += 16;
        while (accBits >= 8) {
          bytes[at++] = acc & 0xff;
          acc >>>= 8;
          accBits -= 8;
        }
      }
      acc |= (value & ((1 << bits) - 1)) << accBits;
      accBits += bits;
      while (accBits >= 8) {
        bytes[at++] = acc & 0xff;
        acc >>>= 8;
        accBits -= 8;
      }
    }
    this.length = at;
  }
}
