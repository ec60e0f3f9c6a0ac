/**
 * What one StatefulSet sync does, decided from the cache: upstream's
 * defaultStatefulSetControl.updateStatefulSet as a pure function.
 *
 * Contract (OrderedReady is "monotonic", Parallel is not):
 * 1. Pods with ordinals in [start, start+replicas) are replicas; member pods
 *    outside are condemned (processed highest ordinal first). Missing
 *    replicas are made from the current revision when their ordinal is below
 *    the partition, from the update revision otherwise.
 * 2. Replicas in ordinal order: a Failed/Succeeded pod is deleted (and made
 *    again next sync); a missing one is created; one with a broken identity
 *    is updated. Monotonic: stop after a create, at a terminating pod, or at
 *    one not yet Running and Ready (and available for minReadySeconds).
 * 3. Then condemned pods are deleted, highest ordinal first; monotonic: one
 *    at a time, waiting for a terminating one to go, and only while the
 *    others are healthy (the first unhealthy pod may always go).
 * 4. RollingUpdate only: the highest-ordinal replica at or above the
 *    partition that is not at the update revision is deleted (one per
 *    sync, counted out of currentReplicas); an unhealthy one at or above the
 *    partition makes it wait. OnDelete never deletes for updates.
 * The status counts created pods (ready, available, current and updated
 * revisions); the controller completes a finished rolling update and writes
 * it when it changed. Pure: `now` is passed in.
 */
import type { OwnerReference } from '../../api/meta.js';
import { isPodAvailable, isPodReady, msUntilAvailable, podPhase, type Pod } from '../framework/pod-util.js';
import type { PodTemplate } from '../history/controller-revision.js';
import { identityMatches, inOrdinalRange, newStatefulSetPod, ordinalOf, podRevision, replicasOf, startOrdinal, withIdentity } from './stateful-pod.js';
import type { StatefulSet, StatefulSetStatus } from './statefulset-types.js';

export interface RevisionView {
  name: string;
  template: PodTemplate;
}

export interface PlanInput {
  set: StatefulSet;
  current: RevisionView;
  update: RevisionView;
  collisionCount: number;
  /** The set's member pods (claimed, names `<set>-<ordinal>`). */
  pods: Pod[];
  controllerRef: OwnerReference;
  now: Date;
}

/** Which step asked: the controller stops later steps when an earlier one fails. */
export type Phase = 'replicas' | 'condemned' | 'update';

export type PodAction =
  | { kind: 'create'; phase: Phase; pod: Pod }
  | { kind: 'delete'; phase: Phase; pod: Pod }
  | { kind: 'update'; phase: Phase; pod: Pod };

export interface Plan {
  actions: PodAction[];
  status: StatefulSetStatus;
  /** When minReadySeconds will next make a ready pod available. */
  requeueAfterMs?: number;
}

interface Slot {
  pod: Pod;
  created: boolean;
}

const isTerminating = (p: Pod): boolean => !!p.metadata.deletionTimestamp;
const isTerminal = (p: Pod): boolean => podPhase(p) === 'Failed' || podPhase(p) === 'Succeeded';
const isRunningAndReady = (p: Pod): boolean => podPhase(p) === 'Running' && isPodReady(p);
const isHealthy = (s: Slot): boolean => s.created && isRunningAndReady(s.pod) && !isTerminating(s.pod);

export function allowsBurst(set: StatefulSet): boolean {
  return set.spec?.podManagementPolicy === 'Parallel';
}

export function countStatus(slots: readonly Slot[], minReadySeconds: number, now: Date, current: string, update: string): Pick<StatefulSetStatus, 'replicas' | 'readyReplicas' | 'availableReplicas' | 'currentReplicas' | 'updatedReplicas'> {
  const s = { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  for (const { pod, created } of slots) {
    if (!created) continue;
    s.replicas++;
    if (isRunningAndReady(pod)) {
      s.readyReplicas++;
      if (isPodAvailable(pod, minReadySeconds, now)) s.availableReplicas++;
    }
    if (!isTerminating(pod)) {
      const rev = podRevision(pod);
      if (rev === current) s.currentReplicas++;
      if (rev === update) s.updatedReplicas++;
    }
  }
  return s;
}

function newVersionedPod(input: PlanInput, ordinal: number): Pod {
  const { set, current, update, controllerRef } = input;
  const strategy = set.spec?.updateStrategy;
  const start = startOrdinal(set);
  const useCurrent =
    (strategy?.type === 'RollingUpdate' && !strategy.rollingUpdate && ordinal < start + (set.status?.currentReplicas ?? 0)) ||
    (!!strategy?.rollingUpdate && ordinal < start + (strategy.rollingUpdate.partition ?? 0));
  const rev = useCurrent ? current : update;
  return newStatefulSetPod(set, rev.template, ordinal, rev.name, controllerRef);
}

export function planStatefulSet(input: PlanInput): Plan {
  const { set, now } = input;
  const minReady = set.spec?.minReadySeconds ?? 0;
  const start = startOrdinal(set);
  const replicas: (Slot | undefined)[] = new Array<Slot | undefined>(replicasOf(set)).fill(undefined);
  const condemned: Slot[] = [];
  for (const pod of input.pods) {
    const ord = ordinalOf(pod);
    if (ord < 0) continue;
    if (inOrdinalRange(set, ord)) replicas[ord - start] = { pod, created: true };
    else condemned.push({ pod, created: true });
  }
  const slots: Slot[] = replicas.map((s, i) => s ?? { pod: newVersionedPod(input, start + i), created: false });
  condemned.sort((a, b) => ordinalOf(b.pod) - ordinalOf(a.pod));

  const actions: PodAction[] = [];
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata.generation,
    currentRevision: input.current.name,
    updateRevision: input.update.name,
    collisionCount: input.collisionCount,
    ...countStatus([...slots, ...condemned], minReady, now, input.current.name, input.update.name),
  };
  const finish = (): Plan => ({ actions, status, requeueAfterMs: requeueFor(set, [...slots, ...condemned], now) });
  if (set.metadata.deletionTimestamp) return finish();

  const monotonic = !allowsBurst(set);
  // The first unhealthy pod: among replicas by ordinal, else the lowest condemned.
  const firstUnhealthy = slots.find((s) => !isHealthy(s)) ?? [...condemned].reverse().find((s) => !isHealthy(s));

  // 2. Replicas.
  for (const slot of slots) {
    if (slot.created && isTerminal(slot.pod)) {
      if (!isTerminating(slot.pod)) actions.push({ kind: 'delete', phase: 'replicas', pod: slot.pod });
      if (monotonic) return finish();
      continue;
    }
    if (!slot.created) {
      actions.push({ kind: 'create', phase: 'replicas', pod: slot.pod });
      if (monotonic) return finish();
      continue;
    }
    if (monotonic && (isTerminating(slot.pod) || !isRunningAndReady(slot.pod) || !isPodAvailable(slot.pod, minReady, now))) return finish();
    if (!identityMatches(set, slot.pod)) actions.push({ kind: 'update', phase: 'replicas', pod: withIdentity(set, slot.pod) });
  }

  // 3. Condemned, highest ordinal first.
  for (const slot of condemned) {
    if (isTerminating(slot.pod)) {
      if (monotonic) return finish();
      continue;
    }
    if (monotonic && slot !== firstUnhealthy && (!isRunningAndReady(slot.pod) || !isPodAvailable(slot.pod, minReady, now))) return finish();
    actions.push({ kind: 'delete', phase: 'condemned', pod: slot.pod });
    if (monotonic) return finish();
  }

  // 4. Rolling update, highest ordinal first down to the partition.
  const strategy = set.spec?.updateStrategy;
  if (strategy?.type === 'OnDelete') return finish();
  const partition = strategy?.rollingUpdate?.partition ?? 0;
  for (let target = slots.length - 1; target >= partition; target--) {
    const slot = slots[target]!;
    if (podRevision(slot.pod) !== input.update.name && !isTerminating(slot.pod)) {
      if (slot.created) {
        actions.push({ kind: 'delete', phase: 'update', pod: slot.pod });
        status.currentReplicas--;
      }
      return finish();
    }
    if (!isHealthy(slot)) return finish();
  }
  return finish();
}

function requeueFor(set: StatefulSet, slots: readonly Slot[], now: Date): number | undefined {
  const minReady = set.spec?.minReadySeconds ?? 0;
  if (minReady <= 0) return undefined;
  let soonest: number | undefined;
  for (const s of slots) {
    if (!s.created) continue;
    const ms = msUntilAvailable(s.pod, minReady, now);
    if (ms !== undefined) soonest = Math.min(soonest ?? ms, ms);
  }
  return soonest;
}

/**
 * completeRollingUpdate: once every pod is updated and ready, the update
 * revision becomes the current one.
 */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): StatefulSetStatus {
  if (set.spec?.updateStrategy?.type === 'RollingUpdate' && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    return { ...status, currentReplicas: status.updatedReplicas, currentRevision: status.updateRevision };
  }
  return status;
}

/** The fields of `status` that differ from what the set shows (inconsistentStatus). */
export function statusChanged(set: StatefulSet, status: StatefulSetStatus): boolean {
  const s = set.status ?? {};
  return (
    (s.observedGeneration ?? 0) !== (status.observedGeneration ?? 0) ||
    (s.replicas ?? 0) !== status.replicas ||
    (s.readyReplicas ?? 0) !== status.readyReplicas ||
    (s.currentReplicas ?? 0) !== status.currentReplicas ||
    (s.updatedReplicas ?? 0) !== status.updatedReplicas ||
    (s.availableReplicas ?? 0) !== status.availableReplicas ||
    (s.currentRevision ?? '') !== status.currentRevision ||
    (s.updateRevision ?? '') !== status.updateRevision ||
    (s.collisionCount ?? 0) !== status.collisionCount
  );
}
