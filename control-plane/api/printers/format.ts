/**
 * Cell formats shared by the printers, matching upstream's output:
 * HumanDuration ("45s", "2m10s", "3h5m", "5d2h"), ages since a timestamp
 * ("<unknown>" when unset), label maps ("a=b,c=d" or "<none>"), container
 * names and images, booleans ("True"/"False"/"<unset>"), and safe readers
 * for the untyped object trees printers receive.
 */
import { isPlainObject, type KubeObject } from '../meta.js';
import { formatLabelSelector, type LabelSelector } from '../selectors/label-selector.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Go's int() conversion: truncation toward zero. */
function trunc(n: number): number {
  return Math.trunc(n);
}

/** Upstream duration.HumanDuration: about two to three significant figures. */
export function humanDuration(ms: number): string {
  const seconds = trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${trunc(hours / 24)}d` : `${trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = trunc(hours / 24) % 365;
    return dy === 0 ? `${trunc(hours / 24 / 365)}y` : `${trunc(hours / 24 / 365)}y${dy}d`;
  }
  return `${trunc(hours / 24 / 365)}y`;
}

/** Milliseconds of an RFC 3339 timestamp; undefined when unset or unparsable (Go's zero time). */
export function timeOf(ts: unknown): number | undefined {
  if (typeof ts !== 'string' || ts === '') return undefined;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? undefined : t;
}

/** Upstream translateTimestampSince: the age of a timestamp, `<unknown>` when unset. */
export function since(ts: unknown, now: Date): string {
  const t = timeOf(ts);
  return t === undefined ? '<unknown>' : humanDuration(now.getTime() - t);
}

/** The AGE cell of an object. */
export function age(obj: KubeObject, now: Date): string {
  return since(obj.metadata.creationTimestamp, now);
}

/** labels.FormatLabels: `k=v` sorted by key, comma-separated; `<none>` when empty. */
export function formatLabels(m: unknown): string {
  const r = rec(m);
  const keys = Object.keys(r).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${str(r[k])}`).join(',');
}

/** metav1.FormatLabelSelector: `<none>` for a missing or empty selector, `<error>` for a broken one. */
export function formatSelector(sel: unknown): string {
  const s = selectorString(sel);
  return s === '' ? '<none>' : s;
}

/** Selector.String() of a LabelSelector object (empty for none), `<error>` if it cannot be parsed. */
export function selectorString(sel: unknown): string {
  if (!isPlainObject(sel)) return '';
  try {
    return formatLabelSelector(sel as LabelSelector);
  } catch {
    return '<error>';
  }
}

/** Container names and images of a pod template, comma-separated. */
export function containerCells(podSpec: unknown): [string, string] {
  const cs = arr(rec(podSpec).containers);
  return [cs.map((c) => str(c.name)).join(','), cs.map((c) => str(c.image)).join(',')];
}

export function printBool(v: boolean): string {
  return v ? 'True' : 'False';
}

/** printBoolPtr: `<unset>` when absent. */
export function printBoolPtr(v: unknown): string {
  return typeof v === 'boolean' ? printBool(v) : '<unset>';
}

// Readers for untyped object trees: missing or mistyped fields read as zero values, as Go's would.

export function rec(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

export function arr(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.map(rec) : [];
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** Follows a path of keys through nested objects. */
export function at(v: unknown, ...keys: string[]): unknown {
  let cur = v;
  for (const k of keys) cur = rec(cur)[k];
  return cur;
}

/** IntOrString's String(): `3` or `25%`. */
export function intOrString(v: unknown): string {
  return typeof v === 'number' ? String(v) : str(v);
}
