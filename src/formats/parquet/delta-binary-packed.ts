import type { ByteWriter } from 'hyparquet-writer';

const BLOCK_SIZE = 128;
const MINIBLOCKS = 4;
const MINIBLOCK_SIZE = BLOCK_SIZE / MINIBLOCKS;
const TWO_32 = 2 ** 32;

/** Unsigned LEB128 of a non-negative integer up to 2^53, with float arithmetic (no 32-bit overflow). */
function appendUleb(out: ByteWriter, value: number): void {
  while (value >= 0x80) {
    out.appendUint8((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.appendUint8(value);
}

const zigZag = (value: number): number => (value >= 0 ? value * 2 : -value * 2 - 1);

/** Bits needed for a non-negative integer up to 2^53. */
function bitWidth(value: number): number {
  return value < TWO_32 ? 32 - Math.clz32(value) : 64 - Math.clz32(Math.floor(value / TWO_32));
}

/** LSB-first bit packing of non-negative integers of up to 53 bits into a byte array. */
class BitPacker {
  private acc = 0;
  private accBits = 0;
  bytes: Uint8Array;
  length = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  /** Appends the low `bits` (<= 24) bits of `value`. */
  private put24(value: number, bits: number): void {
    this.acc |= (value & ((1 << bits) - 1)) << this.accBits;
    this.accBits += bits;
    while (this.accBits >= 8) {
      this.bytes[this.length++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.accBits -= 8;
    }
  }

  put(value: number, bits: number): void {
    if (this.length + 8 > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2 + 16);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    while (bits > 24) {
      this.put24(value % 0x10000, 16);
      value = Math.floor(value / 0x10000);
      bits -= 16;
    }
    this.put24(value, bits);
  }
}

/**
 * Parquet's DELTA_BINARY_PACKED encoding of INT64 values given as JS numbers (integers of
 * at most 53 bits, e.g. epoch milliseconds): blocks of 128 values in 4 miniblocks of 32,
 * each block's deltas less its smallest delta bit-packed at the width of each miniblock's
 * largest. Plain float arithmetic, so no BigInt is made per value.
 */
export function writeDeltaBinaryPackedInt64(out: ByteWriter, values: ArrayLike<number>, count: number): void {
  appendUleb(out, BLOCK_SIZE);
  appendUleb(out, MINIBLOCKS);
  appendUleb(out, count);
  appendUleb(out, zigZag(count ? values[0] : 0));
  const deltas = new Float64Array(BLOCK_SIZE);
  for (let start = 1; start < count; start += BLOCK_SIZE) {
    const n = Math.min(BLOCK_SIZE, count - start);
    let min = Infinity;
    for (let i = 0; i < n; i++) {
      const delta = values[start + i] - values[start + i - 1];
      deltas[i] = delta;
      if (delta < min) min = delta;
    }
    appendUleb(out, zigZag(min));
    const widths = new Array<number>(MINIBLOCKS).fill(0);
    const used = Math.ceil(n / MINIBLOCK_SIZE);
    for (let m = 0; m < used; m++) {
      let max = 0;
      for (let i = m * MINIBLOCK_SIZE; i < Math.min(n, (m + 1) * MINIBLOCK_SIZE); i++) max = Math.max(max, deltas[i] - min);
      widths[m] = bitWidth(max);
    }
    for (const w of widths) out.appendUint8(w);
    // a short last miniblock is padded to 32 values; unused miniblocks of the last block have no bytes
    const packer = new BitPacker(used * MINIBLOCK_SIZE * 8);
    for (let m = 0; m < used; m++) {
      for (let i = m * MINIBLOCK_SIZE; i < (m + 1) * MINIBLOCK_SIZE; i++) packer.put(i < n ? deltas[i] - min : 0, widths[m]);
    }
    out.appendBytes(packer.bytes.subarray(0, packer.length));
  }
}
