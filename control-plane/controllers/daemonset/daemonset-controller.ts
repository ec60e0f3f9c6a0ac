/**
 * The DaemonSet controller (upstream's pkg/controller/daemon): one pod per
 * eligible node, pinned there by node affinity and placed by the default
 * scheduler; nodes that appear get a pod, pods on nodes that stop
 * qualifying are deleted; RollingUpdate (maxUnavailable / maxSurge) or
 * OnDelete between ControllerRevisions named `<ds>-<hash>`; status counts.
 *
 * Each sync: construct the history (find the revision equal to the
 * template, create it or renumber it; dedupe), claim pods, then, once this
 * controller's earlier writes are visible in the cache, manage (create /
 * delete per planManage), roll (planRollingUpdate, only when manage changed
 * nothing), clean up old history, and write the status. While earlier
 * writes are still unseen only the status is written, without raising
 * observedGeneration (as upstream's expectations). Events as upstream's
 * pod control: SuccessfulCreate "Created pod: x", SuccessfulDelete
 * "Deleted pod: x", FailedDaemonPod, SucceededDaemonPod, SelectingAll, from
 * component daemonset-controller.
 */
import { isApiError } from '../../api/errors.js';
import type { OwnerReference } from '../../api/meta.js';
import { labelSelectorRequirements, matchesLabels, type LabelRequirement } from '../../api/selectors/label-selector.js';
import type { NodeView } from '../../scheduler/types.js';
import type { Controller, ControllerContext } from '../framework/controller.js';
import { adoptPatch, claimAction, controllerRefOf, newControllerRef, ownerKey, releasePatch, STRATEGIC_MERGE_PATCH } from '../framework/controller-ref.js';
import type { EventRecorder } from '../framework/event-recorder.js';
import type { Informer } from '../framework/informer.js';
import type { Pod } from '../framework/pod-util.js';
import { inNamespace, objectKey, refs } from '../framework/refs.js';
import { WorkQueue, type WorkResult } from '../framework/work-queue.js';
import type { ControllerRevision } from '../history/controller-revision.js';
import { canonicalJson } from '../history/revision-hash.js';
import { RevisionStore } from '../history/revision-store.js';
import { RecentWrites } from '../statefulset/recent-writes.js';
import { daemonSetStatus, planManage, planRollingUpdate, type DaemonSetStatusCounts } from './daemon-plan.js';
import { newDaemonPod, REVISION_HASH_LABEL, type DaemonSet } from './daemon-pods.js';
import { DaemonHistory } from './daemon-history.js';
import { FailedPodBackoff } from './failed-pod-backoff.js';

const COMPONENT = 'daemonset-controller';
const BURST_REPLICAS = 250;

export class DaemonSetController implements Controller {
  readonly name = 'daemonset';
  private ctx!: ControllerContext;
  private sets!: Informer<DaemonSet>;
  private pods!: Informer<Pod>;
  private nodes!: Informer<NodeView>;
  private revisions!: Informer<ControllerRevision>;
  private history!: DaemonHistory;
  private recorder!: EventRecorder;
  private queue!: WorkQueue;
  private writes!: RecentWrites;
  private backoff!: FailedPodBackoff;

  setup(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.sets = ctx.informers.informer<DaemonSet>(refs.daemonSets);
    this.pods = ctx.informers.informer<Pod>(refs.pods);
    this.nodes = ctx.informers.informer<NodeView>(refs.nodes);
    this.revisions = ctx.informers.informer<ControllerRevision>(refs.controllerRevisions);
    this.history = new DaemonHistory(ctx.client, new RevisionStore(ctx.client, this.revisions));
    this.recorder = ctx.recorder(COMPONENT);
    this.writes = new RecentWrites(ctx.clock);
    this.backoff = new FailedPodBackoff(ctx.clock);
    this.queue = new WorkQueue((k) => this.sync(k), { name: this.name, workers: 2, onError: (k, e) => ctx.log(`daemonset ${k}: ${String(e)}`) });
    const enqueue = (d: DaemonSet): void => this.queue.add(objectKey(d));
    this.sets.addHandler({ add: enqueue, update: (_o, n) => enqueue(n), delete: enqueue });
    this.pods.addHandler({
      add: (p) => this.podChanged(p),
      update: (o, n) => {
        this.podChanged(n);
        if (controllerRefOf(o)?.uid !== controllerRefOf(n)?.uid) this.podChanged(o);
      },
      delete: (p) => this.podChanged(p, true),
    });
    const all = (): void => {
      for (const d of this.sets.list()) enqueue(d);
    };
    this.nodes.addHandler({ add: all, update: (o, n) => (nodeSchedulingChanged(o, n) ? all() : undefined), delete: all });
    const revChanged = (r: ControllerRevision): void => {
      const key = ownerKey(r, 'DaemonSet');
      if (key) this.queue.add(key);
    };
    this.revisions.addHandler({ add: revChanged, update: (_o, n) => revChanged(n), delete: revChanged });
  }

  run(): void {
    this.queue.start();
  }

  stop(): void {
    this.queue.stop();
  }

  private podChanged(pod: Pod, gone = false): void {
    this.writes.observe(pod, gone);
    if (controllerRefOf(pod)) {
      const key = ownerKey(pod, 'DaemonSet');
      if (key) this.queue.add(key);
      return;
    }
    if (gone) return;
    for (const ds of this.sets.list(pod.metadata.namespace ?? '')) {
      const sel = selectorOf(ds);
      if (sel && sel.length > 0 && matchesLabels(sel, pod.metadata.labels)) this.queue.add(objectKey(ds));
    }
  }

  private async sync(key: string): Promise<WorkResult | void> {
    const cached = this.sets.get(key);
    if (!cached) return;
    const ds = structuredClone(cached);
    const sel = selectorOf(ds);
    if (!sel) return;
    if (sel.length === 0) {
      this.recorder.record(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    if (ds.metadata.deletionTimestamp) return;
    const controllerRef = (): OwnerReference => newControllerRef(ds, 'apps/v1', 'DaemonSet');
    const { cur, old } = await this.history.construct(ds, sel, controllerRef);
    const hash = cur.metadata.labels?.[REVISION_HASH_LABEL] ?? '';
    const nodes = this.nodes.list();
    const now = (): Date => this.ctx.clock.now();
    let requeueAfterMs: number | undefined;

    let pods = this.writes.overlay(key, await this.claimPods(ds, sel, controllerRef()));
    const settled = !this.writes.pending(key);
    let error: unknown;
    if (settled) {
      try {
        const plan = planManage({ ds, nodes, pods, hash, now: now() });
        const toDelete = [...plan.delete];
        for (const { pod, node } of plan.succeeded) {
          this.recorder.record(ds, 'Normal', 'SucceededDaemonPod', `Found succeeded daemon pod ${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''} on node ${node}, will try to delete it`);
          toDelete.push(pod);
        }
        for (const { pod, node } of plan.failed) {
          const bkey = `${ds.metadata.uid ?? ''}/${ds.status?.observedGeneration ?? 0}/${node}`;
          const wait = this.backoff.remaining(bkey);
          if (wait > 0) {
            requeueAfterMs = Math.min(requeueAfterMs ?? wait, wait);
            continue;
          }
          this.backoff.next(bkey);
          this.recorder.record(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''} on node ${node}, will try to kill it`);
          toDelete.push(pod);
        }
        const wrote = await this.syncNodes(ds, key, toDelete, plan.create, hash);
        if (!wrote && ds.spec?.updateStrategy?.type === 'RollingUpdate') {
          const roll = planRollingUpdate({ ds, nodes, pods, hash, now: now() });
          await this.syncNodes(ds, key, roll.delete, roll.create, hash);
        }
        await this.history.cleanup(ds, old, pods);
      } catch (err) {
        error = err;
      }
      pods = this.writes.overlay(key, this.ownedPods(ds));
    }
    const status = daemonSetStatus({ ds, nodes, pods, hash, now: now() });
    await this.writeStatus(ds, status, settled);
    if (error) throw error;
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && status.numberReady !== status.numberAvailable) requeueAfterMs = Math.min(requeueAfterMs ?? minReady * 1000, minReady * 1000);
    if (!settled) requeueAfterMs = Math.min(requeueAfterMs ?? 1000, 1000);
    return requeueAfterMs === undefined ? undefined : { requeueAfterMs };
  }

  private ownedPods(ds: DaemonSet): Pod[] {
    return this.pods.list(ds.metadata.namespace ?? '').filter((p) => controllerRefOf(p)?.uid === ds.metadata.uid);
  }

  private async claimPods(ds: DaemonSet, sel: LabelRequirement[], ref: OwnerReference): Promise<Pod[]> {
    const out: Pod[] = [];
    const podsRef = inNamespace(refs.pods, ds.metadata.namespace);
    for (const pod of this.pods.list(ds.metadata.namespace ?? '')) {
      const action = claimAction(ds, pod, matchesLabels(sel, pod.metadata.labels));
      try {
        if (action === 'keep') out.push(pod);
        else if (action === 'adopt') out.push(await this.ctx.client.patch<Pod>(podsRef, pod.metadata.name ?? '', adoptPatch(pod, ref), STRATEGIC_MERGE_PATCH));
        else if (action === 'release') await this.ctx.client.patch(podsRef, pod.metadata.name ?? '', releasePatch(pod, ds.metadata.uid ?? ''), STRATEGIC_MERGE_PATCH);
      } catch (err) {
        if (!isApiError(err) || (err.code !== 'SKIFF_NOT_FOUND' && err.code !== 'SKIFF_INVALID')) throw err;
      }
    }
    return out;
  }

  /** Creates pods on nodes (slow-start batches) and deletes pods; true when it wrote anything. */
  private async syncNodes(ds: DaemonSet, key: string, toDelete: Pod[], nodes: string[], hash: string): Promise<boolean> {
    const creates = nodes.slice(0, BURST_REPLICAS);
    const deletes = toDelete.slice(0, BURST_REPLICAS);
    if (creates.length === 0 && deletes.length === 0) return false;
    const ns = ds.metadata.namespace;
    const podsRef = inNamespace(refs.pods, ns);
    const errors: unknown[] = [];
    const ref = newControllerRef(ds, 'apps/v1', 'DaemonSet');
    for (let pos = 0, batch = Math.min(1, creates.length); pos < creates.length; pos += batch, batch = Math.min(2 * batch, creates.length - pos)) {
      const before = errors.length;
      await Promise.all(
        creates.slice(pos, pos + batch).map(async (node) => {
          try {
            const created = await this.ctx.client.create<Pod>(podsRef, newDaemonPod(ds, hash, node, ref));
            this.writes.noteCreated(key, created);
            this.recorder.record(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name ?? ''}`);
          } catch (err) {
            this.recorder.record(ds, 'Warning', 'FailedCreate', `Error creating: ${err instanceof Error ? err.message : String(err)}`);
            errors.push(err);
          }
        }),
      );
      if (errors.length > before) break;
    }
    await Promise.all(
      deletes.map(async (pod) => {
        try {
          await this.ctx.client.delete(podsRef, pod.metadata.name ?? '', { preconditions: { uid: pod.metadata.uid } });
          this.writes.noteDeleted(key, pod);
          this.recorder.record(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name ?? ''}`);
        } catch (err) {
          if (isApiError(err) && err.code === 'SKIFF_NOT_FOUND') return;
          this.recorder.record(ds, 'Warning', 'FailedDelete', `Error deleting: ${err instanceof Error ? err.message : String(err)}`);
          errors.push(err);
        }
      }),
    );
    if (errors.length > 0) throw errors[0] instanceof Error ? errors[0] : new Error(String(errors[0]));
    return true;
  }

  private async writeStatus(ds: DaemonSet, counts: DaemonSetStatusCounts, updateObservedGen: boolean): Promise<void> {
    const s = ds.status ?? {};
    const same = (Object.keys(counts) as (keyof DaemonSetStatusCounts)[]).every((k) => ((s[k] as number | undefined) ?? 0) === counts[k]);
    if (same && (!updateObservedGen || (s.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0))) return;
    const ref = inNamespace(refs.daemonSets, ds.metadata.namespace);
    let target = ds;
    for (let attempt = 0; ; attempt++) {
      const body = structuredClone(target);
      body.status = { ...(target.status ?? {}), ...counts };
      if (updateObservedGen) body.status.observedGeneration = ds.metadata.generation;
      try {
        await this.ctx.client.update(ref, body, { subresource: 'status' });
        return;
      } catch (err) {
        if (!isApiError(err) || err.code !== 'SKIFF_CONFLICT' || attempt >= 1) throw err;
        target = await this.ctx.client.get<DaemonSet>(ref, ds.metadata.name ?? '');
      }
    }
  }
}

function selectorOf(ds: DaemonSet): LabelRequirement[] | undefined {
  const sel = ds.spec?.selector;
  if (!sel) return undefined;
  try {
    return labelSelectorRequirements(sel);
  } catch {
    return undefined;
  }
}

/** Only a node's name, labels, taints and unschedulable flag decide where daemon pods run. */
function nodeSchedulingChanged(a: NodeView, b: NodeView): boolean {
  return (
    canonicalJson(a.metadata.labels ?? {}) !== canonicalJson(b.metadata.labels ?? {}) ||
    canonicalJson(a.spec?.taints ?? []) !== canonicalJson(b.spec?.taints ?? []) ||
    !!a.spec?.unschedulable !== !!b.spec?.unschedulable
  );
}
