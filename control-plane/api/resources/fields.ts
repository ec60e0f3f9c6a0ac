/**
 * Small accessors for untyped API objects: defaulting and validation walk
 * JSON whose shape the client chose, so every read narrows and every
 * default treats `null` like absent (as Go's zero values do).
 */
import { isPlainObject } from '../meta.js';

export type Obj = Record<string, unknown>;

export function rec(v: unknown): Obj | undefined {
  return isPlainObject(v) ? v : undefined;
}

/** The object at `o[key]`, created empty when absent. */
export function child(o: Obj, key: string): Obj {
  const v = o[key];
  if (isPlainObject(v)) return v;
  const fresh: Obj = {};
  o[key] = fresh;
  return fresh;
}

/** Plain objects of an array field (skipping non-objects); [] when absent. */
export function objs(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isPlainObject) : [];
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

export function absent(v: unknown): boolean {
  return v === undefined || v === null;
}

/** Sets `o[key]` when absent or null. */
export function setDefault(o: Obj, key: string, value: unknown): void {
  if (absent(o[key])) o[key] = value;
}

/** Sets `o[key]` when absent, null or the empty string (Go's "" zero value). */
export function setDefaultString(o: Obj, key: string, value: string): void {
  if (absent(o[key]) || o[key] === '') o[key] = value;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

export function clone<T>(v: T): T {
  return structuredClone(v);
}

/** A copy of a map with keys sorted, so error values print as Go's json.Marshal does. */
export function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (!isPlainObject(v)) return v;
  const out: Obj = {};
  for (const k of Object.keys(v).sort()) out[k] = sortedKeys(v[k]);
  return out;
}

/** Reads a dotted path (`spec.nodeName`) as a string for field selectors; "" when absent. */
export function fieldString(o: Obj, path: string): string {
  let cur: unknown = o;
  for (const part of path.split('.')) {
    const r = rec(cur);
    if (!r) return '';
    cur = r[part];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'string' ? cur : String(cur);
}
