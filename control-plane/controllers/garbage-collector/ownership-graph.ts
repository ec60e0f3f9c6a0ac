/**
 * The garbage collector's ownership graph, as upstream's GraphBuilder
 * (pkg/controller/garbagecollector/graph_builder.go): one node per
 * observed object, keyed by uid, with its ownerReferences and the set of
 * its dependents, so that "who depends on X" is a lookup, not a scan.
 *
 * Contract:
 * - observe() is called for every add/update an informer delivers, and
 *   remove() for every delete. Both update the graph and answer which
 *   nodes the collector must look at (attemptToDelete) or orphan
 *   (attemptToOrphan); they never do I/O.
 * - An owner referenced before it is observed gets a *virtual* node
 *   (identity from the reference, namespace from the dependent) that the
 *   collector checks against the API; removeVirtual() drops it once the
 *   owner is known absent. Observing the object makes it real.
 * - Transitions, as upstream's processTransitions: an object being
 *   deleted with the `orphan` finalizer is orphaned; one being deleted
 *   with `foregroundDeletion` starts "deleting dependents": its
 *   dependents and itself are looked at.
 * - An owner deleting its dependents is looked at again whenever one of
 *   them goes away or stops blocking it.
 * - Uids known absent (deleted owners, owners the API did not find) are
 *   remembered in a bounded LRU, as upstream's absentOwnerCache.
 * Pure.
 */
import type { KubeObject, OwnerReference } from '../../api/meta.js';

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

export interface Identity {
  apiVersion: string;
  kind: string;
  /** Absent for cluster-scoped objects. */
  namespace?: string;
  name: string;
  uid: string;
}

export interface GraphNode {
  identity: Identity;
  owners: OwnerReference[];
  dependents: Set<GraphNode>;
  /** Referenced as an owner but not (yet) observed. */
  virtual: boolean;
  /** Has a deletionTimestamp. */
  beingDeleted: boolean;
  /** Being deleted with the foregroundDeletion finalizer. */
  deletingDependents: boolean;
  /** Being deleted with the orphan finalizer. */
  orphaning: boolean;
}

export interface GraphEffects {
  /** Uids to run attemptToDelete on. */
  attemptToDelete: string[];
  /** Uids to run attemptToOrphan on. */
  attemptToOrphan: string[];
}

export interface OwnerScope {
  /** Whether a kind (by ownerReference apiVersion + kind) is namespaced; undefined when unknown. */
  namespaced(apiVersion: string, kind: string): boolean | undefined;
}

const ABSENT_CACHE_SIZE = 5000;

function effects(): GraphEffects {
  return { attemptToDelete: [], attemptToOrphan: [] };
}

export class OwnershipGraph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly absent = new Map<string, true>();

  constructor(private readonly scope: OwnerScope) {}

  get size(): number {
    return this.nodes.size;
  }

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  isKnownAbsent(uid: string): boolean {
    if (!this.absent.has(uid)) return false;
    // LRU: refresh.
    this.absent.delete(uid);
    this.absent.set(uid, true);
    return true;
  }

  markAbsent(uid: string): void {
    this.absent.delete(uid);
    this.absent.set(uid, true);
    if (this.absent.size > ABSENT_CACHE_SIZE) this.absent.delete(this.absent.keys().next().value!);
  }

  /** Dependents whose reference to `owner` has blockOwnerDeletion=true. */
  blockingDependents(owner: GraphNode): GraphNode[] {
    const out: GraphNode[] = [];
    for (const dep of owner.dependents) {
      if (dep.owners.some((r) => r.uid === owner.identity.uid && r.blockOwnerDeletion === true)) out.push(dep);
    }
    return out;
  }

  /** An add or update of `obj` (of kind apiVersion/kind) was observed. */
  observe(obj: KubeObject, apiVersion: string, kind: string): GraphEffects {
    const out = effects();
    const m = obj.metadata;
    const uid = m.uid;
    if (!uid) return out;
    const identity: Identity = { apiVersion, kind, name: m.name ?? '', uid, ...(m.namespace ? { namespace: m.namespace } : {}) };
    const owners = (m.ownerReferences ?? []).filter((r) => typeof r?.uid === 'string' && r.uid !== '');
    let node = this.nodes.get(uid);
    let oldOwners: OwnerReference[] = [];
    if (!node) {
      node = { identity, owners: [], dependents: new Set(), virtual: false, beingDeleted: false, deletingDependents: false, orphaning: false };
      this.nodes.set(uid, node);
    } else {
      oldOwners = node.owners;
      node.identity = identity;
      node.virtual = false;
    }
    node.owners = owners;
    this.absent.delete(uid);
    this.diffOwners(node, oldOwners, owners, out);
    this.transitions(node, obj, out);
    return out;
  }

  /** A delete of `obj` was observed. */
  remove(obj: KubeObject): GraphEffects {
    const out = effects();
    const uid = obj.metadata.uid;
    const node = uid ? this.nodes.get(uid) : undefined;
    if (!uid || !node || node.virtual) return out;
    this.detach(node, out);
    return out;
  }

  /** The API confirmed a virtual owner absent: drop it and look at its dependents. */
  removeVirtual(uid: string): GraphEffects {
    const out = effects();
    const node = this.nodes.get(uid);
    if (!node || !node.virtual) return out;
    this.detach(node, out);
    return out;
  }

  private detach(node: GraphNode, out: GraphEffects): void {
    const uid = node.identity.uid;
    this.nodes.delete(uid);
    // Remembered only when something refers to it, as upstream, so pod churn does not flush the cache.
    if (node.virtual || node.dependents.size > 0) this.markAbsent(uid);
    for (const dep of node.dependents) out.attemptToDelete.push(dep.identity.uid);
    for (const ref of node.owners) {
      const owner = this.nodes.get(ref.uid);
      if (!owner) continue;
      owner.dependents.delete(node);
      if (owner.deletingDependents) out.attemptToDelete.push(owner.identity.uid);
    }
  }

  private diffOwners(node: GraphNode, before: OwnerReference[], after: OwnerReference[], out: GraphEffects): void {
    const prev = new Map(before.map((r) => [r.uid, r]));
    const next = new Map(after.map((r) => [r.uid, r]));
    for (const [ownerUid, ref] of next) {
      const old = prev.get(ownerUid);
      if (!old) {
        this.link(node, ref, out);
        continue;
      }
      // A reference that stops blocking may release an owner waiting on it.
      if (old.blockOwnerDeletion === true && ref.blockOwnerDeletion !== true) this.poke(ownerUid, out);
    }
    for (const ownerUid of prev.keys()) {
      if (next.has(ownerUid)) continue;
      const owner = this.nodes.get(ownerUid);
      if (!owner) continue;
      owner.dependents.delete(node);
      if (owner.deletingDependents) out.attemptToDelete.push(ownerUid);
    }
    // A dependent of an owner already deleting its dependents is collected too.
    for (const ref of after) {
      const owner = this.nodes.get(ref.uid);
      if (owner?.deletingDependents && !prev.has(ref.uid)) out.attemptToDelete.push(node.identity.uid);
    }
  }

  private link(node: GraphNode, ref: OwnerReference, out: GraphEffects): void {
    let owner = this.nodes.get(ref.uid);
    if (!owner && this.absent.has(ref.uid)) {
      // Known absent owner: the new dependent is garbage right away.
      out.attemptToDelete.push(node.identity.uid);
      return;
    }
    if (!owner) {
      const namespaced = this.scope.namespaced(ref.apiVersion, ref.kind);
      const ns = namespaced === false ? undefined : node.identity.namespace;
      owner = {
        identity: { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, ...(ns ? { namespace: ns } : {}) },
        owners: [],
        dependents: new Set(),
        virtual: true,
        beingDeleted: false,
        deletingDependents: false,
        orphaning: false,
      };
      this.nodes.set(ref.uid, owner);
      out.attemptToDelete.push(ref.uid);
    }
    owner.dependents.add(node);
  }

  private poke(ownerUid: string, out: GraphEffects): void {
    const owner = this.nodes.get(ownerUid);
    if (owner?.deletingDependents) out.attemptToDelete.push(ownerUid);
  }

  private transitions(node: GraphNode, obj: KubeObject, out: GraphEffects): void {
    const m = obj.metadata;
    const deleting = m.deletionTimestamp !== undefined && m.deletionTimestamp !== null;
    const finalizers = m.finalizers ?? [];
    node.beingDeleted = deleting;
    const orphaning = deleting && finalizers.includes(FINALIZER_ORPHAN);
    if (orphaning && !node.orphaning) out.attemptToOrphan.push(node.identity.uid);
    node.orphaning = orphaning;
    const foreground = deleting && finalizers.includes(FINALIZER_FOREGROUND);
    if (foreground && !node.deletingDependents) {
      node.deletingDependents = true;
      for (const dep of node.dependents) out.attemptToDelete.push(dep.identity.uid);
      out.attemptToDelete.push(node.identity.uid);
    } else if (!foreground) {
      node.deletingDependents = false;
    }
  }
}
