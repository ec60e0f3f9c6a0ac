/**
 * When a pod on a NoExecute-tainted node must go, as upstream's
 * taint-eviction-controller (pkg/controller/tainteviction). Pure: times
 * come in as arguments.
 *
 * - A pod that does not tolerate every NoExecute taint of its node is
 *   deleted at once.
 * - A pod that tolerates them all is deleted after the shortest
 *   tolerationSeconds among the tolerations used (the first toleration
 *   matching each taint; a value <= 0 means at once); when none of them
 *   sets tolerationSeconds it stays for ever.
 * - The timer starts when the controller first sees the pod on the tainted
 *   node (upstream's scheduled eviction CreatedAt). A later change keeps an
 *   earlier timer (upstream: an existing eviction whose start is before now
 *   is left alone), so tolerating a little longer never postpones it.
 * - No NoExecute taints, or tolerating for ever, cancels a pending eviction
 *   (upstream records "Cancelling deletion of Pod <ns>/<name>").
 */
import { toleratesTaint } from '../../scheduler/filters/taint-toleration.js';
import type { Toleration } from '../../scheduler/types.js';
import type { Taint } from './node-health.js';

export interface ScheduledEviction {
  createdAtMs: number;
  fireAtMs: number;
}

export type EvictionDecision =
  | { kind: 'cancel' }
  | { kind: 'keep' }
  | { kind: 'schedule'; eviction: ScheduledEviction };

export function noExecuteTaints(taints: readonly Taint[] | undefined): Taint[] {
  return (taints ?? []).filter((t) => t.effect === 'NoExecute');
}

/** Upstream's GetMatchingTolerations: whether all taints are tolerated, and by which tolerations. */
export function matchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[]): { all: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((x) => toleratesTaint(x, taint));
    if (!t) return { all: false, used: [] };
    used.push(t);
  }
  return { all: true, used };
}

/** Upstream's getMinTolerationTime in ms: -1 for ever, 0 at once. */
export function minTolerationMs(used: readonly Toleration[]): number {
  if (used.length === 0) return 0;
  let min = Infinity;
  for (const t of used) {
    if (typeof t.tolerationSeconds !== 'number') continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Infinity ? -1 : min * 1000;
}

/** processPodOnNode: what to do about a pod given its node's taints and any pending eviction. */
export function evictionDecision(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  pending: ScheduledEviction | undefined,
  nowMs: number,
): EvictionDecision {
  const noExecute = noExecuteTaints(taints);
  if (noExecute.length === 0) return { kind: 'cancel' };
  const { all, used } = matchingTolerations(noExecute, tolerations);
  if (!all) return { kind: 'schedule', eviction: { createdAtMs: nowMs, fireAtMs: nowMs } };
  const min = minTolerationMs(used);
  if (min < 0) return { kind: 'cancel' };
  if (pending && pending.createdAtMs < nowMs) return { kind: 'keep' };
  return { kind: 'schedule', eviction: { createdAtMs: nowMs, fireAtMs: nowMs + min } };
}
