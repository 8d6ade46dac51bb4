const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const formatters = new Map<string, Intl.DateTimeFormat | null>();
const offsets = new Map<string, number>();
const MAX_CACHED_OFFSETS = 500_000;

function formatter(timezone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(timezone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
      });
    } catch {
      f = null;
    }
    formatters.set(timezone, f);
  }
  return f;
}

/** Minutes the timezone is ahead of UTC at that instant; 0 for a timezone this Node.js does not know. */
export function utcOffsetMinutes(epochMs: number, timezone: string): number {
  const f = formatter(timezone);
  if (!f) return 0;
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(epochMs))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const local = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return Math.round((local - Math.floor(epochMs / MINUTE) * MINUTE) / MINUTE);
}

/**
 * The hour of day (0-23) on the local clock of the timezone. Offsets are cached per
 * timezone and UTC hour (changes of offset happen on whole UTC hours in practice).
 */
export function localHour(epochMs: number, timezone: string): number {
  const key = `${timezone}|${Math.floor(epochMs / HOUR)}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    if (offsets.size >= MAX_CACHED_OFFSETS) offsets.clear();
    offset = utcOffsetMinutes(epochMs, timezone);
    offsets.set(key, offset);
  }
  const local = (((epochMs + offset * MINUTE) % DAY) + DAY) % DAY;
  return Math.floor(local / HOUR);
}
