/**
 * The StatefulSet controller (upstream's pkg/controller/statefulset): keeps
 * pods `<set>-<ordinal>` for each StatefulSet, ordered (OrderedReady) or
 * all at once (Parallel), rolls them between ControllerRevisions
 * (RollingUpdate with partition, or OnDelete) and writes the status.
 *
 * Each sync: claim member pods and revisions (adopt/release), find or
 * create the update revision (a rollback renumbers an equal old one),
 * ask planStatefulSet what to do, do it (stopping at the first failure in
 * OrderedReady mode), write the status when it changed, then delete
 * history beyond revisionHistoryLimit that no pod uses. Events as
 * upstream's StatefulPodControl: SuccessfulCreate "create Pod web-0 in
 * StatefulSet web successful", SuccessfulDelete, SuccessfulUpdate and the
 * Failed* variants, from component statefulset-controller.
 */
import { isApiError } from '../../api/errors.js';
import type { OwnerReference } from '../../api/meta.js';
import { labelSelectorRequirements, matchesLabels, type LabelRequirement } from '../../api/selectors/label-selector.js';
import type { Controller, ControllerContext } from '../framework/controller.js';
import { adoptPatch, claimAction, controllerRefOf, newControllerRef, ownerKey, releasePatch, STRATEGIC_MERGE_PATCH } from '../framework/controller-ref.js';
import type { EventRecorder } from '../framework/event-recorder.js';
import type { Informer } from '../framework/informer.js';
import type { Pod } from '../framework/pod-util.js';
import { inNamespace, objectKey, refs } from '../framework/refs.js';
import { WorkQueue, type WorkResult } from '../framework/work-queue.js';
import {
  chooseUpdateRevision,
  newControllerRevision,
  nextRevision,
  sortRevisions,
  templateOfRevision,
  templatePatch,
  type ControllerRevision,
  type PodTemplate,
} from '../history/controller-revision.js';
import { RevisionStore } from '../history/revision-store.js';
import { RecentWrites } from './recent-writes.js';
import { isMemberOf, podRevision, withIdentity } from './stateful-pod.js';
import type { StatefulSet, StatefulSetStatus } from './statefulset-types.js';
import { allowsBurst, completeRollingUpdate, planStatefulSet, statusChanged, type PodAction } from './sync-plan.js';

const COMPONENT = 'statefulset-controller';

export class StatefulSetController implements Controller {
  readonly name = 'statefulset';
  private ctx!: ControllerContext;
  private sets!: Informer<StatefulSet>;
  private pods!: Informer<Pod>;
  private revisions!: Informer<ControllerRevision>;
  private store!: RevisionStore;
  private recorder!: EventRecorder;
  private queue!: WorkQueue;
  private writes!: RecentWrites;

  setup(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.sets = ctx.informers.informer<StatefulSet>(refs.statefulSets);
    this.pods = ctx.informers.informer<Pod>(refs.pods);
    this.revisions = ctx.informers.informer<ControllerRevision>(refs.controllerRevisions);
    this.store = new RevisionStore(ctx.client, this.revisions);
    this.recorder = ctx.recorder(COMPONENT);
    this.writes = new RecentWrites(ctx.clock);
    this.queue = new WorkQueue((k) => this.sync(k), { name: this.name, workers: 2, onError: (k, e) => ctx.log(`statefulset ${k}: ${String(e)}`) });
    const enqueue = (s: StatefulSet): void => this.queue.add(objectKey(s));
    this.sets.addHandler({ add: enqueue, update: (_o, n) => enqueue(n), delete: enqueue });
    this.pods.addHandler({
      add: (p) => this.podChanged(p),
      update: (o, n) => {
        this.podChanged(n);
        if (controllerRefOf(o)?.uid !== controllerRefOf(n)?.uid || !sameLabels(o, n)) this.podChanged(o);
      },
      delete: (p) => this.podChanged(p, true),
    });
    const revChanged = (r: ControllerRevision): void => {
      const key = ownerKey(r, 'StatefulSet');
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
      const key = ownerKey(pod, 'StatefulSet');
      if (key) this.queue.add(key);
      return;
    }
    if (gone) return;
    // An orphan: every set that would adopt it.
    for (const set of this.sets.list(pod.metadata.namespace ?? '')) {
      const sel = selectorOf(set);
      if (sel && matchesLabels(sel, pod.metadata.labels) && isMemberOf(set, pod)) this.queue.add(objectKey(set));
    }
  }

  private async sync(key: string): Promise<WorkResult | void> {
    const cached = this.sets.get(key);
    if (!cached) return;
    const set = structuredClone(cached);
    const sel = selectorOf(set);
    if (!sel) return; // not transient: the API server validates selectors
    const controllerRef = (): OwnerReference => newControllerRef(set, 'apps/v1', 'StatefulSet');
    const matches = (labels: Record<string, string> | undefined): boolean => matchesLabels(sel, labels);
    const revisions = sortRevisions(await this.store.ownedRevisions(set, matches, controllerRef));
    const pods = this.writes.overlay(key, await this.claimPods(set, sel, controllerRef()));

    const { current, update, collisionCount } = await this.resolveRevisions(set, revisions, controllerRef());
    const plan = planStatefulSet({
      set,
      current: { name: current.metadata.name ?? '', template: templateOfRevision(current) },
      update: { name: update.metadata.name ?? '', template: templateOfRevision(update) },
      collisionCount,
      pods,
      controllerRef: controllerRef(),
      now: this.ctx.clock.now(),
    });
    const actionError = await this.perform(set, key, plan.actions);
    await this.writeStatus(set, completeRollingUpdate(set, plan.status));
    if (actionError) throw actionError;
    await this.truncateHistory(set, pods, revisions, current, update);
    return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs };
  }

  /** Member pods the set controls, adopting matching orphans and releasing non-matching ones. */
  private async claimPods(set: StatefulSet, sel: LabelRequirement[], ref: OwnerReference): Promise<Pod[]> {
    const out: Pod[] = [];
    const podsRef = inNamespace(refs.pods, set.metadata.namespace);
    for (const pod of this.pods.list(set.metadata.namespace ?? '')) {
      const action = claimAction(set, pod, matchesLabels(sel, pod.metadata.labels) && isMemberOf(set, pod));
      try {
        if (action === 'keep') out.push(pod);
        else if (action === 'adopt') out.push(await this.ctx.client.patch<Pod>(podsRef, pod.metadata.name ?? '', adoptPatch(pod, ref), STRATEGIC_MERGE_PATCH));
        else if (action === 'release') await this.ctx.client.patch(podsRef, pod.metadata.name ?? '', releasePatch(pod, set.metadata.uid ?? ''), STRATEGIC_MERGE_PATCH);
      } catch (err) {
        if (!isApiError(err) || (err.code !== 'SKIFF_NOT_FOUND' && err.code !== 'SKIFF_INVALID')) throw err;
      }
    }
    return out;
  }

  /** getStatefulSetRevisions: the current and update revisions, creating or renumbering the latter. */
  private async resolveRevisions(
    set: StatefulSet,
    revisions: ControllerRevision[],
    ref: OwnerReference,
  ): Promise<{ current: ControllerRevision; update: ControllerRevision; collisionCount: number }> {
    let collisionCount = set.status?.collisionCount ?? 0;
    const template = (set.spec?.template ?? {}) as PodTemplate;
    const candidate = newControllerRevision(set, ref, template.metadata?.labels, templatePatch(template), nextRevision(revisions), collisionCount);
    if (set.metadata.annotations) candidate.metadata.annotations = { ...set.metadata.annotations };
    const choice = chooseUpdateRevision(revisions, candidate);
    let update: ControllerRevision;
    if (choice.action === 'reuse') update = choice.revision;
    else if (choice.action === 'renumber') update = await this.store.updateRevisionNumber(choice.revision, choice.to);
    else ({ revision: update, collisionCount } = await this.store.createRevision(set.metadata.name ?? '', candidate, collisionCount));
    const current = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount };
  }

  /** Performs the plan; returns the first error (OrderedReady stops there, Parallel finishes the phase). */
  private async perform(set: StatefulSet, key: string, actions: PodAction[]): Promise<Error | undefined> {
    const monotonic = !allowsBurst(set);
    let failed: { error: Error; phase: string } | undefined;
    for (const a of actions) {
      if (failed && (monotonic || failed.phase !== a.phase)) break;
      try {
        await this.act(set, key, a);
      } catch (err) {
        failed ??= { error: err instanceof Error ? err : new Error(String(err)), phase: a.phase };
      }
    }
    return failed?.error;
  }

  private async act(set: StatefulSet, key: string, a: PodAction): Promise<void> {
    const podsRef = inNamespace(refs.pods, set.metadata.namespace);
    const podName = a.pod.metadata.name ?? '';
    const setName = set.metadata.name ?? '';
    const verb = a.kind;
    try {
      if (a.kind === 'create') {
        try {
          this.writes.noteCreated(key, await this.ctx.client.create(podsRef, a.pod));
        } catch (err) {
          // Already there: the cache is behind; no event, retry later (as upstream).
          if (isApiError(err) && err.code === 'SKIFF_ALREADY_EXISTS') throw Object.assign(err, { quiet: true });
          throw err;
        }
      } else if (a.kind === 'delete') {
        try {
          await this.ctx.client.delete(podsRef, podName, { preconditions: { uid: a.pod.metadata.uid } });
          this.writes.noteDeleted(key, a.pod);
        } catch (err) {
          if (isApiError(err) && err.code === 'SKIFF_NOT_FOUND') return;
          throw err;
        }
      } else {
        const fresh = await this.ctx.client.get<Pod>(podsRef, podName);
        await this.ctx.client.update(podsRef, withIdentity(set, fresh));
      }
      const title = verb[0]!.toUpperCase() + verb.slice(1);
      this.recorder.record(set, 'Normal', `Successful${title}`, `${verb} Pod ${podName} in StatefulSet ${setName} successful`);
    } catch (err) {
      if (!(err as { quiet?: boolean }).quiet) {
        const title = verb[0]!.toUpperCase() + verb.slice(1);
        const msg = err instanceof Error ? err.message : String(err);
        this.recorder.record(set, 'Warning', `Failed${title}`, `${verb} Pod ${podName} in StatefulSet ${setName} failed error: ${msg}`);
      }
      throw err;
    }
  }

  private async writeStatus(set: StatefulSet, status: StatefulSetStatus): Promise<void> {
    if (!statusChanged(set, status)) return;
    const ref = inNamespace(refs.statefulSets, set.metadata.namespace);
    let target = set;
    for (let attempt = 0; ; attempt++) {
      const body = structuredClone(target);
      body.status = { ...(target.status ?? {}), ...status };
      try {
        await this.ctx.client.update(ref, body, { subresource: 'status' });
        return;
      } catch (err) {
        if (!isApiError(err) || err.code !== 'SKIFF_CONFLICT' || attempt >= 2) throw err;
        target = await this.ctx.client.get<StatefulSet>(ref, set.metadata.name ?? '');
      }
    }
  }

  /** truncateHistory: delete the oldest revisions beyond the limit that neither the set nor a pod uses. */
  private async truncateHistory(set: StatefulSet, pods: Pod[], revisions: ControllerRevision[], current: ControllerRevision, update: ControllerRevision): Promise<void> {
    const live = new Set([current.metadata.name, update.metadata.name, ...pods.map(podRevision)]);
    const history = revisions.filter((r) => !live.has(r.metadata.name));
    const limit = set.spec?.revisionHistoryLimit ?? 10;
    for (const r of history.slice(0, Math.max(0, history.length - limit))) await this.store.deleteRevision(r);
  }
}

function selectorOf(set: StatefulSet): LabelRequirement[] | undefined {
  const sel = set.spec?.selector;
  if (!sel) return undefined;
  try {
    return labelSelectorRequirements(sel);
  } catch {
    return undefined;
  }
}

function sameLabels(a: Pod, b: Pod): boolean {
  const la = a.metadata.labels ?? {};
  const lb = b.metadata.labels ?? {};
  const ka = Object.keys(la);
  return ka.length === Object.keys(lb).length && ka.every((k) => la[k] === lb[k]);
}
