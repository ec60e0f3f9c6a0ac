/**
 * The pure decisions of one ReplicaSet sync (upstream's manageReplicas and
 * claimPods, pkg/controller/replicaset/replica_set.go):
 * - which pods the ReplicaSet claims (keeps, adopts, releases) by selector
 *   and controller ownerReference;
 * - how many pods to create or which to delete, bounded per sync by
 *   BURST_REPLICAS (upstream's burstReplicas, 500) so a huge scale-up is
 *   spread over several syncs, each waiting on its expectations;
 * - the slow-start batch sizes (1, 2, 4, …) creations go out in, so a
 *   failing create (quota, admission) costs one call, not hundreds;
 * - the pod a creation sends (from the template, generateName `<rs>-`).
 */
import { labelSelectorRequirements, matchesLabels, type LabelRequirement, type LabelSelector } from '../../api/selectors/label-selector.js';
import { claimAction, newControllerRef, type ClaimAction } from '../framework/controller-ref.js';
import { isPodActive, type Pod } from '../framework/pod-util.js';
import { podsToDelete } from './pod-ranking.js';
import { REPLICASET_API_VERSION, REPLICASET_KIND, specReplicas, type ReplicaSet } from './types.js';

export const BURST_REPLICAS = 500;
export const SLOW_START_INITIAL_BATCH = 1;

/**
 * A compiled selector. A missing or invalid selector matches nothing
 * (upstream: a nil selector selects no pods); an empty one matches all.
 */
export function compileSelector(sel: LabelSelector | undefined): (labels: Record<string, string> | undefined) => boolean {
  if (!sel) return () => false;
  let reqs: LabelRequirement[];
  try {
    reqs = labelSelectorRequirements(sel);
  } catch {
    return () => false;
  }
  return (labels) => matchesLabels(reqs, labels);
}

export interface Claims {
  /** Pods the ReplicaSet controls after the claim (kept plus adopted). */
  owned: Pod[];
  adopt: Pod[];
  release: Pod[];
}

/** Sorts candidate pods (owned by rs, or orphans) by upstream's ClaimPods rules. */
export function claimPods(rs: ReplicaSet, candidates: readonly Pod[], matches: (labels: Record<string, string> | undefined) => boolean): Claims {
  const out: Claims = { owned: [], adopt: [], release: [] };
  for (const pod of candidates) {
    const action: ClaimAction = claimAction(rs, pod, matches(pod.metadata.labels));
    if (action === 'keep') out.owned.push(pod);
    else if (action === 'adopt') out.adopt.push(pod);
    else if (action === 'release') out.release.push(pod);
  }
  return out;
}

export type ReplicaPlan = { kind: 'none' } | { kind: 'create'; count: number } | { kind: 'delete'; pods: Pod[] };

/**
 * What manageReplicas does given the active pods the ReplicaSet controls:
 * create the missing ones or delete the surplus (most deletable first),
 * at most `burst` at a time.
 */
export function planReplicas(rs: ReplicaSet, activePods: readonly Pod[], related: readonly Pod[], now: Date, burst = BURST_REPLICAS): ReplicaPlan {
  const diff = activePods.length - specReplicas(rs);
  if (diff < 0) return { kind: 'create', count: Math.min(-diff, burst) };
  if (diff > 0) return { kind: 'delete', pods: podsToDelete(activePods, related, Math.min(diff, burst), now) };
  return { kind: 'none' };
}

/** upstream's FilterActivePods. */
export function activePods(pods: readonly Pod[]): Pod[] {
  return pods.filter(isPodActive);
}

/** Batch sizes of upstream's slowStartBatch: initial, doubling, until count is covered. */
export function slowStartBatches(count: number, initial = SLOW_START_INITIAL_BATCH): number[] {
  const out: number[] = [];
  let remaining = count;
  let size = Math.min(remaining, initial);
  while (size > 0) {
    out.push(size);
    remaining -= size;
    size = Math.min(2 * size, remaining);
  }
  return out;
}

/** The pod prefix: `<rs>-`, or the bare name if that is not a valid name prefix (upstream's getPodsPrefix). */
export function podNamePrefix(rsName: string): string {
  const prefix = `${rsName}-`;
  return prefix.length <= 253 ? prefix : rsName;
}

/** The pod a ReplicaSet creates, as upstream's GetPodFromTemplate. */
export function podFromTemplate(rs: ReplicaSet): Pod {
  const t = rs.spec?.template ?? {};
  const meta = t.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: podNamePrefix(rs.metadata.name ?? ''),
      namespace: rs.metadata.namespace,
      labels: { ...(meta.labels ?? {}) },
      ownerReferences: [newControllerRef(rs, REPLICASET_API_VERSION, REPLICASET_KIND)],
    },
    spec: structuredClone(t.spec ?? {}),
  };
  if (meta.annotations && Object.keys(meta.annotations).length > 0) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers && meta.finalizers.length > 0) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}
