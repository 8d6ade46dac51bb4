import type { SeededRandom } from './seeded-random';

/** Walker's alias method: O(n) to build, O(1) to draw an index proportional to its weight. */
export class AliasTable {
  private readonly prob: Float64Array;
  private readonly alias: Uint32Array;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    if (n === 0) throw new Error('AliasTable needs at least one weight');
    let total = 0;
    for (let i = 0; i < n; i++) total += weights[i];
    if (!(total > 0)) throw new Error('AliasTable needs a positive total weight');
    this.prob = new Float64Array(n);
    this.alias = new Uint32Array(n);
    const scaled = new Float64Array(n);
    // two stacks of indexes, the under-full ones from the bottom and the full ones from the top
    const stack = new Uint32Array(n);
    let small = 0;
    let large = n;
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i] * n) / total;
      if (scaled[i] < 1) stack[small++] = i;
      else stack[--large] = i;
    }
    while (small > 0 && large < n) {
      const s = stack[--small];
      const l = stack[large++];
      this.prob[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      if (scaled[l] < 1) stack[small++] = l;
      else stack[--large] = l;
    }
    for (let i = large; i < n; i++) this.prob[stack[i]] = 1;
    for (let i = 0; i < small; i++) this.prob[stack[i]] = 1;
  }

  get size(): number {
    return this.prob.length;
  }

  /** Slot i: below `probability` a draw landing in it gives i, else `alias`. */
  slot(i: number): { probability: number; alias: number } {
    return { probability: this.prob[i], alias: this.alias[i] };
  }

  draw(rng: SeededRandom): number {
    const u = rng.next() * this.prob.length;
    const i = Math.floor(u);
    return u - i < this.prob[i] ? i : this.alias[i];
  }
}
