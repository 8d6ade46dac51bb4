/**
 * Copies from[start, end) into `to` at `pos`: the position after them. A loop, as
 * Buffer#copy costs more than it moves for the few dozen bytes of a song's field.
 */
export function copyBytes(from: Uint8Array, start: number, end: number, to: Uint8Array, pos: number): number {
  for (let k = start; k < end; k++) to[pos++] = from[k];
  return pos;
}
