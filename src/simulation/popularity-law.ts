/**
 * The rank-frequency law of streams: the k-th most streamed item gets a share proportional
 * to k^-ZIPF_EXPONENT. The exponent is fitted to the published concentration of streams
 * over artists (docs/realism.md, "Hit concentration"): at 1.6 million artists it gives the
 * top 1% ~92% and the top 10% ~97% of streams (published: 90% and 99.4%), and at Spotify's
 * ~3 million artists 90% of streams to the top ~0.9% (published: 43,000, 1.4%).
 */
export const ZIPF_EXPONENT = 1.2;

/**
 * The share of all streams the top `fraction` of `n` items get under the law (at least the
 * top one item): the law's prediction for a catalog of n items.
 */
export function zipfTopShare(n: number, fraction: number, exponent = ZIPF_EXPONENT): number {
  if (n <= 0) return NaN;
  const top = Math.max(1, Math.round(n * fraction));
  let head = 0;
  let total = 0;
  for (let k = 1; k <= n; k++) {
    const w = Math.pow(k, -exponent);
    total += w;
    if (k <= top) head += w;
  }
  return head / total;
}
