/**
 * resource.Quantity: upstream's fixed-point quantity syntax (`500m`, `1Gi`,
 * `1e3`), parsed exactly and printed in upstream's canonical form.
 *
 * Contract (as apimachinery's pkg/api/resource):
 * - grammar `[+-]<digits>[.<digits>]<suffix>`, suffix one of the binary SI
 *   (`Ki`…`Ei`), decimal SI (`n u m k M G T P E`) or an exponent (`e3`, `E-3`);
 * - values are rounded up (away from zero) to a multiple of 1n;
 * - binary values are capped at 2^63-1, and binary values below 1 become
 *   decimal SI;
 * - canonical form keeps the format (binary, decimal SI, exponent), emits
 *   no fractional digits, and uses the largest suffix that loses nothing:
 *   `1000m`→`1`, `0.5`→`500m`, `1024Mi`→`1Gi`, `1e3` stays `1e3`.
 *
 * Values are a bigint mantissa and a power-of-ten exponent, never floats.
 * Pure.
 */
import { badRequest, type ApiError } from './errors.js';

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The value is mantissa × 10^exponent, exactly. */
  mantissa: bigint;
  exponent: number;
  format: QuantityFormat;
}

/** Upstream's JSON decoding error text for a malformed quantity. */
export const QUANTITY_FORMAT_MESSAGE =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXP = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_EXP = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const SHAPE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const EXPONENT = /^[eE][+-]?[0-9]+$/;
/** 2^63-1: upstream caps binary quantities here. */
const MAX_BINARY = (1n << 63n) - 1n;
const NANO = -9;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}

/** Parses a quantity; undefined when the text is not one. */
export function tryParseQuantity(input: string | number): Quantity | undefined {
  const s = typeof input === 'number' ? numberText(input) : input;
  if (s === undefined) return undefined;
  const m = SHAPE.exec(s);
  if (!m) return undefined;
  const [, sign = '', num = '', denom = '', suffix = ''] = m;
  // A number needs a digit or at least the point ("." alone is 0, as upstream).
  if (num === '' && denom === '' && !s.includes('.')) return undefined;

  let format: QuantityFormat;
  let exp10 = 0;
  let exp2 = 0;
  if (suffix in DECIMAL_SUFFIXES) {
    format = 'DecimalSI';
    exp10 = DECIMAL_SUFFIXES[suffix] ?? 0;
  } else if (suffix in BINARY_SUFFIXES) {
    format = 'BinarySI';
    exp2 = BINARY_SUFFIXES[suffix] ?? 0;
  } else if (EXPONENT.test(suffix)) {
    format = 'DecimalExponent';
    exp10 = Number(suffix.slice(1));
    if (!Number.isSafeInteger(exp10) || Math.abs(exp10) > 2 ** 31 - 1) return undefined;
  } else {
    return undefined;
  }

  let mantissa = BigInt((num + denom).replace(/^0+(?=.)/, '') || '0');
  if (sign === '-') mantissa = -mantissa;
  let exponent = exp10 - denom.length;
  if (exp2 > 0) mantissa *= 1n << BigInt(exp2);
  if (mantissa === 0n) return { mantissa: 0n, exponent: 0, format };

  ({ mantissa, exponent } = stripTens(mantissa, exponent));
  ({ mantissa, exponent } = roundUpToNano(mantissa, exponent));
  if (format === 'BinarySI') {
    if (greaterThan(abs(mantissa), exponent, MAX_BINARY)) {
      mantissa = mantissa < 0n ? -MAX_BINARY : MAX_BINARY;
      exponent = 0;
    }
    // Fractions of a byte-like unit are shown in decimal (upstream: "avoids confusion").
    if (exponent < 0 && abs(mantissa) < pow10(-exponent)) format = 'DecimalSI';
  }
  return { mantissa, exponent, format };
}

function numberText(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  // JSON numbers are quantities too; String() may use exponent form, which parses.
  return String(n).replace('e+', 'e');
}

/** Parses a quantity or throws upstream's 400 decoding error. */
export function parseQuantity(input: string | number): Quantity {
  const q = tryParseQuantity(input);
  if (!q) throw quantityError();
  return q;
}

export function quantityError(): ApiError {
  return badRequest(QUANTITY_FORMAT_MESSAGE);
}

export function isValidQuantity(input: unknown): boolean {
  return (typeof input === 'string' || typeof input === 'number') && tryParseQuantity(input) !== undefined;
}

function stripTens(mantissa: bigint, exponent: number): { mantissa: bigint; exponent: number } {
  if (mantissa === 0n) return { mantissa, exponent: 0 };
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  return { mantissa, exponent };
}

function roundUpToNano(mantissa: bigint, exponent: number): { mantissa: bigint; exponent: number } {
  if (exponent >= NANO) return { mantissa, exponent };
  const drop = NANO - exponent;
  const digits = abs(mantissa).toString().length;
  const neg = mantissa < 0n;
  let q: bigint;
  if (drop > digits) {
    q = 1n; // smaller than 1n but not zero: "if you want some, you get some"
  } else {
    const div = pow10(drop);
    q = abs(mantissa) / div;
    if (abs(mantissa) % div !== 0n) q += 1n;
  }
  return stripTens(neg ? -q : q, NANO);
}

/** mantissa × 10^exponent > limit, for mantissa ≥ 0. */
function greaterThan(mantissa: bigint, exponent: number, limit: bigint): boolean {
  if (exponent >= 0) {
    if (exponent > 20) return mantissa > 0n;
    return mantissa * pow10(exponent) > limit;
  }
  return mantissa > limit * pow10(-exponent);
}

/** Canonical text of a parsed quantity. */
export function formatQuantity(q: Quantity): string {
  if (q.mantissa === 0n) return '0';
  let { mantissa, exponent } = stripTens(q.mantissa, q.exponent);
  let format = q.format;
  if (format === 'BinarySI') {
    // Binary values are capped at 2^63-1, so the integer below stays small.
    if (exponent < 0 || abs(mantissa * pow10(exponent)) < 1024n) {
      format = 'DecimalSI';
    } else {
      let n = mantissa * pow10(exponent);
      let k = 0;
      while (k < 6 && n % 1024n === 0n) {
        n /= 1024n;
        k++;
      }
      return `${n}${BINARY_BY_EXP[k] ?? ''}`;
    }
  }
  const shift = ((exponent % 3) + 3) % 3;
  if (shift !== 0) {
    mantissa *= pow10(shift);
    exponent -= shift;
  }
  let suffix: string;
  if (format === 'DecimalExponent') suffix = exponent === 0 ? '' : `e${exponent}`;
  else suffix = DECIMAL_BY_EXP.get(exponent) ?? `e${exponent}`;
  return `${mantissa}${suffix}`;
}

/** Canonical text of a quantity string (`"1000m"` → `"1"`); throws a 400 ApiError when malformed. */
export function canonicalQuantity(input: string | number): string {
  return formatQuantity(parseQuantity(input));
}

/** The value in nano-units (exact: quantities never hold less than 1n). */
export function quantityNano(q: Quantity): bigint {
  const e = q.exponent - NANO;
  return e >= 0 ? q.mantissa * pow10(e) : q.mantissa / pow10(-e);
}

/** -1, 0 or 1 as a <, =, > b. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const x = quantityNano(a);
  const y = quantityNano(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The value in milli-units, rounded up (as upstream's MilliValue). */
export function quantityMilli(q: Quantity): bigint {
  const nano = quantityNano(q);
  const r = nano / 1_000_000n;
  return nano > 0n && nano % 1_000_000n !== 0n ? r + 1n : r;
}
