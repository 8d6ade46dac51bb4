import { describe, expect, it } from 'vitest';
import { zipfTopShare } from '../../../src/simulation/popularity-law';

describe('the rank-frequency law of streams', () => {
  it('meets the published head exactly: the top 1% of 1.6 million artists get 90% of streams (alphaData2020)', () => {
    expect(zipfTopShare(1.6e6, 0.01)).toBeCloseTo(0.9, 3);
  });

  it('stays near the other published points: the top 10% of 1.6 million artists (99.4%), the top 43,000 of 3 million (90%)', () => {
    expect(zipfTopShare(1.6e6, 0.1)).toBeGreaterThan(0.955);
    expect(Math.abs(zipfTopShare(3e6, 43_000 / 3e6) - 0.9)).toBeLessThan(0.025);
  });

  it('gives the default catalog its targets and keeps its single top artist to an eighth of the streams', () => {
    expect(zipfTopShare(7686, 0.01)).toBeCloseTo(0.669, 3);
    expect(zipfTopShare(7686, 0.1)).toBeCloseTo(0.871, 3);
    expect(zipfTopShare(40_000, 0.1)).toBeCloseTo(0.913, 3);
    expect(zipfTopShare(7686, 1 / 7686)).toBeLessThan(0.125);
    // the pure power law it replaces gives that artist a fifth
    expect(zipfTopShare(7686, 1 / 7686, 1.2, 0)).toBeGreaterThan(0.2);
  });
});
