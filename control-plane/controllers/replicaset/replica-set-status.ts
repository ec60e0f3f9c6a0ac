/**
 * A ReplicaSet's status from the pods it controls, as upstream's
 * calculateStatus (pkg/controller/replicaset/replica_set_utils.go):
 * replicas, fullyLabeledReplicas (pods carrying every template label),
 * readyReplicas, availableReplicas (ready for minReadySeconds), and the
 * ReplicaFailure condition (FailedCreate / FailedDelete with the error's
 * message) while managing replicas fails; observedGeneration is set when
 * the status is written.
 *
 * Also: whether the status differs from the stored one (writes are skipped
 * when nothing changed, which matters at 10,000 pods), and when the next
 * pod becomes available (so the sync can requeue itself then).
 * Pure; `now` is injected.
 */
import { formatTime } from '../../api/meta.js';
import { isPodAvailable, isPodReady, msUntilAvailable, type Pod } from '../framework/pod-util.js';
import { specReplicas, type ReplicaSet, type ReplicaSetCondition, type ReplicaSetStatus } from './types.js';

export const REPLICA_FAILURE = 'ReplicaFailure';

export interface ManageError {
  /** 'create' when the failure happened scaling up, 'delete' scaling down. */
  during: 'create' | 'delete';
  message: string;
}

function hasAllLabels(pod: Pod, templateLabels: Record<string, string>): boolean {
  const l = pod.metadata.labels ?? {};
  for (const [k, v] of Object.entries(templateLabels)) if (l[k] !== v) return false;
  return true;
}

export function calculateStatus(rs: ReplicaSet, activePods: readonly Pod[], manageError: ManageError | undefined, now: Date): ReplicaSetStatus {
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of activePods) {
    if (hasAllLabels(p, templateLabels)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  const old = rs.status ?? {};
  let conditions: ReplicaSetCondition[] = [...(old.conditions ?? [])];
  const failure = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (manageError && !failure) {
    conditions.push({
      type: REPLICA_FAILURE,
      status: 'True',
      lastTransitionTime: formatTime(now),
      reason: manageError.during === 'create' ? 'FailedCreate' : 'FailedDelete',
      message: manageError.message,
    });
  } else if (!manageError && failure) {
    conditions = conditions.filter((c) => c.type !== REPLICA_FAILURE);
  }
  const status: ReplicaSetStatus = {
    replicas: activePods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: old.observedGeneration,
  };
  if (conditions.length > 0) status.conditions = conditions;
  return status;
}

/** upstream's updateReplicaSetStatus short-circuit: same counts, same conditions, generation observed. */
export function statusUpToDate(rs: ReplicaSet, next: ReplicaSetStatus): boolean {
  const cur = rs.status ?? {};
  return (
    (cur.replicas ?? 0) === (next.replicas ?? 0) &&
    (cur.fullyLabeledReplicas ?? 0) === (next.fullyLabeledReplicas ?? 0) &&
    (cur.readyReplicas ?? 0) === (next.readyReplicas ?? 0) &&
    (cur.availableReplicas ?? 0) === (next.availableReplicas ?? 0) &&
    (cur.observedGeneration ?? 0) === (rs.metadata.generation ?? 0) &&
    JSON.stringify(cur.conditions ?? []) === JSON.stringify(next.conditions ?? [])
  );
}

/**
 * Milliseconds until the next ready-but-not-yet-available pod becomes
 * available, or undefined. upstream requeues after minReadySeconds when all
 * replicas are ready but not all available; asking the pods is more precise.
 */
export function nextAvailableInMs(rs: ReplicaSet, activePods: readonly Pod[], now: Date): number | undefined {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  if (minReady <= 0) return undefined;
  let next: number | undefined;
  for (const p of activePods) {
    const ms = msUntilAvailable(p, minReady, now);
    if (ms !== undefined && (next === undefined || ms < next)) next = ms;
  }
  return next;
}

/** True when the spec asks for exactly what the status reports, all available. */
export function fullyAvailable(rs: ReplicaSet): boolean {
  const s = rs.status ?? {};
  return (s.availableReplicas ?? 0) === specReplicas(rs) && (s.replicas ?? 0) === specReplicas(rs);
}
