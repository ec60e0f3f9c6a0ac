/**
 * The RollingUpdate decisions of upstream's rolling.go, pure:
 * - reconcileNewReplicaSet: grow the new ReplicaSet while the total stays
 *   within replicas + maxSurge (or shrink it to replicas);
 * - reconcileOldReplicaSets: shrink old ReplicaSets only while the
 *   available pods stay at or above replicas - maxUnavailable, first
 *   removing their unhealthy (unavailable) replicas, which costs no
 *   availability (cleanupUnhealthyReplicas), then the rest oldest first
 *   (scaleDownOldReplicaSetsForRollingUpdate).
 * One step does either the scale-up or the scale-downs, as upstream:
 * after a write the controller waits for the ReplicaSets' status.
 *
 * Inputs are the ReplicaSets as cached (spec.replicas and
 * status.availableReplicas); outputs are target sizes the controller
 * writes. Nothing here mutates its inputs.
 */
import { specReplicas, type ReplicaSet } from '../replicaset/types.js';
import { availableReplicaCount, byCreation, maxUnavailable, newRSNewReplicas, replicaCount } from './deployment-util.js';
import { deploymentReplicas, type Deployment } from './types.js';

export interface ScaleAction {
  rs: ReplicaSet;
  to: number;
}

/** The new ReplicaSet's target, or undefined when it needs no change. */
export function reconcileNewReplicaSet(d: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): number | undefined {
  const want = deploymentReplicas(d);
  const cur = specReplicas(newRS);
  if (cur === want) return undefined;
  if (cur > want) return want;
  const next = newRSNewReplicas(d, allRSs, newRS);
  return next === cur ? undefined : next;
}

const withReplicas = (rs: ReplicaSet, n: number): ReplicaSet => ({ ...rs, spec: { ...rs.spec, replicas: n } });

/** cleanupUnhealthyReplicas: scale old ReplicaSets down by their unavailable replicas, at most maxCleanup in all. */
export function cleanupUnhealthyReplicas(oldRSs: readonly ReplicaSet[], maxCleanup: number): { rss: ReplicaSet[]; actions: ScaleAction[]; count: number } {
  const rss = [...oldRSs].sort(byCreation);
  const actions: ScaleAction[] = [];
  let total = 0;
  for (let i = 0; i < rss.length; i++) {
    if (total >= maxCleanup) break;
    const rs = rss[i]!;
    const replicas = specReplicas(rs);
    const available = rs.status?.availableReplicas ?? 0;
    if (replicas === 0 || replicas === available) continue;
    const down = Math.min(maxCleanup - total, replicas - available);
    if (down <= 0) continue;
    const to = replicas - down;
    actions.push({ rs, to });
    rss[i] = withReplicas(rs, to);
    total += down;
  }
  return { rss, actions, count: total };
}

/** scaleDownOldReplicaSetsForRollingUpdate: shrink old ReplicaSets, oldest first, by the availability above the minimum. */
export function scaleDownOldForRollingUpdate(d: Deployment, allRSs: readonly ReplicaSet[], oldRSs: readonly ReplicaSet[]): ScaleAction[] {
  const minAvailable = deploymentReplicas(d) - maxUnavailable(d);
  const available = availableReplicaCount(allRSs);
  if (available <= minAvailable) return [];
  const budget = available - minAvailable;
  const actions: ScaleAction[] = [];
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= budget) break;
    const replicas = specReplicas(rs);
    if (replicas === 0) continue;
    const down = Math.min(replicas, budget - total);
    actions.push({ rs, to: replicas - down });
    total += down;
  }
  return actions;
}

/**
 * reconcileOldReplicaSets: the scale-downs of one step. `oldRSs` are the
 * active old ReplicaSets. The result has at most one action per
 * ReplicaSet (a cleanup followed by a scale-down merges into one write).
 */
export function reconcileOldReplicaSets(d: Deployment, allRSs: readonly ReplicaSet[], oldRSs: readonly ReplicaSet[], newRS: ReplicaSet): ScaleAction[] {
  if (replicaCount(oldRSs) === 0) return [];
  const allPods = replicaCount(allRSs);
  const minAvailable = deploymentReplicas(d) - maxUnavailable(d);
  const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];
  const cleaned = cleanupUnhealthyReplicas(oldRSs, maxScaledDown);
  const downs = scaleDownOldForRollingUpdate(d, [...cleaned.rss, newRS], cleaned.rss);
  const byUid = new Map<string, ScaleAction>();
  const original = new Map(oldRSs.map((rs) => [rs.metadata.uid ?? '', rs]));
  for (const a of [...cleaned.actions, ...downs]) {
    const uid = a.rs.metadata.uid ?? '';
    byUid.set(uid, { rs: original.get(uid) ?? a.rs, to: a.to });
  }
  return [...byUid.values()].filter((a) => a.to !== specReplicas(a.rs));
}

export type RollingStep = { kind: 'scaleUp'; actions: ScaleAction[] } | { kind: 'scaleDown'; actions: ScaleAction[] } | { kind: 'none' };

/** One rolloutRolling step: scale the new ReplicaSet up if possible, else the old ones down. */
export function rollingStep(d: Deployment, newRS: ReplicaSet, oldRSs: readonly ReplicaSet[]): RollingStep {
  const allRSs = [...oldRSs, newRS];
  const to = reconcileNewReplicaSet(d, allRSs, newRS);
  if (to !== undefined) return { kind: 'scaleUp', actions: [{ rs: newRS, to }] };
  const active = oldRSs.filter((rs) => specReplicas(rs) > 0);
  const downs = reconcileOldReplicaSets(d, allRSs, active, newRS);
  return downs.length > 0 ? { kind: 'scaleDown', actions: downs } : { kind: 'none' };
}
