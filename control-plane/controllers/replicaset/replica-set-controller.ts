/**
 * The ReplicaSet controller (upstream's pkg/controller/replicaset): keeps
 * spec.replicas active pods for every ReplicaSet, adopting matching
 * orphans and releasing pods that stopped matching, and reports status.
 *
 * Thin loop: claimPods / planReplicas / calculateStatus decide; this file
 * reads the caches, performs the writes and keeps the expectations that
 * stop a sync from acting on a cache that has not yet seen the pods the
 * previous sync created or deleted (essential at 10,000 replicas).
 *
 * Pods are found through a pod-informer index by controller uid (plus one
 * bucket of orphans per namespace), so a sync costs its own pods, not
 * every pod in the namespace. Status is written only when it changed; the
 * work queue coalesces the thousands of pod events of a large scale-up
 * into a handful of syncs, and pod status changes of a large ReplicaSet
 * are batched by delaying its next sync in proportion to what a sync
 * costs (see enqueueForStatus).
 */
import { errorMessage, isApiError } from '../../api/errors.js';
import type { ResourceRef } from '../../api/client/api-client.js';
import type { Controller, ControllerContext } from '../framework/controller.js';
import { controllerRefOf } from '../framework/controller-ref.js';
import type { EventRecorder } from '../framework/event-recorder.js';
import type { Informer } from '../framework/informer.js';
import type { Pod } from '../framework/pod-util.js';
import { inNamespace, objectKey, refs } from '../framework/refs.js';
import { WorkQueue, type WorkResult } from '../framework/work-queue.js';
import { adoptAll, canAdopt, releaseAll } from './claims.js';
import { Expectations } from './expectations.js';
import { calculateStatus, nextAvailableInMs, statusUpToDate, type ManageError } from './replica-set-status.js';
import { activePods, claimPods, compileSelector, planReplicas, podFromTemplate, SLOW_START_INITIAL_BATCH } from './replica-set-sync.js';
import { boundedAll, MAX_IN_FLIGHT, slowStartBatch } from './slow-start.js';
import { REPLICASET_API_VERSION, REPLICASET_KIND, type ReplicaSet } from './types.js';

/** Pod index: `uid:<controller uid>` for controlled pods, `orphan:<namespace>` for the rest. */
export const POD_CONTROLLER_INDEX = 'replicaset/controller-uid';

/**
 * A sync that lost an optimistic-concurrency race (its cache was behind a
 * write) is retried on fresher data at once; that is routine, not worth a
 * log line. Everything else is logged.
 */
export function logUnlessConflict(ctx: ControllerContext, what: string, err: unknown): void {
  if (isApiError(err) && err.code === 'SKIFF_CONFLICT') return;
  ctx.log(`${what}: ${errorMessage(err)}`);
}

export function podControllerIndex(pod: Pod): string[] {
  const ref = controllerRefOf(pod);
  return [ref ? `uid:${ref.uid}` : `orphan:${pod.metadata.namespace ?? ''}`];
}

const COMPONENT = 'replicaset-controller';
const COALESCE_ABOVE_MS = 2;
const MAX_COALESCE_MS = 1000;

export class ReplicaSetController implements Controller {
  readonly name = 'replicaset';
  private ctx!: ControllerContext;
  private rsInformer!: Informer<ReplicaSet>;
  private pods!: Informer<Pod>;
  private queue!: WorkQueue;
  private recorder!: EventRecorder;
  private expectations!: Expectations;
  private readonly selectors = new Map<string, { sel: unknown; fn: (l: Record<string, string> | undefined) => boolean }>();
  /** Per ReplicaSet key: milliseconds its last sync spent computing (claims and status), for coalescing. */
  private readonly syncCost = new Map<string, number>();

  setup(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.recorder = ctx.recorder(COMPONENT);
    this.expectations = new Expectations(() => ctx.clock.now().getTime());
    this.rsInformer = ctx.informers.informer<ReplicaSet>(refs.replicaSets);
    this.pods = ctx.informers.informer<Pod>(refs.pods);
    this.pods.addIndex(POD_CONTROLLER_INDEX, podControllerIndex);
    this.queue = new WorkQueue((k) => this.sync(k), {
      name: this.name,
      workers: 5,
      onError: (k, e) => logUnlessConflict(ctx, `replicaset ${k}`, e),
    });
    this.rsInformer.addHandler({
      add: (rs) => this.queue.add(objectKey(rs)),
      update: (_o, n) => this.queue.add(objectKey(n)),
      delete: (rs) => {
        this.expectations.forget(objectKey(rs));
        this.syncCost.delete(objectKey(rs));
        this.selectors.delete(rs.metadata.uid ?? '');
        this.queue.add(objectKey(rs));
      },
    });
    this.pods.addHandler({
      add: (p) => this.podAdded(p),
      update: (o, n) => this.podUpdated(o, n),
      delete: (p) => this.podDeleted(p),
    });
  }

  run(): void {
    this.queue.start();
  }

  stop(): void {
    this.queue.stop();
  }

  // --- event handlers: only bookkeeping and enqueues -----------------------

  private resolve(pod: Pod, ref = controllerRefOf(pod)): ReplicaSet | undefined {
    if (!ref || ref.kind !== REPLICASET_KIND) return undefined;
    const rs = this.rsInformer.getByName(pod.metadata.namespace, ref.name);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  private matcher(rs: ReplicaSet): (l: Record<string, string> | undefined) => boolean {
    const uid = rs.metadata.uid ?? '';
    const sel = rs.spec?.selector;
    const c = this.selectors.get(uid);
    if (c && c.sel === sel) return c.fn;
    const fn = compileSelector(sel);
    this.selectors.set(uid, { sel, fn });
    return fn;
  }

  private enqueueMatching(pod: Pod): void {
    for (const rs of this.rsInformer.list(pod.metadata.namespace ?? '')) {
      if (this.matcher(rs)(pod.metadata.labels)) this.queue.add(objectKey(rs));
    }
  }

  private podAdded(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) return this.podDeleted(pod);
    if (controllerRefOf(pod)) {
      const rs = this.resolve(pod);
      if (!rs) return;
      const key = objectKey(rs);
      this.expectations.creationObserved(key);
      // Until the last expected creation is seen, a sync can only refresh
      // the status, so a large ReplicaSet's syncs are coalesced as for
      // status changes; the creation that satisfies it syncs at once.
      if (this.expectations.satisfied(key)) this.queue.add(key);
      else this.enqueueForStatus(key);
      return;
    }
    this.enqueueMatching(pod);
  }

  private podUpdated(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      this.podDeleted(cur);
      if (labelsChanged) this.podDeleted(old);
      return;
    }
    const oldRef = controllerRefOf(old);
    const curRef = controllerRefOf(cur);
    const refChanged = JSON.stringify(oldRef) !== JSON.stringify(curRef);
    if (refChanged && oldRef) {
      const rs = this.resolve(old, oldRef);
      if (rs) this.queue.add(objectKey(rs));
    }
    if (curRef) {
      const rs = this.resolve(cur, curRef);
      if (!rs) return;
      this.enqueueForStatus(objectKey(rs));
      return;
    }
    if (labelsChanged || refChanged) this.enqueueMatching(cur);
  }

  /**
   * A pod's status changed (scheduled, running, ready): only the
   * ReplicaSet's status is affected. For a large ReplicaSet a sync costs
   * O(pods), and 50,000 pods turning Ready one by one would sync it
   * back to back; so its next status sync waits ~20x its last compute
   * time (at most a second), coalescing the events in between.
   */
  private enqueueForStatus(key: string): void {
    const cost = this.syncCost.get(key) ?? 0;
    if (cost < COALESCE_ABOVE_MS) this.queue.add(key);
    else this.queue.addAfter(key, Math.min(MAX_COALESCE_MS, cost * 20));
  }

  private podDeleted(pod: Pod): void {
    const rs = this.resolve(pod);
    if (!rs) return;
    const key = objectKey(rs);
    this.expectations.deletionObserved(key, objectKey(pod));
    this.queue.add(key);
  }

  // --- the sync ---------------------------------------------------------------

  private podsRef(ns: string | undefined): ResourceRef {
    return inNamespace(refs.pods, ns);
  }

  private async sync(key: string): Promise<WorkResult | void> {
    const cached = this.rsInformer.get(key);
    if (!cached) {
      this.expectations.forget(key);
      this.syncCost.delete(key);
      return;
    }
    const rs = cached;
    const ns = rs.metadata.namespace;
    const needsSync = this.expectations.satisfied(key) && !rs.metadata.deletionTimestamp;
    const t0 = performance.now();
    const candidates = activePods([
      ...this.pods.byIndex(POD_CONTROLLER_INDEX, `uid:${rs.metadata.uid ?? ''}`),
      ...this.pods.byIndex(POD_CONTROLLER_INDEX, `orphan:${ns ?? ''}`),
    ]);
    const claims = claimPods(rs, candidates, this.matcher(rs));
    const owned = claims.owned;
    let cost = performance.now() - t0;
    const podsRef = this.podsRef(ns);
    if (claims.adopt.length > 0 && (await canAdopt(this.ctx.client, inNamespace(refs.replicaSets, ns), rs))) {
      owned.push(...(await adoptAll(this.ctx.client, podsRef, claims.adopt, rs, REPLICASET_API_VERSION, REPLICASET_KIND)));
    }
    if (claims.release.length > 0) await releaseAll(this.ctx.client, podsRef, claims.release, rs.metadata.uid ?? '');

    let manageError: ManageError | undefined;
    if (needsSync) manageError = await this.manageReplicas(key, rs, owned);

    const now = this.ctx.clock.now();
    const t1 = performance.now();
    const status = calculateStatus(rs, owned, manageError, now);
    const upToDate = statusUpToDate(rs, status);
    cost += performance.now() - t1;
    this.syncCost.set(key, cost);
    if (!upToDate) await this.writeStatus(rs, status);
    if (manageError) throw new Error(manageError.message);
    const next = nextAvailableInMs(rs, owned, now);
    return next === undefined ? undefined : { requeueAfterMs: next + 50 };
  }

  /** Pods of every ReplicaSet with the same controller (a Deployment's), for the "doubled up" deletion rank. */
  private relatedPods(rs: ReplicaSet, owned: Pod[]): Pod[] {
    const owner = controllerRefOf(rs);
    if (!owner) return owned;
    const out: Pod[] = [];
    for (const sib of this.rsInformer.list(rs.metadata.namespace ?? '')) {
      if (controllerRefOf(sib)?.uid !== owner.uid) continue;
      out.push(...this.pods.byIndex(POD_CONTROLLER_INDEX, `uid:${sib.metadata.uid ?? ''}`));
    }
    return out;
  }

  private async manageReplicas(key: string, rs: ReplicaSet, owned: Pod[]): Promise<ManageError | undefined> {
    const now = this.ctx.clock.now();
    const plan = planReplicas(rs, owned, owned.length > (rs.spec?.replicas ?? 1) ? this.relatedPods(rs, owned) : owned, now);
    const podsRef = this.podsRef(rs.metadata.namespace);
    if (plan.kind === 'create') {
      this.expectations.expectCreations(key, plan.count);
      const res = await slowStartBatch(plan.count, SLOW_START_INITIAL_BATCH, MAX_IN_FLIGHT, async () => {
        try {
          const pod = await this.ctx.client.create<Pod>(podsRef, podFromTemplate(rs));
          this.recorder.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name ?? ''}`);
        } catch (err) {
          this.recorder.record(rs, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(err)}`);
          throw err;
        }
      });
      // The informer will never see the pods that were not created.
      for (let i = res.successes; i < plan.count; i++) this.expectations.creationObserved(key);
      if (res.errors.length > 0) return { during: 'create', message: errorMessage(res.errors[0]) };
      return undefined;
    }
    if (plan.kind === 'delete') {
      this.expectations.expectDeletions(key, plan.pods.map(objectKey));
      const res = await boundedAll(plan.pods.length, MAX_IN_FLIGHT, async (i) => {
        const pod = plan.pods[i]!;
        try {
          await this.ctx.client.delete(podsRef, pod.metadata.name ?? '');
          this.recorder.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name ?? ''}`);
        } catch (err) {
          // The informer will not see this deletion (or already has).
          this.expectations.deletionObserved(key, objectKey(pod));
          if (isApiError(err) && err.code === 'SKIFF_NOT_FOUND') return;
          this.recorder.record(rs, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(err)}`);
          throw err;
        }
      });
      if (res.errors.length > 0) return { during: 'delete', message: errorMessage(res.errors[0]) };
    }
    return undefined;
  }

  private async writeStatus(rs: ReplicaSet, status: NonNullable<ReplicaSet['status']>): Promise<void> {
    const ref = inNamespace(refs.replicaSets, rs.metadata.namespace);
    const body: ReplicaSet = { ...rs, status: { ...status, observedGeneration: rs.metadata.generation } };
    try {
      await this.ctx.client.update(ref, body, { subresource: 'status' });
    } catch (err) {
      // A newer ReplicaSet exists (its event requeues us) or it is gone.
      if (isApiError(err) && (err.code === 'SKIFF_CONFLICT' || err.code === 'SKIFF_NOT_FOUND')) return;
      throw err;
    }
  }
}
