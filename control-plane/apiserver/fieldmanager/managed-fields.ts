/**
 * metadata.managedFields bookkeeping: decoding the wire entries into
 * per-manager field sets and encoding them back, as upstream's fieldmanager
 * does. A manager is identified by (manager, operation, apiVersion,
 * subresource), except that appliers are identified without apiVersion so
 * one applier has one entry whatever version it applied through. Entries
 * are written sorted (operation, time, manager, apiVersion, subresource),
 * without empty sets, with at most ten Update entries (older ones fold into
 * `ancient-changes`). Server-owned metadata is never owned by anyone.
 */
import { isPlainObject } from '../../api/meta.js';
import { FieldSet } from './field-set.js';

export type Operation = 'Apply' | 'Update';

export interface ManagerEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  /** RFC 3339 to the second. */
  time?: string;
  /** '' for the main resource. */
  subresource: string;
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
  const id: Record<string, string> = { manager: e.manager, operation: e.operation };
  if (e.operation !== 'Apply' && e.apiVersion) id.apiVersion = e.apiVersion;
  if (e.subresource) id.subresource = e.subresource;
  return JSON.stringify(id);
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
    const e: ManagerEntry = {
      manager: typeof raw.manager === 'string' ? raw.manager : '',
      operation: raw.operation === 'Apply' ? 'Apply' : 'Update',
      apiVersion: typeof raw.apiVersion === 'string' ? raw.apiVersion : '',
      subresource: typeof raw.subresource === 'string' ? raw.subresource : '',
      set: FieldSet.fromFieldsV1(raw.fieldsV1),
    };
    if (typeof raw.time === 'string') e.time = raw.time;
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
  const list = [...entries].filter((e) => !e.set.isEmpty());
  list.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource, q.subresource),
  );
  if (list.length === 0) return undefined;
  return list.map((e) => {
    const out: Record<string, unknown> = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time !== undefined) out.time = e.time;
    out.fieldsType = 'FieldsV1';
    out.fieldsV1 = e.set.toFieldsV1();
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
