import { DAY_MS, HOUR_MS } from './time-units';

/** Days per cache block: a block whose first, middle and last days share an offset has no DST switch inside. */
const BLOCK_DAYS = 32;

/**
 * UTC offsets of IANA timezones. The offset of a day is taken at 12:00 UTC, so local
 * times within an hour of a DST switch can be off by that hour. Cached per 32-day block
 * of a zone: three Intl calls when the block has one offset, one per day otherwise.
 */
export class LocalTime {
  private readonly formats = new Map<string, Intl.DateTimeFormat>();
  private readonly blocks = new Map<string, Map<number, number | Map<number, number>>>();

  /** Milliseconds to add to a UTC instant to get the wall-clock time in `timezone`. */
  offsetMs(timezone: string, utcMs: number): number {
    const day = Math.floor(utcMs / DAY_MS);
    const blockIndex = Math.floor(day / BLOCK_DAYS);
    let byBlock = this.blocks.get(timezone);
    if (!byBlock) this.blocks.set(timezone, (byBlock = new Map()));
    let block = byBlock.get(blockIndex);
    if (block === undefined) {
      const at = (d: number) => this.computeOffset(timezone, (blockIndex * BLOCK_DAYS + d) * DAY_MS + DAY_MS / 2);
      const first = at(0);
      // a mid-block probe too: a DST pause such as Ramadan's can start and end within a block
      block = first === at(BLOCK_DAYS / 2) && first === at(BLOCK_DAYS - 1) ? first : new Map<number, number>();
      byBlock.set(blockIndex, block);
    }
    if (typeof block === 'number') return block;
    let offset = block.get(day);
    if (offset === undefined) {
      offset = this.computeOffset(timezone, day * DAY_MS + DAY_MS / 2);
      block.set(day, offset);
    }
    return offset;
  }

  /** The UTC instant whose wall-clock time in `timezone` is `localMs` (local time written as if it were UTC). */
  toUtc(timezone: string, localMs: number): number {
    const guess = localMs - this.offsetMs(timezone, localMs);
    return localMs - this.offsetMs(timezone, guess);
  }

  /** Local wall-clock time as if it were UTC: use getUTCHours() etc. on it. */
  toLocal(timezone: string, utcMs: number): number {
    return utcMs + this.offsetMs(timezone, utcMs);
  }

  /** The local weekday (0 Monday .. 6 Sunday) and hour of an instant. */
  localWeekdayHour(timezone: string, utcMs: number): { weekday: number; hour: number } {
    const local = new Date(this.toLocal(timezone, utcMs));
    return { weekday: (local.getUTCDay() + 6) % 7, hour: local.getUTCHours() };
  }

  localHour(timezone: string, utcMs: number): number {
    return Math.floor((((this.toLocal(timezone, utcMs) % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
  }

  private computeOffset(timezone: string, utcMs: number): number {
    let format = this.formats.get(timezone);
    if (!format) {
      try {
        format = new Intl.DateTimeFormat('en-US', {
          timeZone: timezone,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
        });
      } catch {
        throw new Error(`unknown timezone "${timezone}"`);
      }
      this.formats.set(timezone, format);
    }
    const parts: Record<string, number> = {};
    for (const p of format.formatToParts(new Date(utcMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
    const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
    return wall - Math.floor(utcMs / 1000) * 1000;
  }
}
