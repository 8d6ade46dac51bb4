import type { GenerationProgress } from '../workflows/contracts';

const WIDTH = 28;

function human(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

export function formatProgress(p: GenerationProgress, elapsedMs: number): string {
  const frac = p.shardsTotal ? p.shardsDone / p.shardsTotal : 0;
  const filled = Math.round(frac * WIDTH);
  const rate = elapsedMs > 0 ? (p.records / elapsedMs) * 1000 : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${p.phase.padEnd(8)} shards ${p.shardsDone}/${p.shardsTotal}  records ${human(p.records)}  ${human(p.bytes)}B  ${human(Math.round(rate))} rec/s`;
}

/** Redraws one line on a terminal; elsewhere prints a line at most every 5 s. `format` makes the line (default: a generation's). */
export class ProgressBar<P = GenerationProgress> {
  private lastPrint = 0;
  private drawn = false;
  private readonly start = Date.now();

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly format: (p: P, elapsedMs: number) => string = formatProgress as unknown as (p: P, elapsedMs: number) => string,
  ) {}

  update(p: P): void {
    const line = this.format(p, Date.now() - this.start);
    if (this.stream.isTTY) {
      this.stream.write(`\r${line}\x1b[K`);
      this.drawn = true;
    } else if (Date.now() - this.lastPrint >= 5000) {
      this.lastPrint = Date.now();
      this.stream.write(`${line}\n`);
    }
  }

  finish(p?: P): void {
    if (p) {
      this.lastPrint = 0;
      this.update(p);
    }
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
