/**
 * IntOrString (intstr.IntOrString): a field that is either an integer or a
 * string, e.g. a port number or name, or `25%`. Helpers to classify,
 * validate and resolve such values with upstream's messages. Pure.
 */
import { invalidValue, type FieldError } from './field-errors.js';
import { isValidPortName, isValidPortNum, regexError } from './validation.js';

export type IntOrString = number | string;

export function isIntOrString(v: unknown): v is IntOrString {
  return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'string';
}

/** True for 0 and "" — the zero value, which defaulting treats as unset. */
export function isZeroIntOrString(v: unknown): boolean {
  return v === undefined || v === null || v === 0 || v === '';
}

const PERCENT = /^[0-9]+%$/;

export function isValidPercent(v: string): string[] {
  return PERCENT.test(v) ? [] : [regexError("a valid percent string must be a numeric string followed by an ending '%'", '[0-9]+%', '1%', '93%')];
}

/** Upstream's ValidatePositiveIntOrPercent: a non-negative integer or a percent string. */
export function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalidValue(path, v, m));
  if (typeof v === 'number' && Number.isInteger(v)) return v < 0 ? [invalidValue(path, v, 'must be greater than or equal to 0')] : [];
  return [invalidValue(path, v, 'must be an integer or percentage (e.g \'5%\')')];
}

/** Upstream's IsNotMoreThan100Percent. */
export function validateNotMoreThan100Percent(v: unknown, path: string): FieldError[] {
  if (typeof v !== 'string' || !PERCENT.test(v)) return [];
  return Number(v.slice(0, -1)) > 100 ? [invalidValue(path, v, 'must not be greater than 100%')] : [];
}

/** A port reference: 1–65535 or an IANA service name. */
export function validatePortNumOrName(v: unknown, path: string): FieldError[] {
  if (typeof v === 'number') return isValidPortNum(v).map((m) => invalidValue(path, v, m));
  if (typeof v === 'string') {
    if (v.length === 0) return [invalidValue(path, v, 'must contain at least one letter or number (a-z, 0-9)')];
    return isValidPortName(v).map((m) => invalidValue(path, v, m));
  }
  return [invalidValue(path, v, 'must be an integer or string')];
}

/**
 * Resolves an int-or-percent against a total (`25%` of 10 → 3 rounding up,
 * 2 rounding down), as intstr.GetScaledValueFromIntOrPercent.
 */
export function scaledValue(v: IntOrString, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const p = Number(v.endsWith('%') ? v.slice(0, -1) : Number.NaN);
  if (!Number.isFinite(p)) throw new RangeError(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const raw = (p * total) / 100;
  return roundUp ? Math.ceil(raw) : Math.floor(raw);
}
