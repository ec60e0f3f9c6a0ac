/**
 * Controller ownerReferences, as upstream's ControllerRefManager:
 * - an object has at most one controller ref (controller: true);
 * - a controller adopts matching orphans (patching in its controller ref,
 *   guarded by the orphan's uid and resourceVersion) and releases objects it
 *   owns whose labels no longer match (removing its ref);
 * - it never adopts while it is itself being deleted.
 * The pure decisions live here; the patches are built here too so every
 * controller writes them the same way.
 */
import type { KubeObject, OwnerReference } from '../../api/meta.js';

export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** The queue key (`namespace/name`) of obj's controller if it is of `kind`, for handlers that enqueue the owner. */
export function ownerKey(obj: KubeObject, kind: string): string | undefined {
  const ref = controllerRefOf(obj);
  return ref?.kind === kind ? `${obj.metadata.namespace ?? ''}/${ref.name}` : undefined;
}

export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  return controllerRefOf(obj)?.uid === owner.metadata.uid;
}

export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

export type ClaimAction = 'keep' | 'adopt' | 'release' | 'ignore';

/**
 * What `owner` should do with `obj` given whether its selector matches:
 * keep what it owns and matches, adopt matching orphans (unless either side
 * is being deleted), release owned objects that stopped matching.
 */
export function claimAction(owner: KubeObject, obj: KubeObject, matches: boolean): ClaimAction {
  const ref = controllerRefOf(obj);
  if (ref) {
    if (ref.uid !== owner.metadata.uid) return 'ignore';
    if (matches) return 'keep';
    return owner.metadata.deletionTimestamp ? 'keep' : 'release';
  }
  if (!matches || owner.metadata.deletionTimestamp || obj.metadata.deletionTimestamp) return 'ignore';
  return 'adopt';
}

/** A strategic-merge patch adding the controller ref, guarded by uid. */
export function adoptPatch(obj: KubeObject, ref: OwnerReference): unknown {
  return { metadata: { ownerReferences: [ref], uid: obj.metadata.uid } };
}

/** A strategic-merge patch removing the owner's ref, guarded by uid. */
export function releasePatch(obj: KubeObject, ownerUid: string): unknown {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: obj.metadata.uid } };
}

export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
