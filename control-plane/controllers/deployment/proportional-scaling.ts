/**
 * Scaling a Deployment that is not rolling out (upstream's sync.go scale()
 * and isScalingEvent), pure:
 * - a scaling event is a change of spec.replicas that the ReplicaSets'
 *   desired-replicas annotation has not yet seen; it is handled by
 *   resizing, not by a rollout step (so `kubectl scale` during a paused or
 *   half-done rollout works);
 * - with one active ReplicaSet (or none: the newest), it takes all
 *   replicas; with a saturated new ReplicaSet the old ones go to zero;
 * - otherwise (mid-rollout) the change is spread proportionally to each
 *   ReplicaSet's share of the max-replicas annotation (the size the
 *   Deployment had when they were last scaled), larger ReplicaSets first,
 *   leftovers to the largest, so the rollout's ratio is kept.
 */
import { specReplicas, type ReplicaSet } from '../replicaset/types.js';
import { byCreation, filterActive, isRollingUpdate, isSaturated, maxSurge, replicaCount } from './deployment-util.js';
import { deploymentReplicas, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, type Deployment } from './types.js';

export interface SizedAction {
  rs: ReplicaSet;
  to: number;
  /** The word in the ScalingReplicaSet event ("up" or "down"). */
  op: 'up' | 'down';
}

function annotationInt(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

/** isScalingEvent: an active ReplicaSet's desired-replicas annotation differs from spec.replicas. */
export function isScalingEvent(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): boolean {
  for (const rs of filterActive([...oldRSs, newRS])) {
    const desired = annotationInt(rs, DESIRED_REPLICAS_ANNOTATION);
    if (desired === undefined) continue;
    if (desired !== deploymentReplicas(d)) return true;
  }
  return false;
}

/** FindActiveOrLatest: the only active ReplicaSet, the newest if none is active, undefined if several are. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const olds = [...oldRSs].sort(byCreation).reverse();
  const active = filterActive([...olds, newRS]);
  if (active.length === 0) return newRS ?? olds[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** getReplicaSetFraction: how many replicas rs gains (or loses) when the Deployment resizes. */
function fraction(rs: ReplicaSet, d: Deployment): number {
  if (deploymentReplicas(d) === 0) return -specReplicas(rs);
  const deploymentMax = deploymentReplicas(d) + maxSurge(d);
  const annotated = annotationInt(rs, MAX_REPLICAS_ANNOTATION) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  return Math.round((specReplicas(rs) * deploymentMax) / annotated) - specReplicas(rs);
}

/** GetReplicaSetProportion. */
export function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const f = fraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(f, allowed) : Math.max(f, allowed);
}

/** ReplicaSetsBySizeNewer / BySizeOlder: larger first; ties newer (scaling up) or older (down) first. */
function bySize(newerFirst: boolean): (a: ReplicaSet, b: ReplicaSet) => number {
  return (a, b) => {
    const d = specReplicas(b) - specReplicas(a);
    if (d !== 0) return d;
    return newerFirst ? byCreation(b, a) : byCreation(a, b);
  };
}

/**
 * scale(): the ReplicaSet sizes after a scaling event. Actions whose size
 * is unchanged are still returned when the replicas annotations need
 * refreshing, so the event is not seen again.
 */
export function scalePlan(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): SizedAction[] {
  const want = deploymentReplicas(d);
  const one = findActiveOrLatest(newRS, oldRSs);
  if (one) {
    if (specReplicas(one) === want) return [];
    return [{ rs: one, to: want, op: specReplicas(one) < want ? 'up' : 'down' }];
  }
  if (isSaturated(d, newRS)) return filterActive(oldRSs).map((rs) => ({ rs, to: 0, op: 'down' as const }));
  if (!isRollingUpdate(d)) return [];
  const all = filterActive([...oldRSs, newRS]);
  const total = replicaCount(all);
  const allowed = want > 0 ? want + maxSurge(d) : 0;
  const toAdd = allowed - total;
  let op: 'up' | 'down' = 'up';
  if (toAdd > 0) all.sort(bySize(true));
  else if (toAdd < 0) {
    all.sort(bySize(false));
    op = 'down';
  }
  let added = 0;
  const sizes = all.map((rs) => {
    if (toAdd === 0) return specReplicas(rs);
    const p = proportion(rs, d, toAdd, added);
    added += p;
    return specReplicas(rs) + p;
  });
  if (toAdd !== 0 && sizes.length > 0) sizes[0] = Math.max(0, sizes[0]! + toAdd - added);
  return all.map((rs, i) => ({ rs, to: sizes[i]!, op }));
}
