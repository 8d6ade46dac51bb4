import { copyBytes } from '../runtime/copy-bytes';

/**
 * Strings stored end to end as UTF-8 bytes, the i-th between offsets[i] and offsets[i + 1]:
 * two typed arrays instead of a heap string each, decoded only when asked for.
 */
export class StringTable {
  private readonly text: Buffer;

  constructor(
    readonly bytes: Uint8Array,
    readonly offsets: Uint32Array,
  ) {
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get size(): number {
    return this.offsets.length - 1;
  }

  get(i: number): string {
    return this.text.toString('utf8', this.offsets[i], this.offsets[i + 1]);
  }

  /** The i-th string's length in UTF-8 bytes. */
  byteLength(i: number): number {
    return this.offsets[i + 1] - this.offsets[i];
  }

  /** Copies the i-th string's UTF-8 bytes into `target` at `pos`: the position after them. */
  copyTo(i: number, target: Uint8Array, pos: number): number {
    return copyBytes(this.bytes, this.offsets[i], this.offsets[i + 1], target, pos);
  }

  static of(strings: readonly string[]): StringTable {
    const offsets = new Uint32Array(strings.length + 1);
    for (let i = 0; i < strings.length; i++) offsets[i + 1] = offsets[i] + Buffer.byteLength(strings[i]);
    const table = new StringTable(new Uint8Array(offsets[strings.length]), offsets);
    for (let i = 0; i < strings.length; i++) table.text.write(strings[i], offsets[i]);
    return table;
  }
}
