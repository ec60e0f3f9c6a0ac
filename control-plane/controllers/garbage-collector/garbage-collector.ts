/**
 * The garbage collector, as upstream's (pkg/controller/garbagecollector):
 * one shared informer per stored kind feeds the ownership graph; two work
 * queues act on it.
 * - attemptToDelete(uid): a virtual owner is looked up in the API (absent:
 *   its dependents are looked at); an owner deleting its dependents loses
 *   its foregroundDeletion finalizer once no dependent blocks it; any other
 *   object with ownerReferences is kept, stripped of dead references, or
 *   deleted (decisions.ts) — background deletion, cascading foreground.
 * - attemptToOrphan(uid): an owner being deleted with the orphan finalizer
 *   has its reference removed from every dependent, then the finalizer.
 * Writes: deletes carry a uid precondition; patches carry the
 * resourceVersion they were computed from and are recomputed from a fresh
 * read on conflict. Decisions to write are re-checked against a live read
 * of the object (the cache may lag, e.g. an orphaned dependent whose
 * reference removal is not yet observed), as upstream reads it live.
 */
import type { ResourceRef } from '../../api/client/api-client.js';
import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { newBuiltinTable } from '../../api/resources/index.js';
import type { Controller, ControllerContext } from '../framework/controller.js';
import type { Informer } from '../framework/informer.js';
import { inNamespace } from '../framework/refs.js';
import { WorkQueue } from '../framework/work-queue.js';
import {
  decide,
  liveOwnerState,
  removeFinalizerPatch,
  removeOwnerRefsPatch,
  unblockOwnerRefsPatch,
  type RefState,
} from './decisions.js';
import { FINALIZER_FOREGROUND, FINALIZER_ORPHAN, OwnershipGraph, type GraphEffects, type GraphNode, type Identity } from './ownership-graph.js';
import { gcMonitoredKinds, KindResolver, type KindInfo } from './resource-kinds.js';
import { runLimited } from './run-limited.js';

const MERGE_PATCH = 'application/merge-patch+json';
const PATCH_ATTEMPTS = 5;
const UNOBSERVED_REQUEUE_MS = 1000;
const WRITE_CONCURRENCY = 16;

export class GarbageCollector implements Controller {
  readonly name = 'garbage-collector';
  private ctx!: ControllerContext;
  private graph!: OwnershipGraph;
  private kinds!: KindResolver;
  private readonly informers = new Map<string, Informer>();
  private deleteQueue!: WorkQueue;
  private orphanQueue!: WorkQueue;

  setup(ctx: ControllerContext): void {
    this.ctx = ctx;
    const monitored = gcMonitoredKinds(newBuiltinTable());
    this.kinds = new KindResolver(monitored);
    this.graph = new OwnershipGraph({ namespaced: (apiVersion, kind) => this.kinds.resolve(apiVersion, kind)?.namespaced });
    const onError = (what: string) => (key: string, err: unknown) => ctx.log(`garbage-collector: ${what} ${key}: ${err instanceof Error ? err.message : String(err)}`);
    this.deleteQueue = new WorkQueue((uid) => this.attemptToDelete(uid), { name: 'garbage_collector_attempt_to_delete', workers: 8, onError: onError('attemptToDelete') });
    this.orphanQueue = new WorkQueue((uid) => this.attemptToOrphan(uid), { name: 'garbage_collector_attempt_to_orphan', workers: 2, onError: onError('attemptToOrphan') });
    for (const k of monitored) {
      const inf = ctx.informers.informer(k.ref);
      this.informers.set(`${k.group}/${k.kind}`, inf);
      inf.addHandler({
        add: (o) => this.apply(this.graph.observe(o, k.apiVersion, k.kind)),
        update: (_old, o) => this.apply(this.graph.observe(o, k.apiVersion, k.kind)),
        delete: (o) => this.apply(this.graph.remove(o)),
      });
    }
  }

  run(): void {
    this.deleteQueue.start();
    this.orphanQueue.start();
  }

  stop(): void {
    this.deleteQueue.stop();
    this.orphanQueue.stop();
  }

  private apply(e: GraphEffects): void {
    for (const uid of e.attemptToDelete) this.deleteQueue.add(uid);
    for (const uid of e.attemptToOrphan) this.orphanQueue.add(uid);
  }

  private refOf(info: KindInfo, namespace: string | undefined): ResourceRef {
    return info.namespaced ? inNamespace(info.ref, namespace) : info.ref;
  }

  /** The cached object of a node, if the cache holds it with the node's uid. */
  private cached(id: Identity): KubeObject | undefined {
    const info = this.kinds.resolve(id.apiVersion, id.kind);
    const o = info && this.informers.get(`${info.group}/${info.kind}`)?.getByName(info.namespaced ? id.namespace : undefined, id.name);
    return o && o.metadata.uid === id.uid ? o : undefined;
  }

  /** A live read by coordinates; undefined when absent or replaced by another uid. */
  private async live(id: Identity): Promise<KubeObject | undefined> {
    const info = this.kinds.resolve(id.apiVersion, id.kind);
    if (!info) return undefined;
    try {
      const o = await this.ctx.client.get(this.refOf(info, id.namespace), id.name);
      return o.metadata.uid === id.uid ? o : undefined;
    } catch (err) {
      if (isApiError(err) && err.code === 'SKIFF_NOT_FOUND') return undefined;
      throw err;
    }
  }

  private async attemptToDelete(uid: string): Promise<{ requeueAfterMs?: number } | void> {
    const node = this.graph.get(uid);
    if (!node) return;
    if (node.virtual) return this.checkVirtual(node);
    if (node.beingDeleted && !node.deletingDependents) return;
    if (node.deletingDependents) return this.processDeletingDependents(node);
    const cached = this.cached(node.identity);
    if (!cached || (cached.metadata.ownerReferences ?? []).length === 0) return;
    // Decide on the cache first: most objects have a solid owner and need no read.
    if ((await this.decideFor(node, cached)).action === 'none') return;
    const latest = await this.live(node.identity);
    if (!latest) return;
    const decision = await this.decideFor(node, latest);
    const info = this.kinds.resolve(node.identity.apiVersion, node.identity.kind)!;
    const ref = this.refOf(info, node.identity.namespace);
    if (decision.action === 'removeOwnerRefs') {
      await this.patchFresh(ref, node.identity, (o) => removeOwnerRefsPatch(o, decision.uids));
    } else if (decision.action === 'delete') {
      if (decision.unblockUids.length > 0) await this.patchFresh(ref, node.identity, (o) => unblockOwnerRefsPatch(o, decision.unblockUids));
      await this.deleteObject(ref, node.identity, decision.policy);
    }
  }

  private async decideFor(node: GraphNode, obj: KubeObject): Promise<ReturnType<typeof decide>> {
    const refs = obj.metadata.ownerReferences ?? [];
    const states = [];
    for (const ref of refs) states.push({ ref, state: await this.classify(ref, node.identity.namespace) });
    let dependentDeletingDependents = false;
    for (const d of node.dependents) if (d.deletingDependents) dependentDeletingDependents = true;
    return decide(states, { finalizers: obj.metadata.finalizers ?? [], hasDependents: node.dependents.size > 0, dependentDeletingDependents });
  }

  /** upstream's isDangling + the foreground check, graph first, then the API. */
  private async classify(ref: { apiVersion: string; kind: string; name: string; uid: string }, dependentNs: string | undefined): Promise<RefState> {
    const owner = this.graph.get(ref.uid);
    if (owner && !owner.virtual) return owner.deletingDependents ? 'waiting' : 'solid';
    if (this.graph.isKnownAbsent(ref.uid)) return 'dangling';
    const info = this.kinds.resolve(ref.apiVersion, ref.kind);
    // A kind this server does not serve cannot be checked: keep the object, as upstream does.
    if (!info) return 'solid';
    // A cluster-scoped dependent cannot have a namespaced owner: the reference is invalid.
    if (info.namespaced && !dependentNs) return 'dangling';
    const found = await this.live({ apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace: info.namespaced ? dependentNs : undefined });
    if (!found) {
      this.graph.markAbsent(ref.uid);
      return 'dangling';
    }
    return liveOwnerState(found);
  }

  private async checkVirtual(node: GraphNode): Promise<{ requeueAfterMs?: number } | void> {
    const info = this.kinds.resolve(node.identity.apiVersion, node.identity.kind);
    if (!info) return;
    if (node.identity.namespace === undefined && info.namespaced) {
      this.apply(this.graph.removeVirtual(node.identity.uid));
      return;
    }
    const found = await this.live(node.identity);
    if (!found) {
      this.apply(this.graph.removeVirtual(node.identity.uid));
      return;
    }
    // It exists but the informer has not delivered it yet: look again later.
    if (this.graph.get(node.identity.uid)?.virtual) return { requeueAfterMs: UNOBSERVED_REQUEUE_MS };
  }

  private async processDeletingDependents(node: GraphNode): Promise<void> {
    const blocking = this.graph.blockingDependents(node);
    if (blocking.length === 0) {
      const info = this.kinds.resolve(node.identity.apiVersion, node.identity.kind);
      if (info) await this.patchFresh(this.refOf(info, node.identity.namespace), node.identity, (o) => removeFinalizerPatch(o, FINALIZER_FOREGROUND));
      return;
    }
    for (const dep of blocking) if (!dep.deletingDependents) this.deleteQueue.add(dep.identity.uid);
  }

  private async attemptToOrphan(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node || node.virtual) return;
    await runLimited([...node.dependents], WRITE_CONCURRENCY, async (dep) => {
      const info = this.kinds.resolve(dep.identity.apiVersion, dep.identity.kind);
      if (info) await this.patchFresh(this.refOf(info, dep.identity.namespace), dep.identity, (o) => removeOwnerRefsPatch(o, [uid]));
    });
    const info = this.kinds.resolve(node.identity.apiVersion, node.identity.kind);
    if (info) await this.patchFresh(this.refOf(info, node.identity.namespace), node.identity, (o) => removeFinalizerPatch(o, FINALIZER_ORPHAN));
  }

  /** Reads the object live, builds a patch from it and writes it; retries on conflict. */
  private async patchFresh(ref: ResourceRef, id: Identity, build: (o: KubeObject) => unknown): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const cur = await this.live(id);
      if (!cur) return;
      const patch = build(cur);
      if (patch === undefined) return;
      try {
        await this.ctx.client.patch(ref, id.name, patch, MERGE_PATCH);
        return;
      } catch (err) {
        if (isApiError(err) && err.code === 'SKIFF_NOT_FOUND') return;
        if (isApiError(err) && err.code === 'SKIFF_CONFLICT' && attempt < PATCH_ATTEMPTS) continue;
        throw err;
      }
    }
  }

  private async deleteObject(ref: ResourceRef, id: Identity, policy: string): Promise<void> {
    try {
      await this.ctx.client.delete(ref, id.name, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: policy, preconditions: { uid: id.uid } });
    } catch (err) {
      // Gone already, or replaced by a new object of the same name (uid precondition).
      if (isApiError(err) && (err.code === 'SKIFF_NOT_FOUND' || err.code === 'SKIFF_CONFLICT')) return;
      throw err;
    }
  }
}
