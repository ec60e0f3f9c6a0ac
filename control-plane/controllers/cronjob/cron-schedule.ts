/**
 * CronJob schedules, parsed and stepped exactly as upstream's
 * cron.ParseStandard (github.com/robfig/cron/v3), which the cronjob
 * controller uses:
 * - five fields: minute 0-59, hour 0-23, day of month 1-31, month 1-12 or
 *   JAN-DEC, day of week 0-6 or SUN-SAT (names case-insensitive); each a
 *   comma list of `*`, `?`, `n`, `a-b`, with an optional `/step`
 *   (`n/step` means n to the field's maximum);
 * - day of month and day of week combine with OR when both are
 *   restricted, with AND when either is `*` (or `?`, or a `/1` star);
 * - descriptors @yearly @annually @monthly @weekly @daily @midnight
 *   @hourly, and @every <Go duration> (ParseStandard accepts it, and so
 *   does the apiserver's validation; its Next adds the delay, rounded down
 *   to whole seconds, at least one second);
 * - a `TZ=<zone> ` or `CRON_TZ=<zone> ` prefix selects the zone.
 * next(ms) is robfig's SpecSchedule.Next: the first matching second
 * strictly after ms, stepping wall-clock fields in the zone, so a time
 * skipped by a DST jump does not fire that day and a time repeated by a
 * DST fall-back fires twice; undefined when nothing matches within five
 * years (e.g. 30 February). Errors carry robfig's messages. Pure.
 */
import { isValidTimeZone, localParts, zonedTime } from './time-zone.js';

export interface CronSchedule {
  /** The first activation strictly after ms (epoch ms), or undefined. */
  next(ms: number): number | undefined;
}

export class CronParseError extends Error {}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DOW_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = { min: 1, max: 12, names: Object.fromEntries(MONTH_NAMES.map((n, i) => [n, i + 1])) };
const DOW: Bounds = { min: 0, max: 6, names: Object.fromEntries(DOW_NAMES.map((n, i) => [n, i])) };

/** A field: the allowed values, and whether it was a star (for the day OR/AND rule). */
export interface FieldSet {
  values: Set<number>;
  star: boolean;
}

function parseInt10(expr: string): number {
  if (!/^-?[0-9]+$/.test(expr)) throw new CronParseError(`failed to parse int from ${expr}: strconv.Atoi: parsing "${expr}": invalid syntax`);
  const n = Number(expr);
  if (n < 0) throw new CronParseError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseIntOrName(expr: string, b: Bounds): number {
  const named = b.names?.[expr.toLowerCase()];
  return named ?? parseInt10(expr);
}

function parseRange(expr: string, b: Bounds, out: FieldSet): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = (rangeAndStep[0] ?? '').split('-');
  const single = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0] ?? '', b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1] ?? '', b);
    else throw new CronParseError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseInt10(rangeAndStep[1] ?? '');
    if (single) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new CronParseError(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new CronParseError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronParseError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  for (let i = start; i <= end; i += step) out.values.add(i);
  if (star) out.star = true;
}

export function parseField(field: string, b: Bounds): FieldSet {
  const out: FieldSet = { values: new Set(), star: false };
  for (const expr of field.split(',')) parseRange(expr, b, out);
  return out;
}

const all = (b: Bounds): FieldSet => ({ values: new Set(Array.from({ length: b.max - b.min + 1 }, (_, i) => b.min + i)), star: true });
const one = (v: number): FieldSet => ({ values: new Set([v]), star: false });

class SpecSchedule implements CronSchedule {
  constructor(
    readonly minute: FieldSet,
    readonly hour: FieldSet,
    readonly dom: FieldSet,
    readonly month: FieldSet,
    readonly dow: FieldSet,
    readonly tz: string,
  ) {}

  private dayMatches(ms: number): boolean {
    const l = localParts(ms, this.tz);
    const domMatch = this.dom.values.has(l.day);
    const dowMatch = this.dow.values.has(l.weekday);
    return this.dom.star || this.dow.star ? domMatch && dowMatch : domMatch || dowMatch;
  }

  next(ms: number): number | undefined {
    const tz = this.tz;
    // The upcoming whole second.
    let t = Math.floor(ms / 1000) * 1000 + 1000;
    let added = false;
    const yearLimit = localParts(t, tz).year + 5;
    wrap: for (;;) {
      let l = localParts(t, tz);
      if (l.year > yearLimit) return undefined;
      while (!this.month.values.has(l.month)) {
        if (!added) {
          added = true;
          t = zonedTime(l.year, l.month, 1, 0, 0, 0, tz);
          l = localParts(t, tz);
        }
        t = zonedTime(l.year, l.month + 1, l.day, l.hour, l.minute, l.second, tz);
        l = localParts(t, tz);
        if (l.month === 1) continue wrap;
      }
      while (!this.dayMatches(t)) {
        if (!added) {
          added = true;
          t = zonedTime(l.year, l.month, l.day, 0, 0, 0, tz);
          l = localParts(t, tz);
        }
        t = zonedTime(l.year, l.month, l.day + 1, l.hour, l.minute, l.second, tz);
        l = localParts(t, tz);
        // Keep to midnight across DST changes, as robfig does.
        if (l.hour !== 0) {
          t += (l.hour > 12 ? 24 - l.hour : -l.hour) * 3_600_000;
          l = localParts(t, tz);
        }
        if (l.day === 1) continue wrap;
      }
      while (!this.hour.values.has(l.hour)) {
        if (!added) {
          added = true;
          t = zonedTime(l.year, l.month, l.day, l.hour, 0, 0, tz);
        }
        t += 3_600_000;
        l = localParts(t, tz);
        if (l.hour === 0) continue wrap;
      }
      while (!this.minute.values.has(l.minute)) {
        if (!added) {
          added = true;
          t = Math.floor(t / 60_000) * 60_000;
        }
        t += 60_000;
        l = localParts(t, tz);
        if (l.minute === 0) continue wrap;
      }
      // Seconds are always 0 in the standard format.
      if (l.second !== 0) {
        if (!added) added = true;
        t = Math.floor(t / 60_000) * 60_000 + 60_000;
        continue wrap;
      }
      return t;
    }
  }
}

class ConstantDelaySchedule implements CronSchedule {
  constructor(readonly delayMs: number) {}
  next(ms: number): number {
    return ms - (ms % 1000) + this.delayMs;
  }
}

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in milliseconds. */
export function parseGoDuration(s: string): number {
  const bad = (): CronParseError => new CronParseError(`time: invalid duration "${s}"`);
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw bad();
  let total = 0;
  while (rest !== '') {
    const m = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!m || m[1] === '' || m[1] === '.') throw bad();
    total += Number(m[1]) * (UNITS[m[2] ?? ''] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

function parseDescriptor(spec: string, tz: string): CronSchedule {
  const zero = one(0);
  switch (spec) {
    case '@yearly':
    case '@annually':
      return new SpecSchedule(zero, zero, one(1), one(1), all(DOW), tz);
    case '@monthly':
      return new SpecSchedule(zero, zero, one(1), all(MONTHS), all(DOW), tz);
    case '@weekly':
      return new SpecSchedule(zero, zero, all(DOM), all(MONTHS), one(0), tz);
    case '@daily':
    case '@midnight':
      return new SpecSchedule(zero, zero, all(DOM), all(MONTHS), all(DOW), tz);
    case '@hourly':
      return new SpecSchedule(zero, all(HOURS), all(DOM), all(MONTHS), all(DOW), tz);
  }
  const every = '@every ';
  if (spec.startsWith(every)) {
    const arg = spec.slice(every.length);
    let d: number;
    try {
      d = parseGoDuration(arg);
    } catch (e) {
      throw new CronParseError(`failed to parse duration ${spec}: ${(e as Error).message}`);
    }
    const delay = d < 1000 ? 1000 : d - (d % 1000);
    return new ConstantDelaySchedule(delay);
  }
  throw new CronParseError(`unrecognized descriptor: ${spec}`);
}

/**
 * Parses a schedule. `defaultTimeZone` applies without a TZ= prefix
 * (upstream: the controller's local zone; Skiff: UTC unless told).
 */
export function parseCronSchedule(schedule: string, defaultTimeZone = 'UTC'): CronSchedule {
  let spec = schedule;
  if (spec.length === 0) throw new CronParseError('empty spec string');
  let tz = defaultTimeZone;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const i = spec.indexOf(' ');
    const eq = spec.indexOf('=');
    const zone = spec.slice(eq + 1, i < 0 ? undefined : i);
    if (!isValidTimeZone(zone) && zone !== 'UTC') throw new CronParseError(`provided bad location ${zone}: unknown time zone ${zone}`);
    tz = zone;
    spec = i < 0 ? '' : spec.slice(i).trim();
  }
  if (spec.startsWith('@')) return parseDescriptor(spec, tz);
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) throw new CronParseError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const [mi, h, dom, mo, dow] = fields as [string, string, string, string, string];
  return new SpecSchedule(parseField(mi, MINUTES), parseField(h, HOURS), parseField(dom, DOM), parseField(mo, MONTHS), parseField(dow, DOW), tz);
}
