/**
 * What the garbage collector does with one object, as upstream's
 * attemptToDeleteItem (pkg/controller/garbagecollector/garbagecollector.go),
 * and the patches it writes. Pure: the controller classifies each
 * ownerReference (from the graph, else the API) and performs the answer.
 *
 * Each ownerReference is
 * - solid: the owner exists with that uid and is not deleting its
 *   dependents in the foreground;
 * - dangling: no object with that uid exists where the reference points;
 * - waiting: the owner exists and is being deleted with foregroundDeletion.
 *
 * Decision (upstream's switch):
 * 1. some solid owner: keep the object, dropping dangling and waiting
 *    references (nothing to do if there are none);
 * 2. only dangling/waiting owners, some waiting, and the object has
 *    dependents of its own: delete it in the foreground (after unblocking
 *    the waiting owners if one of its dependents is itself deleting its
 *    dependents, upstream's cycle guard);
 * 3. otherwise delete it, with the propagation its own finalizers ask
 *    for (orphan, foregroundDeletion) or Background.
 */
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import { FINALIZER_FOREGROUND, FINALIZER_ORPHAN } from './ownership-graph.js';

export type RefState = 'solid' | 'dangling' | 'waiting';

export type Propagation = 'Background' | 'Foreground' | 'Orphan';

export type Decision =
  | { action: 'none' }
  | { action: 'removeOwnerRefs'; uids: string[] }
  | { action: 'delete'; policy: Propagation; unblockUids: string[] };

export interface ItemFacts {
  finalizers: readonly string[];
  /** The object has dependents in the graph. */
  hasDependents: boolean;
  /** One of its dependents is itself deleting its dependents. */
  dependentDeletingDependents: boolean;
}

export function decide(refs: readonly { ref: OwnerReference; state: RefState }[], item: ItemFacts): Decision {
  if (refs.length === 0) return { action: 'none' };
  const solid = refs.filter((r) => r.state === 'solid');
  const dangling = refs.filter((r) => r.state === 'dangling');
  const waiting = refs.filter((r) => r.state === 'waiting');
  if (solid.length > 0) {
    if (dangling.length === 0 && waiting.length === 0) return { action: 'none' };
    return { action: 'removeOwnerRefs', uids: [...dangling, ...waiting].map((r) => r.ref.uid) };
  }
  if (waiting.length > 0 && item.hasDependents) {
    const unblockUids = item.dependentDeletingDependents ? waiting.map((r) => r.ref.uid) : [];
    return { action: 'delete', policy: 'Foreground', unblockUids };
  }
  let policy: Propagation = 'Background';
  if (item.finalizers.includes(FINALIZER_ORPHAN)) policy = 'Orphan';
  else if (item.finalizers.includes(FINALIZER_FOREGROUND)) policy = 'Foreground';
  return { action: 'delete', policy, unblockUids: [] };
}

/** State of a reference to an owner that exists with the referenced uid. */
export function liveOwnerState(owner: KubeObject): RefState {
  const m = owner.metadata;
  return m.deletionTimestamp && (m.finalizers ?? []).includes(FINALIZER_FOREGROUND) ? 'waiting' : 'solid';
}

/**
 * A JSON merge patch dropping the references to `uids`, guarded by the
 * object's resourceVersion (a concurrent change makes it a 409, and the
 * caller re-reads). undefined when none of them is there.
 */
export function removeOwnerRefsPatch(obj: KubeObject, uids: readonly string[]): unknown {
  const refs = obj.metadata.ownerReferences ?? [];
  const kept = refs.filter((r) => !uids.includes(r.uid));
  if (kept.length === refs.length) return undefined;
  return { metadata: { resourceVersion: obj.metadata.resourceVersion, ownerReferences: kept.length > 0 ? kept : null } };
}

/** A JSON merge patch setting blockOwnerDeletion=false on the references to `uids`. */
export function unblockOwnerRefsPatch(obj: KubeObject, uids: readonly string[]): unknown {
  const refs = obj.metadata.ownerReferences ?? [];
  if (!refs.some((r) => uids.includes(r.uid) && r.blockOwnerDeletion === true)) return undefined;
  const next = refs.map((r) => (uids.includes(r.uid) ? { ...r, blockOwnerDeletion: false } : r));
  return { metadata: { resourceVersion: obj.metadata.resourceVersion, ownerReferences: next } };
}

/** A JSON merge patch removing one finalizer, guarded by resourceVersion. */
export function removeFinalizerPatch(obj: KubeObject, finalizer: string): unknown {
  const fins = obj.metadata.finalizers ?? [];
  if (!fins.includes(finalizer)) return undefined;
  const kept = fins.filter((f) => f !== finalizer);
  return { metadata: { resourceVersion: obj.metadata.resourceVersion, finalizers: kept.length > 0 ? kept : null } };
}
