const DAY = 86_400_000;

/**
 * UTC offsets of IANA timezones, cached per (timezone, UTC day) so a hot loop pays one
 * Intl call per zone and day. The offset is taken at 12:00 UTC of the day, so local
 * times within an hour of a DST switch can be off by that hour.
 */
export class LocalTime {
  private readonly formats = new Map<string, Intl.DateTimeFormat>();
  private readonly offsets = new Map<string, Map<number, number>>();

  /** Milliseconds to add to a UTC instant to get the wall-clock time in `timezone`. */
  offsetMs(timezone: string, utcMs: number): number {
    const day = Math.floor(utcMs / DAY);
    let byDay = this.offsets.get(timezone);
    if (!byDay) this.offsets.set(timezone, (byDay = new Map()));
    let offset = byDay.get(day);
    if (offset === undefined) {
      offset = this.computeOffset(timezone, day * DAY + DAY / 2);
      byDay.set(day, offset);
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

  localHour(timezone: string, utcMs: number): number {
    return Math.floor((((this.toLocal(timezone, utcMs) % DAY) + DAY) % DAY) / 3_600_000);
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
