/**
 * What sets namespace updates apart from other kinds' (upstream's
 * ShouldDeleteNamespaceDuringUpdate): a namespace carries a second list of
 * finalizers in spec.finalizers (the `kubernetes` one the namespace
 * controller removes through the finalize subresource), and a terminating
 * namespace goes once both lists are empty. Kept apart from
 * namespace-deletion.ts so writer.ts can ask without an import cycle.
 */
import { isPlainObject, type KubeObject } from '../../api/meta.js';
import type { ResourceEntry } from '../../api/resource-table.js';

export function isNamespaceEntry(entry: ResourceEntry): boolean {
  return entry.group === '' && entry.resource === 'namespaces';
}

export function specFinalizers(obj: KubeObject): string[] {
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  return Array.isArray(spec.finalizers) ? spec.finalizers.filter((f): f is string => typeof f === 'string') : [];
}

/**
 * No spec or metadata finalizers left on a namespace whose deletion was
 * requested (and no grace period pending): the write removes it.
 */
export function shouldDeleteNamespaceDuringUpdate(obj: KubeObject, old: KubeObject): boolean {
  const grace = old.metadata.deletionGracePeriodSeconds;
  return (
    specFinalizers(obj).length === 0 &&
    (obj.metadata.finalizers ?? []).length === 0 &&
    old.metadata.deletionTimestamp !== undefined &&
    (grace === undefined || grace === 0)
  );
}
