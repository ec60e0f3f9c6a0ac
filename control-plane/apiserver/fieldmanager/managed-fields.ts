/**
 * metadata.managedFields bookkeeping: decoding the wire entries into
 * per-manager field sets and encoding them back, as upstream's fieldmanager
 * does. A manager is identified by (manager, operation, apiVersion,
 * subresource), except that appliers are identified without apiVersion so
 * one applier has one entry whatever version it applied through. Entries
 * are written sorted (operation, time, manager, apiVersion, subresource),
 * without empty sets, with at most ten Update entries (older ones fold into
 * `ancient-changes`). Server-owned metadata is never owned by anyone.
 *
 * Decoding is lazy: an entry keeps its wire fieldsV1 and builds its set on
 * first use. While its set is not replaced, an entry whose fieldsV1 is
 * canonical (exactly what encoding its set writes) is queried without
 * decoding and written back as the same object, so writes that leave most
 * managers untouched neither decode nor re-encode them. Sets are values:
 * nobody changes a set in place, ownership changes assign a new one.
 */
import { isPlainObject } from '../../api/meta.js';
import { FieldSet, fieldsV1Covers, fieldsV1Overlaps, isCanonicalFieldsV1 } from './field-set.js';

export type Operation = 'Apply' | 'Update';

export interface ManagerEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  /** RFC 3339 to the second. */
  time?: string;
  /** '' for the main resource. */
  subresource: string;
  /** Replaced, never changed in place: a decoded entry writes its wire fieldsV1 back until its set is assigned. */
  set: FieldSet;
}

export const MAX_UPDATE_MANAGERS = 10;
export const ANCIENT_CHANGES = 'ancient-changes';

/** upstream stripMetaManager: fields nobody owns. */
const STRIP = FieldSet.of(
  ['f:apiVersion'],
  ['f:kind'],
  ['f:metadata'],
  ['f:metadata', 'f:name'],
  ['f:metadata', 'f:namespace'],
  ['f:metadata', 'f:creationTimestamp'],
  ['f:metadata', 'f:selfLink'],
  ['f:metadata', 'f:uid'],
  ['f:metadata', 'f:clusterName'],
  ['f:metadata', 'f:generation'],
  ['f:metadata', 'f:managedFields'],
  ['f:metadata', 'f:resourceVersion'],
);

export function stripMeta(set: FieldSet): FieldSet {
  return set.difference(STRIP);
}

/** The identity of an entry, as upstream's BuildManagerIdentifier (JSON, field order kept). */
export function managerKey(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  // JSON.stringify of { manager, operation, apiVersion?, subresource? }, spelled out.
  let key = `{"manager":${JSON.stringify(e.manager)},"operation":${JSON.stringify(e.operation)}`;
  if (e.operation !== 'Apply' && e.apiVersion) key += `,"apiVersion":${JSON.stringify(e.apiVersion)}`;
  if (e.subresource) key += `,"subresource":${JSON.stringify(e.subresource)}`;
  return `${key}}`;
}

/** The wire side of a decoded entry: its fieldsV1 and, once used, the set it decodes to. */
interface Wire {
  raw: unknown;
  set: FieldSet | undefined;
  /** False once the entry's set was assigned (the raw no longer describes it). */
  intact: boolean;
  canonical: boolean | undefined;
}

/** An entry as decoded: its set is built from the wire fieldsV1 on first use. */
class DecodedEntry implements ManagerEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time?: string;
  subresource: string;
  readonly wire: Wire;

  constructor(raw: Record<string, unknown>) {
    this.manager = typeof raw.manager === 'string' ? raw.manager : '';
    this.operation = raw.operation === 'Apply' ? 'Apply' : 'Update';
    this.apiVersion = typeof raw.apiVersion === 'string' ? raw.apiVersion : '';
    if (typeof raw.time === 'string') this.time = raw.time;
    this.subresource = typeof raw.subresource === 'string' ? raw.subresource : '';
    this.wire = { raw: raw.fieldsV1, set: undefined, intact: true, canonical: undefined };
  }

  get set(): FieldSet {
    return (this.wire.set ??= FieldSet.fromFieldsV1(this.wire.raw));
  }

  set set(s: FieldSet) {
    this.wire.set = s;
    this.wire.intact = false;
  }
}

/** The entry's wire fieldsV1 when it still describes its set exactly (canonical, set not replaced). */
export function intactFieldsV1(e: ManagerEntry): Record<string, unknown> | undefined {
  if (!(e instanceof DecodedEntry)) return undefined;
  const w = e.wire;
  if (!w.intact) return undefined;
  w.canonical ??= isCanonicalFieldsV1(w.raw);
  return w.canonical ? (w.raw as Record<string, unknown>) : undefined;
}

/** `e.set.overlaps(set)`, without decoding an intact entry. */
export function entryOverlaps(e: ManagerEntry, set: FieldSet): boolean {
  const raw = intactFieldsV1(e);
  return raw ? fieldsV1Overlaps(raw, set) : e.set.overlaps(set);
}

/** `e.set.covers(set)`, without decoding an intact entry. */
export function entryCovers(e: ManagerEntry, set: FieldSet): boolean {
  const raw = intactFieldsV1(e);
  return raw ? fieldsV1Covers(raw, set) : e.set.covers(set);
}

/** `e.set.isEmpty()`, without decoding an intact entry. */
export function entryIsEmpty(e: ManagerEntry): boolean {
  const raw = intactFieldsV1(e);
  if (!raw) return e.set.isEmpty();
  for (const _k in raw) return false;
  return true;
}

/**
 * Decodes managedFields; undefined when absent or not a list. Entries that
 * share an identity are united. An entry without fields (`{}`) decodes to
 * an empty set, so a client can reset the list with `[{}]` as upstream.
 */
export function decodeManagedFields(v: unknown): Map<string, ManagerEntry> | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = new Map<string, ManagerEntry>();
  for (const raw of v) {
    if (!isPlainObject(raw)) return undefined;
    const e = new DecodedEntry(raw);
    const key = managerKey(e);
    const prev = out.get(key);
    if (prev) prev.set = prev.set.union(e.set);
    else out.set(key, e);
  }
  return out;
}

function seconds(t: string | undefined): number {
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** upstream capManagersManager: folds the oldest Update entries into per-version `ancient-changes` buckets. */
export function capUpdateManagers(entries: Map<string, ManagerEntry>, max = MAX_UPDATE_MANAGERS): void {
  const updaters = [...entries.entries()].filter(([, e]) => e.operation === 'Update');
  if (updaters.length <= max) return;
  updaters.sort(([ka, a], [kb, b]) => seconds(a.time) - seconds(b.time) || cmp(ka, kb));
  let count = updaters.length;
  for (const [key, e] of updaters) {
    if (count <= max) break;
    if (e.manager === ANCIENT_CHANGES) continue;
    const bucketKey = managerKey({ manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: e.apiVersion, subresource: '' });
    const bucket = entries.get(bucketKey);
    entries.delete(key);
    if (bucket) {
      bucket.set = bucket.set.union(e.set);
      if (e.time !== undefined) bucket.time = e.time;
      count--;
    } else {
      const fresh: ManagerEntry = { manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: e.apiVersion, subresource: '', set: e.set };
      if (e.time !== undefined) fresh.time = e.time;
      entries.set(bucketKey, fresh);
    }
  }
}

/** The wire form: sorted entries with non-empty sets; undefined when none is left. */
export function encodeManagedFields(entries: Iterable<ManagerEntry>): Record<string, unknown>[] | undefined {
  const list: { e: ManagerEntry; secs: number }[] = [];
  for (const e of entries) if (!entryIsEmpty(e)) list.push({ e, secs: seconds(e.time) });
  list.sort(
    ({ e: p, secs: ps }, { e: q, secs: qs }) =>
      cmp(p.operation, q.operation) ||
      ps - qs ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource, q.subresource),
  );
  if (list.length === 0) return undefined;
  return list.map(({ e }) => {
    const out: Record<string, unknown> = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time !== undefined) out.time = e.time;
    out.fieldsType = 'FieldsV1';
    out.fieldsV1 = intactFieldsV1(e) ?? e.set.toFieldsV1();
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

/**
 * Upstream's reset fields: writes to the main resource of a kind with a
 * status subresource never own `.status`, and status writes own nothing
 * but `.status`.
 */
export function resetFields(set: FieldSet, subresource: string, hasStatusSubresource: boolean): FieldSet {
  const out = set.clone();
  if (subresource === 'status') {
    for (const pe of [...out.children.keys()]) if (pe !== 'f:status') out.children.delete(pe);
  } else if (subresource === '' && hasStatusSubresource) {
    out.children.delete('f:status');
  }
  return out;
}
