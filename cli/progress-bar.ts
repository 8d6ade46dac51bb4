import type { GenerationProgress } from '../workflows/contracts';

const MAX_BAR = 28;
const MIN_BAR = 8;

export function human(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

/** Cuts a line to fit a terminal of `columns`, marking the cut. */
export function truncate(line: string, columns: number): string {
  return line.length > columns - 1 ? line.slice(0, Math.max(1, columns - 2)) + '…' : line;
}

/** `[####----] ` sized to what is left of `columns` after `text`, or nothing when too narrow. */
export function fit(frac: number, text: string, columns: number): string {
  const room = columns - 1 - text.length - 3;
  const width = Math.min(MAX_BAR, room);
  const filled = Math.round(frac * width);
  return truncate(width >= MIN_BAR ? `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}` : text, columns);
}

/** The time left at `frac` done after `elapsedMs`, by the pace so far. */
export function eta(frac: number, elapsedMs: number): string {
  return frac > 0 && frac < 1 ? `ETA ${duration((elapsedMs * (1 - frac)) / frac)}` : 'ETA -';
}

/** What a generation's phase is called on the bar: the shard count says "shards" already. */
const PHASE_LABEL: Record<string, string> = { shards: 'generating' };

/**
 * One line of a generation's progress, fitted to `columns`: percent, phase, shards,
 * records, bytes and, given the time spent so far, the rate and the time left.
 */
export function formatProgress(p: GenerationProgress, opts: { elapsedMs?: number; columns?: number } = {}): string {
  const frac = p.shardsTotal ? p.shardsDone / p.shardsTotal : 0;
  const parts = [
    `${(frac * 100).toFixed(0).padStart(3)}%`,
    PHASE_LABEL[p.phase] ?? p.phase,
    `${p.shardsDone}/${p.shardsTotal} shards`,
    `${human(p.records)} rec`,
    `${human(p.bytes)}B`,
  ];
  const { elapsedMs } = opts;
  if (elapsedMs !== undefined && elapsedMs > 0) {
    parts.push(`${human((p.records / elapsedMs) * 1000)} rec/s`);
    if (p.phase === 'shards') parts.push(eta(frac, elapsedMs));
  }
  return fit(frac, parts.join('  '), opts.columns ?? 80);
}

type Formatter<P> = (p: P, opts: { elapsedMs: number; columns: number }) => string;

/**
 * Redraws one line on a terminal, never wider than it (so nothing wraps into stale lines);
 * elsewhere prints a line at most every 5 s, and none that repeats the last. `format` makes the line (default: a generation's).
 */
export class ProgressBar<P = GenerationProgress> {
  private lastPrint = 0;
  private lastLine = '';
  private drawn = false;
  private readonly start = Date.now();

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly format: Formatter<P> = formatProgress as unknown as Formatter<P>,
  ) {}

  private line(p: P): string {
    const columns = this.stream.isTTY && this.stream.columns ? this.stream.columns : 100;
    return truncate(this.format(p, { elapsedMs: Date.now() - this.start, columns }), columns);
  }

  update(p: P): void {
    if (this.stream.isTTY) {
      this.stream.write(`\r${this.line(p)}\x1b[K`);
      this.drawn = true;
    } else if (Date.now() - this.lastPrint >= 5000) {
      // a log gets a line when something changed: `wrapped` printed its unchanged "0/8 parts" (and "done") twice
      const line = this.line(p);
      if (line === this.lastLine) return;
      this.lastPrint = Date.now();
      this.lastLine = line;
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
