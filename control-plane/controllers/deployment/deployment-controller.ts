/**
 * The Deployment controller (upstream's pkg/controller/deployment): owns
 * ReplicaSets named `<deployment>-<pod-template-hash>`, one per template
 * revision, and moves replicas from old to new ones by the Deployment's
 * strategy (RollingUpdate within maxSurge/maxUnavailable, or Recreate),
 * scales proportionally on `kubectl scale` mid-rollout, honours paused,
 * keeps revisionHistoryLimit old ReplicaSets, and reports status with the
 * Progressing and Available conditions `kubectl rollout status` reads.
 *
 * The decisions are pure (rolling-update, proportional-scaling,
 * deployment-status, deployment-util); this file reads the caches, claims
 * ReplicaSets, and performs the writes in upstream's order. ReplicaSet
 * writes are PUTs carrying the cached resourceVersion, so a decision made
 * on a stale cache fails with a conflict and is retried on fresh data.
 */
import { errorMessage, isApiError } from '../../api/errors.js';
import type { Controller, ControllerContext } from '../framework/controller.js';
import { claimAction, controllerRefOf } from '../framework/controller-ref.js';
import type { EventRecorder } from '../framework/event-recorder.js';
import type { Informer } from '../framework/informer.js';
import type { Pod } from '../framework/pod-util.js';
import { inNamespace, objectKey, refs } from '../framework/refs.js';
import { WorkQueue, type WorkResult } from '../framework/work-queue.js';
import { adoptAll, canAdopt, releaseAll } from '../replicaset/claims.js';
import { logUnlessConflict, POD_CONTROLLER_INDEX, podControllerIndex } from '../replicaset/replica-set-controller.js';
import { compileSelector } from '../replicaset/replica-set-sync.js';
import { REPLICASET_KIND, specReplicas, type ReplicaSet } from '../replicaset/types.js';
import {
  deploymentComplete,
  equalIgnoreHash,
  filterActive,
  findNewReplicaSet,
  findOldReplicaSets,
  getCondition,
  hasProgressDeadline,
  maxRevision,
  maxSurge,
  newCondition,
  replicasAnnotationsNeedUpdate,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from './deployment-util.js';
import { pausedConditionStatus, replicaSetsToCleanUp, rolloutStatus, calculateStatus, statusEqual, stuckRequeueMs } from './deployment-status.js';
import { isScalingEvent, scalePlan } from './proportional-scaling.js';
import { oldPodsRunning } from './recreate.js';
import { rollingStep } from './rolling-update.js';
import { newReplicaSetFor } from './new-replica-set.js';
import {
  DEPLOYMENT_API_VERSION,
  DEPLOYMENT_KIND,
  deploymentReplicas,
  PROGRESSING,
  Reasons,
  REVISION_ANNOTATION,
  type Deployment,
  type DeploymentStatus,
} from './types.js';

const COMPONENT = 'deployment-controller';
const MERGE_PATCH = 'application/merge-patch+json';

export class DeploymentController implements Controller {
  readonly name = 'deployment';
  private ctx!: ControllerContext;
  private deployments!: Informer<Deployment>;
  private rsInformer!: Informer<ReplicaSet>;
  private pods!: Informer<Pod>;
  private queue!: WorkQueue;
  private recorder!: EventRecorder;

  setup(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.recorder = ctx.recorder(COMPONENT);
    this.deployments = ctx.informers.informer<Deployment>(refs.deployments);
    this.rsInformer = ctx.informers.informer<ReplicaSet>(refs.replicaSets);
    this.pods = ctx.informers.informer<Pod>(refs.pods);
    this.pods.addIndex(POD_CONTROLLER_INDEX, podControllerIndex);
    this.queue = new WorkQueue((k) => this.sync(k), { name: this.name, workers: 5, onError: (k, e) => logUnlessConflict(ctx, `deployment ${k}`, e) });
    const enqueue = (d: Deployment): void => this.queue.add(objectKey(d));
    this.deployments.addHandler({ add: enqueue, update: (_o, n) => enqueue(n), delete: enqueue });
    this.rsInformer.addHandler({
      add: (rs) => this.rsChanged(rs),
      update: (o, n) => {
        const oldRef = controllerRefOf(o);
        if (oldRef && oldRef.uid !== controllerRefOf(n)?.uid) this.rsChanged(o);
        this.rsChanged(n, JSON.stringify(o.metadata.labels ?? {}) !== JSON.stringify(n.metadata.labels ?? {}));
      },
      delete: (rs) => this.rsChanged(rs),
    });
    this.pods.addHandler({
      delete: (p) => {
        // Recreate waits for old pods to be gone before scaling up.
        const d = this.ownerOfPod(p);
        if (d?.spec?.strategy?.type === 'Recreate') this.queue.add(objectKey(d));
      },
    });
  }

  run(): void {
    this.queue.start();
  }

  stop(): void {
    this.queue.stop();
  }

  private resolveOwner(rs: ReplicaSet): Deployment | undefined {
    const ref = controllerRefOf(rs);
    if (!ref || ref.kind !== DEPLOYMENT_KIND) return undefined;
    const d = this.deployments.getByName(rs.metadata.namespace, ref.name);
    return d?.metadata.uid === ref.uid ? d : undefined;
  }

  private ownerOfPod(p: Pod): Deployment | undefined {
    const ref = controllerRefOf(p);
    if (!ref || ref.kind !== REPLICASET_KIND) return undefined;
    const rs = this.rsInformer.getByName(p.metadata.namespace, ref.name);
    return rs && rs.metadata.uid === ref.uid ? this.resolveOwner(rs) : undefined;
  }

  private rsChanged(rs: ReplicaSet, labelsChanged = true): void {
    if (controllerRefOf(rs)) {
      const d = this.resolveOwner(rs);
      if (d) this.queue.add(objectKey(d));
      return;
    }
    if (!labelsChanged) return;
    for (const d of this.deployments.list(rs.metadata.namespace ?? '')) {
      if (compileSelector(d.spec?.selector)(rs.metadata.labels)) this.queue.add(objectKey(d));
    }
  }

  // --- sync -------------------------------------------------------------------

  private async sync(key: string): Promise<WorkResult | void> {
    const cached = this.deployments.get(key);
    if (!cached) return;
    const d = structuredClone(cached);
    const sel = d.spec?.selector;
    if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) {
      this.recorder.record(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) await this.writeStatus(d, { ...(d.status ?? {}), observedGeneration: d.metadata.generation });
      return;
    }
    const rsList = await this.claimReplicaSets(d);
    if (d.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = await this.allReplicaSets(d, rsList, false);
      await this.syncStatus(d, [...oldRSs, newRS], newRS);
      return;
    }
    const paused = pausedConditionStatus(d, this.ctx.clock.now());
    if (paused) await this.writeStatus(d, paused);
    if (d.spec?.paused) return this.syncScale(d, rsList);
    {
      const newRS = findNewReplicaSet(d, rsList);
      const { all } = findOldReplicaSets(d, rsList);
      if (isScalingEvent(d, newRS, all)) return this.syncScale(d, rsList);
    }
    if (d.spec?.strategy?.type === 'Recreate') return this.rolloutRecreate(d, rsList);
    return this.rolloutRolling(d, rsList);
  }

  /** getReplicaSetsForDeployment: the ReplicaSets it controls after adopting matching orphans and releasing strays. */
  private async claimReplicaSets(d: Deployment): Promise<ReplicaSet[]> {
    const matches = compileSelector(d.spec?.selector);
    const ns = d.metadata.namespace;
    const owned: ReplicaSet[] = [];
    const adopt: ReplicaSet[] = [];
    const release: ReplicaSet[] = [];
    for (const rs of this.rsInformer.list(ns ?? '')) {
      const action = claimAction(d, rs, matches(rs.metadata.labels));
      if (action === 'keep') owned.push(rs);
      else if (action === 'adopt') adopt.push(rs);
      else if (action === 'release') release.push(rs);
    }
    const rsRef = inNamespace(refs.replicaSets, ns);
    if (adopt.length > 0 && (await canAdopt(this.ctx.client, inNamespace(refs.deployments, ns), d))) {
      owned.push(...(await adoptAll(this.ctx.client, rsRef, adopt, d, DEPLOYMENT_API_VERSION, DEPLOYMENT_KIND)));
    }
    if (release.length > 0) await releaseAll(this.ctx.client, rsRef, release, d.metadata.uid ?? '');
    return owned;
  }

  /**
   * getAllReplicaSetsAndSyncRevision: the new ReplicaSet (its revision and
   * annotations brought up to date, created if asked and missing) and all
   * old ones; the Deployment's revision annotation follows the new one.
   */
  private async allReplicaSets(d: Deployment, rsList: ReplicaSet[], create: boolean): Promise<{ newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] }> {
    const oldRSs = findOldReplicaSets(d, rsList).all;
    const existing = findNewReplicaSet(d, rsList);
    const newRevision = maxRevision(oldRSs) + 1;
    const rsRef = inNamespace(refs.replicaSets, d.metadata.namespace);
    const now = this.ctx.clock.now();
    if (existing) {
      const copy = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReady = d.spec?.minReadySeconds ?? 0;
      if (annotationsUpdated || (copy.spec?.minReadySeconds ?? 0) !== minReady) {
        copy.spec = { ...copy.spec, minReadySeconds: minReady };
        return { newRS: await this.ctx.client.update<ReplicaSet>(rsRef, copy), oldRSs };
      }
      await this.setDeploymentRevision(d, copy.metadata.annotations?.[REVISION_ANNOTATION]);
      if (hasProgressDeadline(d) && !getCondition(d.status, PROGRESSING)) {
        const s: DeploymentStatus = { ...(d.status ?? {}) };
        setCondition(s, newCondition(PROGRESSING, 'True', Reasons.FoundNewRS, `Found new replica set "${copy.metadata.name ?? ''}"`, now));
        await this.writeStatus(d, s);
      }
      return { newRS: copy, oldRSs };
    }
    if (!create) return { newRS: undefined, oldRSs };

    const draft = newReplicaSetFor(d, oldRSs, newRevision);
    const replicas = specReplicas(draft);
    let created: ReplicaSet;
    let alreadyExisted = false;
    try {
      created = await this.ctx.client.create<ReplicaSet>(rsRef, draft);
    } catch (err) {
      if (isApiError(err) && err.code === 'SKIFF_ALREADY_EXISTS') {
        const found = await this.ctx.client.get<ReplicaSet>(rsRef, draft.metadata.name ?? '');
        if (controllerRefOf(found)?.uid === d.metadata.uid && equalIgnoreHash(d.spec?.template, found.spec?.template)) {
          created = found;
          alreadyExisted = true;
        } else {
          // A hash collision: bump collisionCount so the next sync hashes differently.
          await this.writeStatus(d, { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 });
          throw err;
        }
      } else {
        const msg = `Failed to create new replica set "${draft.metadata.name ?? ''}": ${errorMessage(err)}`;
        if (hasProgressDeadline(d)) {
          const s: DeploymentStatus = { ...(d.status ?? {}) };
          setCondition(s, newCondition(PROGRESSING, 'False', Reasons.FailedRSCreate, msg, now));
          await this.writeStatus(d, s).catch(() => undefined);
        }
        this.recorder.record(d, 'Warning', Reasons.FailedRSCreate, msg);
        throw err;
      }
    }
    if (!alreadyExisted && replicas > 0) {
      this.recorder.record(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name ?? ''} from 0 to ${replicas}`);
    }
    await this.setDeploymentRevision(d, String(newRevision));
    if (!alreadyExisted && hasProgressDeadline(d)) {
      const s: DeploymentStatus = { ...(d.status ?? {}) };
      setCondition(s, newCondition(PROGRESSING, 'True', Reasons.NewReplicaSet, `Created new replica set "${created.metadata.name ?? ''}"`, now));
      await this.writeStatus(d, s);
    }
    return { newRS: created, oldRSs };
  }

  /** The Deployment's revision annotation (upstream writes it with the status; our status subresource keeps metadata, so it is a metadata patch). */
  private async setDeploymentRevision(d: Deployment, revision: string | undefined): Promise<void> {
    if (revision === undefined || d.metadata.annotations?.[REVISION_ANNOTATION] === revision) return;
    await this.ctx.client.patch(inNamespace(refs.deployments, d.metadata.namespace), d.metadata.name ?? '', { metadata: { annotations: { [REVISION_ANNOTATION]: revision } } }, MERGE_PATCH);
    d.metadata.annotations = { ...(d.metadata.annotations ?? {}), [REVISION_ANNOTATION]: revision };
  }

  /** Writes status through the status subresource (a merge patch: no resourceVersion race with metadata patches). */
  private async writeStatus(d: Deployment, status: DeploymentStatus): Promise<void> {
    const body: Record<string, unknown> = { ...status };
    for (const k of Object.keys(d.status ?? {})) if (!(k in body)) body[k] = null;
    await this.ctx.client.patch(inNamespace(refs.deployments, d.metadata.namespace), d.metadata.name ?? '', { status: body }, MERGE_PATCH, { subresource: 'status' });
    d.status = status;
  }

  /** scaleReplicaSet: writes size and replicas annotations; records ScalingReplicaSet when the size changed. */
  private async scaleReplicaSet(rs: ReplicaSet, to: number, d: Deployment, op?: 'up' | 'down'): Promise<ReplicaSet> {
    const from = specReplicas(rs);
    const desired = deploymentReplicas(d);
    const max = desired + maxSurge(d);
    if (from === to && !replicasAnnotationsNeedUpdate(rs, desired, max)) return rs;
    const copy = structuredClone(rs);
    copy.spec = { ...copy.spec, replicas: to };
    setReplicasAnnotations(copy, desired, max);
    const updated = await this.ctx.client.update<ReplicaSet>(inNamespace(refs.replicaSets, rs.metadata.namespace), copy);
    if (from !== to) {
      const word = op ?? (from < to ? 'up' : 'down');
      this.recorder.record(d, 'Normal', 'ScalingReplicaSet', `Scaled ${word} replica set ${rs.metadata.name ?? ''} from ${from} to ${to}`);
    }
    return updated;
  }

  private replace(list: ReplicaSet[], updated: ReplicaSet): ReplicaSet[] {
    return list.map((rs) => (rs.metadata.uid === updated.metadata.uid ? updated : rs));
  }

  /** sync(): paused or scaling — resize, clean up, report. */
  private async syncScale(d: Deployment, rsList: ReplicaSet[]): Promise<WorkResult | void> {
    let { newRS, oldRSs } = await this.allReplicaSets(d, rsList, false);
    for (const a of scalePlan(d, newRS, oldRSs)) {
      const updated = await this.scaleReplicaSet(a.rs, a.to, d, a.op);
      if (newRS && updated.metadata.uid === newRS.metadata.uid) newRS = updated;
      else oldRSs = this.replace(oldRSs, updated);
    }
    await this.cleanup(d, oldRSs);
    await this.syncStatus(d, [...oldRSs, newRS], newRS);
  }

  private async syncStatus(d: Deployment, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
    const s = calculateStatus(allRSs, newRS, d, this.ctx.clock.now());
    if (!statusEqual(d.status, s)) await this.writeStatus(d, s);
  }

  private async syncRolloutStatus(d: Deployment, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<WorkResult | void> {
    const now = this.ctx.clock.now();
    const s = rolloutStatus(allRSs, newRS, d, now);
    if (statusEqual(d.status, s)) {
      const ms = stuckRequeueMs(d, s, now);
      return ms === undefined ? undefined : { requeueAfterMs: ms };
    }
    await this.writeStatus(d, s);
  }

  private async cleanup(d: Deployment, oldRSs: ReplicaSet[]): Promise<void> {
    for (const rs of replicaSetsToCleanUp(d, oldRSs)) {
      try {
        await this.ctx.client.delete(inNamespace(refs.replicaSets, rs.metadata.namespace), rs.metadata.name ?? '');
      } catch (err) {
        if (!isApiError(err) || err.code !== 'SKIFF_NOT_FOUND') throw err;
      }
    }
  }

  private async rolloutRolling(d: Deployment, rsList: ReplicaSet[]): Promise<WorkResult | void> {
    const { newRS, oldRSs } = await this.allReplicaSets(d, rsList, true);
    if (!newRS) return;
    const step = rollingStep(d, newRS, oldRSs);
    let all: ReplicaSet[] = [...oldRSs, newRS];
    let current = newRS;
    for (const a of step.kind === 'none' ? [] : step.actions) {
      const updated = await this.scaleReplicaSet(a.rs, a.to, d);
      all = this.replace(all, updated);
      if (updated.metadata.uid === current.metadata.uid) current = updated;
    }
    if (step.kind === 'none' && deploymentComplete(d, d.status ?? {})) await this.cleanup(d, oldRSs);
    return this.syncRolloutStatus(d, all, current);
  }

  private async rolloutRecreate(d: Deployment, rsList: ReplicaSet[]): Promise<WorkResult | void> {
    let { newRS, oldRSs } = await this.allReplicaSets(d, rsList, false);
    let scaledDown = false;
    for (const rs of filterActive(oldRSs)) {
      const updated = await this.scaleReplicaSet(rs, 0, d);
      oldRSs = this.replace(oldRSs, updated);
      scaledDown = true;
    }
    if (scaledDown) return this.syncRolloutStatus(d, [...oldRSs, newRS], newRS);
    const podsByRs = new Map<string, Pod[]>();
    for (const rs of rsList) podsByRs.set(rs.metadata.uid ?? '', this.pods.byIndex(POD_CONTROLLER_INDEX, `uid:${rs.metadata.uid ?? ''}`));
    if (oldPodsRunning(newRS, oldRSs, podsByRs)) return this.syncRolloutStatus(d, [...oldRSs, newRS], newRS);
    if (!newRS) ({ newRS, oldRSs } = await this.allReplicaSets(d, rsList, true));
    if (newRS) newRS = await this.scaleReplicaSet(newRS, deploymentReplicas(d), d);
    if (deploymentComplete(d, d.status ?? {})) await this.cleanup(d, oldRSs);
    return this.syncRolloutStatus(d, [...oldRSs, newRS], newRS);
  }
}
