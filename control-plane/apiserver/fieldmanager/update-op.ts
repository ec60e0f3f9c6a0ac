/**
 * Ownership after a non-apply write (create, update, patch; upstream
 * Updater.Update with the managedFieldsUpdater around it): the fields the
 * write added or changed move to the writer's Update entry, every other
 * manager loses them and the fields the write removed, and the writer's
 * entry time is refreshed only when it took fields. A client may send
 * managedFields itself: a list that decodes to at least one entry replaces
 * the tracked set (kubectl's client- to server-side apply migration does
 * this); an empty or absent list keeps the live one, so clients unaware of
 * the field cannot drop it. Status writes always keep the live set.
 *
 * Managers the write does not touch (none of their fields changed or
 * removed) keep their entry as decoded, so it is written back without being
 * decoded or re-encoded; so does the writer's entry when it already owned
 * every changed field (only its time moves).
 */
import type { KubeObject } from '../../api/meta.js';
import { compare } from './compare.js';
import {
  capUpdateManagers,
  decodeManagedFields,
  encodeManagedFields,
  entryCovers,
  entryIsEmpty,
  entryOverlaps,
  managerKey,
  resetFields,
  stripMeta,
  type ManagerEntry,
} from './managed-fields.js';
import type { TypeDesc } from './type-info.js';

export interface WriteInfo {
  type: TypeDesc;
  manager: string;
  /** The group-version the request was served under (`apps/v1`). */
  apiVersion: string;
  /** '' | 'status' | 'scale' */
  subresource: string;
  hasStatusSubresource: boolean;
  /** formatTime of the request's clock. */
  now: string;
}

/** The object without the metadata that is never compared. */
export function comparable(obj: KubeObject | undefined): Record<string, unknown> {
  if (!obj) return {};
  const { managedFields: _m, resourceVersion: _r, ...meta } = obj.metadata;
  return { ...obj, metadata: meta };
}

/** The managedFields a write stores, given the object before (undefined on create) and after it. */
export function updateManagedFields(old: KubeObject | undefined, next: KubeObject, w: WriteInfo): Record<string, unknown>[] | undefined {
  const sent = w.subresource === '' ? decodeManagedFields(next.metadata.managedFields) : undefined;
  const entries: Map<string, ManagerEntry> =
    sent && sent.size > 0 ? sent : (decodeManagedFields(old?.metadata.managedFields) ?? new Map<string, ManagerEntry>());
  const cmp = compare(comparable(old), comparable(next), w.type);
  const changed = resetFields(stripMeta(cmp.added.union(cmp.modified)), w.subresource, w.hasStatusSubresource);
  const removed = cmp.removed;
  const takes = !changed.isEmpty();
  const removes = !removed.isEmpty();
  const id = { manager: w.manager, operation: 'Update' as const, apiVersion: w.apiVersion, subresource: w.subresource };
  const writerKey = takes ? managerKey(id) : undefined;
  // Every manager loses the changed and removed fields; the writer then takes the changed ones.
  for (const [k, e] of entries) {
    if (k !== writerKey) {
      if ((takes && entryOverlaps(e, changed)) || (removes && entryOverlaps(e, removed))) e.set = e.set.difference(changed).difference(removed);
    } else if (!(removes && entryOverlaps(e, removed)) && entryCovers(e, changed)) {
      // (set − changed − removed) ∪ changed is the set itself: same key, so same identity; only the time moves.
      e.time = w.now;
    } else {
      entries.set(k, { ...id, time: w.now, set: e.set.difference(changed).difference(removed).union(changed) });
    }
  }
  if (writerKey !== undefined && !entries.has(writerKey)) entries.set(writerKey, { ...id, time: w.now, set: changed });
  for (const [k, e] of entries) if (entryIsEmpty(e)) entries.delete(k);
  capUpdateManagers(entries);
  return encodeManagedFields(entries.values());
}
