/**
 * A Deployment's status and conditions, pure (upstream's sync.go
 * calculateStatus, progress.go syncRolloutStatus/requeueStuckDeployment,
 * checkPausedConditions, and cleanupDeployment's choice of ReplicaSets):
 * - counts summed over its ReplicaSets' status (updatedReplicas: the new
 *   ReplicaSet's);
 * - Available: MinimumReplicasAvailable when available >= replicas -
 *   maxUnavailable, else MinimumReplicasUnavailable;
 * - Progressing (with progressDeadlineSeconds): NewReplicaSetAvailable once
 *   complete, ReplicaSetUpdated whenever progress is seen (refreshing
 *   lastUpdateTime), ProgressDeadlineExceeded when none was seen for the
 *   deadline; DeploymentPaused/DeploymentResumed (Unknown) around pauses;
 * - the ReplicaSets' ReplicaFailure promoted to the Deployment.
 */
import { specReplicas, type ReplicaSet } from '../replicaset/types.js';
import {
  actualReplicaCount,
  availableReplicaCount,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  getCondition,
  hasProgressDeadline,
  maxUnavailable,
  newCondition,
  readyReplicaCount,
  removeCondition,
  replicaCount,
  revisionOf,
  semanticEqual,
  setCondition,
} from './deployment-util.js';
import { AVAILABLE, deploymentReplicas, PROGRESSING, Reasons, REPLICA_FAILURE, type Deployment, type DeploymentStatus } from './types.js';

export function calculateStatus(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, now: Date): DeploymentStatus {
  const available = availableReplicaCount(allRSs);
  const total = replicaCount(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  status.conditions = (d.status?.conditions ?? []).map((c) => ({ ...c }));
  if (available >= deploymentReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition(AVAILABLE, 'True', Reasons.MinimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition(AVAILABLE, 'False', Reasons.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** The first ReplicaFailure condition among the ReplicaSets (new one first), as a Deployment condition. */
function replicaFailure(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentStatus['conditions'] {
  const ordered = newRS ? [newRS, ...allRSs.filter((r) => r !== newRS)] : allRSs;
  for (const rs of ordered) {
    const c = rs?.status?.conditions?.find((x) => x.type === REPLICA_FAILURE);
    if (c) return [{ type: REPLICA_FAILURE, status: c.status, lastTransitionTime: c.lastTransitionTime, lastUpdateTime: c.lastTransitionTime, reason: c.reason, message: c.message }];
  }
  return [];
}

/** syncRolloutStatus: the status to write after a rollout step (undefined fields never differ from calculateStatus). */
export function rolloutStatus(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, now: Date): DeploymentStatus {
  const s = calculateStatus(allRSs, newRS, d, now);
  if (!hasProgressDeadline(d)) removeCondition(s, PROGRESSING);
  const current = getCondition(d.status, PROGRESSING);
  const isComplete = s.replicas === s.updatedReplicas && current?.reason === Reasons.NewRSAvailable;
  if (hasProgressDeadline(d) && !isComplete) {
    const who = newRS ? `ReplicaSet "${newRS.metadata.name ?? ''}"` : `Deployment "${d.metadata.name ?? ''}"`;
    if (deploymentComplete(d, s)) {
      setCondition(s, newCondition(PROGRESSING, 'True', Reasons.NewRSAvailable, `${who} has successfully progressed.`, now));
    } else if (deploymentProgressing(d, s)) {
      const c = newCondition(PROGRESSING, 'True', Reasons.ReplicaSetUpdated, `${who} is progressing.`, now);
      if (current) {
        if (current.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
        removeCondition(s, PROGRESSING);
      }
      setCondition(s, c);
    } else if (deploymentTimedOut(d, s, now)) {
      setCondition(s, newCondition(PROGRESSING, 'False', Reasons.TimedOut, `${who} has timed out progressing.`, now));
    }
  }
  const failures = replicaFailure(allRSs, newRS) ?? [];
  if (failures.length > 0) setCondition(s, failures[0]!);
  else removeCondition(s, REPLICA_FAILURE);
  return s;
}

/** requeueStuckDeployment: ms until the deadline must be checked again, or undefined. */
export function stuckRequeueMs(d: Deployment, next: DeploymentStatus, now: Date): number | undefined {
  const c = getCondition(d.status, PROGRESSING);
  if (!hasProgressDeadline(d) || !c) return undefined;
  if (deploymentComplete(d, next) || c.reason === Reasons.TimedOut) return undefined;
  const from = Date.parse(c.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return undefined;
  const after = from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 - now.getTime();
  return after < 1000 ? 1000 : after + 1000;
}

/** checkPausedConditions: the status with a DeploymentPaused/DeploymentResumed condition, or undefined if unchanged. */
export function pausedConditionStatus(d: Deployment, now: Date): DeploymentStatus | undefined {
  if (!hasProgressDeadline(d)) return undefined;
  const c = getCondition(d.status, PROGRESSING);
  if (c?.reason === Reasons.TimedOut) return undefined;
  const pausedCond = c?.reason === Reasons.Paused;
  const s: DeploymentStatus = { ...(d.status ?? {}), conditions: [...(d.status?.conditions ?? [])] };
  if (d.spec?.paused && !pausedCond) setCondition(s, newCondition(PROGRESSING, 'Unknown', Reasons.Paused, 'Deployment is paused', now));
  else if (!d.spec?.paused && pausedCond) setCondition(s, newCondition(PROGRESSING, 'Unknown', Reasons.Resumed, 'Deployment is resumed', now));
  else return undefined;
  return s;
}

export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  return semanticEqual(a ?? {}, b ?? {});
}

/**
 * cleanupDeployment: the old ReplicaSets beyond revisionHistoryLimit to
 * delete, lowest revision first, never one that still has replicas or
 * whose controller has not caught up with it.
 */
export function replicaSetsToCleanUp(d: Deployment, oldRSs: readonly ReplicaSet[]): ReplicaSet[] {
  const limit = d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === null) return [];
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = alive.length - limit;
  if (diff <= 0) return [];
  const sorted = [...alive].sort((a, b) => {
    const ra = revisionOf(a) || 0;
    const rb = revisionOf(b) || 0;
    if (ra !== rb) return ra - rb;
    return (a.metadata.creationTimestamp ?? '') < (b.metadata.creationTimestamp ?? '') ? -1 : 1;
  });
  return sorted
    .slice(0, diff)
    .filter((rs) => (rs.status?.replicas ?? 0) === 0 && specReplicas(rs) === 0 && (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0));
}
