/**
 * Server-side apply on one object (upstream Updater.Apply with the
 * apiserver's managers around it):
 *   1. merge the applied configuration into the live object by type;
 *   2. prune what this applier owned before and no longer applies, unless
 *      another manager owns it too;
 *   3. conflicts: fields the result adds or changes that another manager
 *      owns. Without force they answer 409, except that kubectl's own
 *      apply may take over fields from client-side apply whose
 *      last-applied value matches the live one; with force they move;
 *   4. the applier's Apply entry becomes exactly the applied fields; other
 *      managers lose conflicting and removed fields;
 *   5. when kubectl applies over an object carrying the last-applied
 *      annotation, the annotation follows the applied configuration.
 * A no-op apply keeps the live managedFields (times included).
 */
import { isPlainObject, type KubeObject } from '../../api/meta.js';
import { deepEqual } from '../rest/deep-equal.js';
import { compare } from './compare.js';
import { applyConflictError, type Conflict } from './conflicts.js';
import { FieldSet } from './field-set.js';
import { capUpdateManagers, decodeManagedFields, encodeManagedFields, managerKey, resetFields, stripMeta, type ManagerEntry } from './managed-fields.js';
import { completeKeys } from './key-completion.js';
import { merge, removeItems } from './merge.js';
import { comparable, type WriteInfo } from './update-op.js';
import { withNamedFields, toFieldSet } from './value-set.js';
import { canonicalJson, type TypeDesc } from './type-info.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface ApplyInfo extends WriteInfo {
  force: boolean;
}

function lastAppliedOf(obj: KubeObject): string | undefined {
  const v = obj.metadata.annotations?.[LAST_APPLIED];
  return typeof v === 'string' ? v : undefined;
}

/** Fields client-side apply last applied with the value they still have: kubectl may take them without force. */
function takeoverAllowed(live: KubeObject, type: TypeDesc): FieldSet {
  const text = lastAppliedOf(live);
  if (text === undefined) return new FieldSet();
  let last: unknown;
  try {
    last = JSON.parse(text);
  } catch {
    return new FieldSet();
  }
  if (!isPlainObject(last)) return new FieldSet();
  return toFieldSet(last, type).difference(compare(last, comparable(live), type).modified);
}

/** The object an apply stores (managedFields set), or throws the conflict error. */
export function applyToObject(live: KubeObject, config: KubeObject, a: ApplyInfo): KubeObject {
  const entries: Map<string, ManagerEntry> = decodeManagedFields(live.metadata.managedFields) ?? new Map<string, ManagerEntry>();
  const id = { manager: a.manager, operation: 'Apply' as const, apiVersion: a.apiVersion, subresource: a.subresource };
  const key = managerKey(id);
  const before = comparable(live);
  config = structuredClone(config);
  completeKeys(config, before, a.type);
  let merged = merge(before, config, a.type) as Record<string, unknown>;

  const applied = toFieldSet(config, a.type);
  const last = entries.get(key)?.set;
  if (last && !last.isEmpty()) {
    let owned = applied;
    for (const [k, e] of entries) if (k !== key) owned = owned.union(e.set);
    const drop = withNamedFields(last, a.type).difference(withNamedFields(owned, a.type));
    merged = removeItems(merged, drop, a.type) as Record<string, unknown>;
  }

  const cmp = compare(before, merged, a.type);
  const changed = cmp.added.union(cmp.modified);
  const conflicts: Conflict[] = [];
  const perManager = new Map<string, FieldSet>();
  for (const [k, e] of entries) {
    if (k === key) continue;
    const c = e.set.intersection(changed);
    if (c.isEmpty()) continue;
    perManager.set(k, c);
    for (const p of c.paths()) conflicts.push({ entry: e, path: p });
  }
  if (conflicts.length > 0 && !a.force) {
    const allowed = a.manager === 'kubectl' ? takeoverAllowed(live, a.type) : new FieldSet();
    const remaining = conflicts.filter((c) => !allowed.has(c.path));
    if (remaining.length > 0) throw applyConflictError(remaining);
  }
  for (const [k, e] of entries) {
    if (k === key) continue;
    e.set = e.set.difference(perManager.get(k) ?? new FieldSet()).difference(cmp.removed);
    if (e.set.isEmpty()) entries.delete(k);
  }
  entries.set(key, { ...id, time: a.now, set: resetFields(stripMeta(applied), a.subresource, a.hasStatusSubresource) });
  capUpdateManagers(entries);

  const out = merged as KubeObject;
  if (!isPlainObject(out.metadata)) out.metadata = {};
  out.metadata = { ...out.metadata };
  const encoded = encodeManagedFields(entries.values());
  const unchanged = deepEqual(merged, before) && sameSets(encoded, live.metadata.managedFields);
  if (unchanged) {
    if (live.metadata.managedFields !== undefined) out.metadata.managedFields = live.metadata.managedFields;
  } else if (encoded) {
    out.metadata.managedFields = encoded;
  }
  if (live.metadata.resourceVersion !== undefined && config.metadata.resourceVersion === undefined) {
    out.metadata.resourceVersion = live.metadata.resourceVersion;
  }
  if (a.manager === 'kubectl' && lastAppliedOf(live) !== undefined) {
    const cfg = structuredClone(config);
    const ann = { ...(cfg.metadata.annotations ?? {}) };
    delete ann[LAST_APPLIED];
    if (Object.keys(ann).length > 0) cfg.metadata.annotations = ann;
    else delete cfg.metadata.annotations;
    // Go encodes the unstructured object with sorted keys.
    out.metadata.annotations = { ...(out.metadata.annotations ?? {}), [LAST_APPLIED]: canonicalJson(cfg) };
  }
  return out;
}

/** Equal managedFields apart from entry times. */
function sameSets(a: unknown, b: unknown): boolean {
  const strip = (v: unknown): unknown => (Array.isArray(v) ? v.map((e) => (isPlainObject(e) ? { ...e, time: undefined } : e)) : v);
  return deepEqual(strip(a), strip(b));
}
