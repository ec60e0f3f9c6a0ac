/**
 * Which pods a ReplicaSet deletes first when it has too many, as upstream's
 * ActivePodsWithRanks (pkg/controller/controller_utils.go) with the
 * PodDeletionCost and LogarithmicScaleDown features on (their defaults):
 *
 *  1. unscheduled before scheduled;
 *  2. Pending before Unknown before Running;
 *  3. not ready before ready;
 *  4. lower controller.kubernetes.io/pod-deletion-cost first;
 *  5. more active related pods on the same node first ("doubled up");
 *  6. both ready: ready more recently first (log2 buckets of age, ties by uid);
 *  7. more container restarts first;
 *  8. created more recently first (log2 buckets of age, ties by uid).
 *
 * Why: deleting the least useful pods (not yet running, not ready, crowded
 * onto one node, youngest) keeps availability and spread. Pure; `now` is
 * injected.
 */
import { isPodActive, isPodReady, podCondition, type Pod } from '../framework/pod-util.js';

export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

interface Ranked {
  pod: Pod;
  node: string;
  phase: number;
  ready: boolean;
  cost: number;
  rank: number;
  readyAt: number;
  restarts: number;
  createdAt: number;
  uid: string;
}

function deletionCost(pod: Pod): number {
  const v = pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (v === undefined) return 0;
  const n = Number(v);
  return Number.isInteger(n) ? n : 0;
}

function maxRestarts(pod: Pod): number {
  const statuses = pod.status?.containerStatuses;
  if (!Array.isArray(statuses)) return 0;
  let max = 0;
  for (const s of statuses as { restartCount?: number }[]) max = Math.max(max, s.restartCount ?? 0);
  return max;
}

function time(s: string | undefined): number {
  if (!s) return 0;
  const t = Date.parse(s);
  return Number.isNaN(t) ? 0 : t;
}

/** upstream's afterOrZero: a zero time sorts first, otherwise the later one. */
function afterOrZero(a: number, b: number): boolean {
  if (a === 0 || b === 0) return a === 0;
  return a > b;
}

function logRank(t: number, now: number): number {
  const d = (now - t) * 1e6; // nanoseconds, as upstream's Duration
  return d > 0 ? Math.floor(Math.log2(d)) : -1;
}

/** Negative when a should be deleted before b, as upstream's Less. */
function compareTimes(a: number, b: number, now: number, uidA: string, uidB: string): number | undefined {
  if (a === b) return undefined;
  if (now === 0 || a === 0 || b === 0) return afterOrZero(a, b) ? -1 : 1;
  const diff = logRank(a, now) - logRank(b, now);
  if (diff === 0) return uidA < uidB ? -1 : uidA > uidB ? 1 : 0;
  return diff < 0 ? -1 : 1;
}

function compare(a: Ranked, b: Ranked, now: number): number {
  if (a.node !== b.node && (a.node === '' || b.node === '')) return a.node === '' ? -1 : 1;
  if (a.phase !== b.phase) return a.phase - b.phase;
  if (a.ready !== b.ready) return a.ready ? 1 : -1;
  if (a.cost !== b.cost) return a.cost - b.cost;
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (a.ready && b.ready) {
    const c = compareTimes(a.readyAt, b.readyAt, now, a.uid, b.uid);
    if (c !== undefined && c !== 0) return c;
  }
  if (a.restarts !== b.restarts) return b.restarts - a.restarts;
  const c = compareTimes(a.createdAt, b.createdAt, now, a.uid, b.uid);
  return c ?? 0;
}

/**
 * `pods` ordered most-deletable first. `related` (usually a superset: the
 * pods of every ReplicaSet of the same Deployment) gives the "doubled up"
 * rank: how many active related pods share the pod's node.
 */
export function rankForDeletion(pods: readonly Pod[], related: readonly Pod[], now: Date): Pod[] {
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const n = p.spec?.nodeName ?? '';
    onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  const ranked: Ranked[] = pods.map((pod) => {
    const node = pod.spec?.nodeName ?? '';
    const ready = isPodReady(pod);
    return {
      pod,
      node,
      phase: PHASE_ORDINAL[pod.status?.phase ?? ''] ?? 0,
      ready,
      cost: deletionCost(pod),
      rank: onNode.get(node) ?? 0,
      readyAt: ready ? time(podCondition(pod, 'Ready')?.lastTransitionTime) : 0,
      restarts: maxRestarts(pod),
      createdAt: time(pod.metadata.creationTimestamp),
      uid: pod.metadata.uid ?? '',
    };
  });
  const t = now.getTime();
  ranked.sort((a, b) => compare(a, b, t));
  return ranked.map((r) => r.pod);
}

/** The `count` pods to delete, as upstream's getPodsToDelete (all of them when count >= pods). */
export function podsToDelete(pods: readonly Pod[], related: readonly Pod[], count: number, now: Date): Pod[] {
  if (count <= 0) return [];
  if (count >= pods.length) return [...pods];
  return rankForDeletion(pods, related, now).slice(0, count);
}
