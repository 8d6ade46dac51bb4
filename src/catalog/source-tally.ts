import type { Song } from '../domain/song';

/** What one source gave: rows read, songs kept, rows skipped by reason (first few shown), fields imputed. */
export interface SourceReport {
  source: string;
  rowsRead: number;
  songsKept: number;
  skipped: Record<string, number>;
  /** the first few skipped rows, e.g. "line 17: year out of range: 2031 (allowed 1900..2026)" */
  examples: string[];
  /** how many kept songs had each field imputed */
  imputed: Record<string, number>;
}

const MAX_EXAMPLES = 5;

export class SourceTally {
  readonly songs: Song[] = [];
  private rows = 0;
  private readonly skipped: Record<string, number> = {};
  private readonly examples: string[] = [];
  private readonly imputed: Record<string, number> = {};

  constructor(readonly source: string) {}

  get rowsRead(): number {
    return this.rows;
  }

  keep(song: Song): void {
    this.rows++;
    this.songs.push(song);
    for (const field of song.imputed) this.imputed[field] = (this.imputed[field] ?? 0) + 1;
  }

  /** `where` names the row for a person: "line 17", "row 4". */
  skip(where: string, reason: string, detail?: string): void {
    this.rows++;
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
    if (this.examples.length < MAX_EXAMPLES) this.examples.push(`${where}: ${reason}${detail ? `: ${detail}` : ''}`);
  }

  report(): SourceReport {
    return {
      source: this.source,
      rowsRead: this.rows,
      songsKept: this.songs.length,
      skipped: { ...this.skipped },
      examples: [...this.examples],
      imputed: { ...this.imputed },
    };
  }

  /** "skipped: year out of range 2, missing title 1; first: line 4: ..." */
  describeSkips(): string {
    const reasons = Object.entries(this.skipped).map(([r, n]) => `${r} ${n}`);
    if (reasons.length === 0) return 'no rows';
    return `skipped: ${reasons.join(', ')}; first: ${this.examples.join('; ')}`;
  }
}
