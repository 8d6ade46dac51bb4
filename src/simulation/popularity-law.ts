/**
 * The rank-frequency law of streams, a Zipf-Mandelbrot law: the k-th most streamed item
 * gets a share proportional to (k + MANDELBROT_OFFSET)^-ZIPF_EXPONENT. Fitted to the
 * published concentration of streams over artists (docs/realism.md, "Hit concentration"):
 * at 1.6 million artists the top 1% get 90.0% and the top 10% 96.1% of streams (published:
 * 90% and 99.4%), and at Spotify's ~3 million artists the top 43,000 get 92.3% (published: 90%).
 */
export const ZIPF_EXPONENT = 1.2;

/**
 * The law's offset, which flattens its very head: fitted so that the top 1% of 1.6 million
 * artists get exactly the published 90% (the pure power law, offset 0, gives 91.8%). At the
 * run's catalog size it keeps the single most streamed artist of 7,686 to 12% of streams,
 * where the pure law gives it 21%.
 */
const MANDELBROT_OFFSET = 0.94;

/**
 * The share of all streams the top `fraction` of `n` items get under the law (at least the
 * top one item): the law's prediction for a catalog of n items.
 */
export function zipfTopShare(n: number, fraction: number, exponent = ZIPF_EXPONENT, offset = MANDELBROT_OFFSET): number {
  if (n <= 0) return NaN;
  const top = Math.max(1, Math.round(n * fraction));
  let head = 0;
  let total = 0;
  for (let k = 1; k <= n; k++) {
    const w = Math.pow(k + offset, -exponent);
    total += w;
    if (k <= top) head += w;
  }
  return head / total;
}
