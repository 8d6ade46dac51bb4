/**
 * Parquet's RLE / bit-packed hybrid encoding of small non-negative integers (dictionary
 * ids, definition levels) into a reusable byte buffer: a run of 8 or more equal values
 * becomes one RLE run, everything else groups of 8 values bit-packed LSB first (the last
 * group padded with zeros). Runs are looked for where each group would start, so the
 * same values always give the same bytes.
 */
export class RleBitPackedEncoder {
  private bytes = new Uint8Array(1 << 16);
  private length = 0;

  /** Encodes values[0..count) at `bitWidth` (0..24 bits); the bytes stay valid until the next call. */
  encode(values: Int32Array, count: number, bitWidth: number): Uint8Array {
    this.length = 0;
    this.reserve(Math.ceil(count / 8) * (bitWidth + 10) + 16);
    let pendingGroups = 0;
    let packedStart = 0;
    let i = 0;
    while (i < count) {
      const first = values[i];
      let run = 1;
      while (i + run < count && values[i + run] === first) run++;
      if (run >= 8) {
        if (pendingGroups) this.packGroups(values, count, packedStart, pendingGroups, bitWidth);
        pendingGroups = 0;
        this.rleRun(first, run, bitWidth);
        i += run;
      } else {
        if (pendingGroups === 0) packedStart = i;
        pendingGroups++;
        i += 8;
      }
    }
    if (pendingGroups) this.packGroups(values, count, packedStart, pendingGroups, bitWidth);
    return this.bytes.subarray(0, this.length);
  }

  private reserve(size: number): void {
    if (size > this.bytes.length) this.bytes = new Uint8Array(size);
  }

  private varint(value: number): void {
    const { bytes } = this;
    while (value > 0x7f) {
      bytes[this.length++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    bytes[this.length++] = value;
  }

  private rleRun(value: number, count: number, bitWidth: number): void {
    this.varint(count * 2);
    for (let shift = 0; shift < bitWidth; shift += 8) this.bytes[this.length++] = (value >>> shift) & 0xff;
  }

  private packGroups(values: Int32Array, count: number, start: number, groups: number, bitWidth: number): void {
    this.varint(groups * 2 + 1);
    if (bitWidth === 0) return;
    const { bytes } = this;
    const mask = (1 << bitWidth) - 1;
    let at = this.length;
    let buffer = 0;
    let used = 0;
    const end = start + groups * 8;
    for (let i = start; i < end; i++) {
      buffer |= ((i < count ? values[i] : 0) & mask) << used;
      used += bitWidth;
      while (used >= 8) {
        bytes[at++] = buffer & 0xff;
        buffer >>>= 8;
        used -= 8;
      }
    }
    if (used > 0) bytes[at++] = buffer & 0xff;
    this.length = at;
  }
}
