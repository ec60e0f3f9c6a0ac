/**
 * IANA time zones for CronJob schedules (spec.timeZone), computed with Intl
 * so Skiff needs no zone database of its own.
 *
 * Contract (pure, deterministic for a given Node ICU):
 * - isValidTimeZone(tz): Intl knows the zone (as Go's time.LoadLocation);
 *   '' and 'Local' are refused here; callers map "no zone" to UTC.
 * - localParts(ms, tz): the wall clock at an instant, with its UTC offset.
 * - zonedTime(y, mo, d, h, mi, s, tz): the instant a wall-clock reading
 *   denotes, as Go's time.Date: out-of-range fields normalise (month 13 is
 *   next January), a reading skipped by a DST jump is taken with the
 *   offset in force before it, a reading that occurs twice resolves to the
 *   offset Go's lookup picks (the one valid at `local - firstOffset`).
 * - formatRfc3339(ms, tz): Go's time.RFC3339 in that zone ("Z" when the
 *   offset is zero), as the cronjob-scheduled-timestamp annotation uses.
 */

export interface LocalParts {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday */
  weekday: number;
  /** Seconds east of UTC. */
  offsetSeconds: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

export function isValidTimeZone(tz: string): boolean {
  if (!tz || tz === 'Local') return false;
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

export function localParts(ms: number, tz: string): LocalParts {
  const secondsMs = Math.floor(ms / 1000) * 1000;
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(secondsMs))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const year = p.year ?? 1970;
  const month = p.month ?? 1;
  const day = p.day ?? 1;
  const hour = (p.hour ?? 0) % 24;
  const minute = p.minute ?? 0;
  const second = p.second ?? 0;
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  return {
    year,
    month,
    day,
    hour,
    minute,
    second,
    weekday: new Date(asUtc).getUTCDay(),
    offsetSeconds: Math.round((asUtc - secondsMs) / 1000),
  };
}

export function offsetSecondsAt(ms: number, tz: string): number {
  return localParts(ms, tz).offsetSeconds;
}

/** The instant of a wall-clock reading in tz (fields normalise as in Go's time.Date). */
export function zonedTime(year: number, month: number, day: number, hour: number, minute: number, second: number, tz: string): number {
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  const first = offsetSecondsAt(local, tz);
  const utc = local - first * 1000;
  const actual = offsetSecondsAt(utc, tz);
  return actual === first ? utc : local - actual * 1000;
}

const pad = (n: number, w = 2): string => String(Math.abs(n)).padStart(w, '0');

export function formatRfc3339(ms: number, tz: string): string {
  const l = localParts(ms, tz);
  const base = `${pad(l.year, 4)}-${pad(l.month)}-${pad(l.day)}T${pad(l.hour)}:${pad(l.minute)}:${pad(l.second)}`;
  if (l.offsetSeconds === 0) return `${base}Z`;
  const sign = l.offsetSeconds < 0 ? '-' : '+';
  const abs = Math.abs(l.offsetSeconds);
  return `${base}${sign}${pad(Math.floor(abs / 3600))}:${pad(Math.floor((abs % 3600) / 60))}`;
}
