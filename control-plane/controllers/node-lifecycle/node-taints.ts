/**
 * Which taints the node lifecycle controller puts on a node, as upstream
 * (pkg/controller/nodelifecycle). Pure.
 *
 * - TaintNodesByCondition (NoSchedule, applied at once on every node
 *   change): Ready False → node.kubernetes.io/not-ready, Ready Unknown →
 *   node.kubernetes.io/unreachable, MemoryPressure/DiskPressure/PIDPressure/
 *   NetworkUnavailable True → memory-pressure/disk-pressure/pid-pressure/
 *   network-unavailable, spec.unschedulable → node.kubernetes.io/unschedulable.
 *   Only those keys are managed; other NoSchedule taints are left alone.
 * - Taint-based eviction (NoExecute, decided on each monitor pass from the
 *   Ready condition observed at the start of the pass): False → not-ready,
 *   Unknown → unreachable, mutually exclusive; an existing one of the pair
 *   is swapped at once, a new one waits for its zone's rate limiter
 *   (zone-tainter.ts); Ready True removes both.
 * Taints compare by key and effect (upstream's MatchTaint); an added taint
 * gets timeAdded = now, an existing one keeps its time.
 */
import type { LifecycleNode, Taint } from './node-health.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

export const NOT_READY_NO_EXECUTE: Taint = { key: TAINT_NOT_READY, effect: 'NoExecute' };
export const UNREACHABLE_NO_EXECUTE: Taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute' };

/** Upstream's nodeConditionToTaintKeyStatusMap. */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: 'node.kubernetes.io/memory-pressure' },
  DiskPressure: { True: 'node.kubernetes.io/disk-pressure' },
  NetworkUnavailable: { True: 'node.kubernetes.io/network-unavailable' },
  PIDPressure: { True: 'node.kubernetes.io/pid-pressure' },
};

const CONDITION_TAINT_KEYS = new Set(Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)));

export function matchTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect;
}

export function hasTaint(node: LifecycleNode, t: Taint): boolean {
  return (node.spec?.taints ?? []).some((x) => matchTaint(x, t));
}

export interface TaintChange {
  add: Taint[];
  remove: Taint[];
}

/** The NoSchedule taints the node's conditions call for, against those it has (doNoScheduleTaintingPass). */
export function noScheduleTaintChange(node: LifecycleNode): TaintChange {
  const want: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) want.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable === true) want.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  const have = (node.spec?.taints ?? []).filter(
    (t) => t.effect === 'NoSchedule' && (t.key === TAINT_UNSCHEDULABLE || CONDITION_TAINT_KEYS.has(t.key)),
  );
  return {
    add: want.filter((w) => !have.some((h) => matchTaint(h, w))),
    remove: have.filter((h) => !want.some((w) => matchTaint(h, w))),
  };
}

/**
 * The taint list after a change, or undefined when nothing changes.
 * Added taints carry timeAdded = nowIso; existing matches keep theirs.
 */
export function applyTaintChange(taints: readonly Taint[] | undefined, change: TaintChange, nowIso: string): Taint[] | undefined {
  const current = taints ?? [];
  let next = current.filter((t) => !change.remove.some((r) => matchTaint(t, r)));
  let changed = next.length !== current.length;
  for (const a of change.add) {
    if (next.some((t) => matchTaint(t, a))) continue;
    next = [...next, { ...a, timeAdded: nowIso }];
    changed = true;
  }
  return changed ? next : undefined;
}

export type NoExecuteDecision =
  /** Ready True: remove both NoExecute taints (and leave the zone queue). */
  | { kind: 'reachable' }
  /** Already tainted with the opposite one: swap at once, no rate limit. */
  | { kind: 'swap'; change: TaintChange }
  /** Needs a taint: wait in the zone's rate-limited queue. */
  | { kind: 'queue' };

/** processTaintBaseEviction: what the observed Ready status asks of the node's NoExecute taints. */
export function noExecuteDecision(node: LifecycleNode, observedReady: string): NoExecuteDecision {
  if (observedReady === 'True') return { kind: 'reachable' };
  if (observedReady === 'False' && hasTaint(node, UNREACHABLE_NO_EXECUTE)) {
    return { kind: 'swap', change: { add: [NOT_READY_NO_EXECUTE], remove: [UNREACHABLE_NO_EXECUTE] } };
  }
  if (observedReady !== 'False' && hasTaint(node, NOT_READY_NO_EXECUTE)) {
    return { kind: 'swap', change: { add: [UNREACHABLE_NO_EXECUTE], remove: [NOT_READY_NO_EXECUTE] } };
  }
  return { kind: 'queue' };
}

/** The change the zone tainter applies once the limiter lets the node through (doNoExecuteTaintingPass). */
export function noExecuteTaintFor(currentReady: string | undefined): TaintChange | undefined {
  if (currentReady === 'False') return { add: [NOT_READY_NO_EXECUTE], remove: [UNREACHABLE_NO_EXECUTE] };
  if (currentReady === 'Unknown') return { add: [UNREACHABLE_NO_EXECUTE], remove: [NOT_READY_NO_EXECUTE] };
  return undefined;
}

export const REACHABLE_CHANGE: TaintChange = { add: [], remove: [NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE] };
