/**
 * Weights for when sessions happen, such that the streams they hold start with the
 * wanted hour x weekday shape. A session centred in hour h spreads its streams over
 * the hours around h (sessions last about an hour or two), which would flatten the
 * shape: the weights are the wanted shape deconvolved by that spread (Richardson-Lucy
 * iterations on the 168 hours of a week, which wrap around).
 */

const HOURS_PER_WEEK = 168;
const ITERATIONS = 200;

/**
 * How the stream starts of a session centred at a uniform moment of hour 0 spread over
 * the hours: offset (hours, may be negative) -> share. Sessions last a uniform
 * [lo, hi] hours; their streams are spread evenly over them, so longer sessions weigh more.
 */
function streamSpread(sessionHours: readonly [number, number]): Map<number, number> {
  const [lo, hi] = sessionHours;
  const spread = new Map<number, number>();
  const steps = 24;
  let total = 0;
  for (let i = 0; i < steps; i++) {
    const length = lo + ((hi - lo) * (i + 0.5)) / steps;
    for (let j = 0; j < steps; j++) {
      const centre = (j + 0.5) / steps;
      for (let k = 0; k < 4 * steps; k++) {
        const offset = Math.floor(centre - length / 2 + (length * (k + 0.5)) / (4 * steps));
        spread.set(offset, (spread.get(offset) ?? 0) + length);
        total += length;
      }
    }
  }
  for (const [offset, w] of spread) spread.set(offset, w / total);
  return spread;
}

function convolve(w: readonly number[], spread: Map<number, number>): number[] {
  const out = new Array<number>(HOURS_PER_WEEK).fill(0);
  for (let c = 0; c < HOURS_PER_WEEK; c++) {
    for (const [offset, share] of spread) out[(((c + offset) % HOURS_PER_WEEK) + HOURS_PER_WEEK) % HOURS_PER_WEEK] += w[c] * share;
  }
  return out;
}

const cache = new Map<string, number[]>();

/** Session weights for the 168 hours of a week (Monday 00:00 first) whose stream starts follow `wanted`; cached per thread. */
export function sessionStartWeights(wanted: readonly number[], sessionHours: readonly [number, number]): number[] {
  if (wanted.length !== HOURS_PER_WEEK) throw new Error(`expected ${HOURS_PER_WEEK} hourly weights, got ${wanted.length}`);
  const key = `${sessionHours.join('-')}/${wanted.join(',')}`;
  let weights = cache.get(key);
  if (!weights) cache.set(key, (weights = deconvolve(wanted, sessionHours)));
  return weights;
}

function deconvolve(wanted: readonly number[], sessionHours: readonly [number, number]): number[] {
  const spread = streamSpread(sessionHours);
  const mirrored = new Map([...spread].map(([offset, share]) => [-offset, share]));
  let w = [...wanted];
  for (let i = 0; i < ITERATIONS; i++) {
    const predicted = convolve(w, spread);
    const ratio = wanted.map((d, c) => (predicted[c] > 0 ? d / predicted[c] : 0));
    const correction = convolve(ratio, mirrored);
    w = w.map((x, c) => x * correction[c]);
  }
  return w;
}
