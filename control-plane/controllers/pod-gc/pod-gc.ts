/**
 * Which pods the pod garbage collector deletes, as upstream's PodGC
 * (pkg/controller/podgc/gc_controller.go). Pure: times come in as
 * arguments; the quarantine is state the caller keeps between passes.
 *
 * Each pass (every 20 s, gcCheckPeriod):
 * - terminated: pods whose phase is not Pending, Running or Unknown, beyond
 *   --terminated-pod-gc-threshold (0 disables), are deleted, evicted ones
 *   (Failed, reason Evicted) first, then oldest first, ties by name;
 * - terminating on out-of-service nodes: pods being deleted on a node that
 *   is not Ready and carries the node.kubernetes.io/out-of-service taint;
 * - orphaned: pods bound to a node the informer does not know are first
 *   quarantined for 40 s (the node informer may lag); a node still missing
 *   after that is confirmed gone with a live GET by the caller before its
 *   pods are deleted (condition DisruptionTarget, DeletionByPodGC,
 *   "PodGC: node no longer exists");
 * - unscheduled terminating: pods being deleted that were never bound.
 * Every such pod is first marked Failed (unless already terminated) and
 * then deleted with grace period 0.
 */
import type { Pod } from '../framework/pod-util.js';

export const GC_CHECK_PERIOD_MS = 20_000;
export const QUARANTINE_MS = 40_000;
export const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

export interface GcNode {
  name: string;
  ready: boolean;
  outOfService: boolean;
}

export type GcReason = 'terminated' | 'terminating-out-of-service' | 'orphaned' | 'unscheduled-terminating';

export interface GcInput {
  pods: readonly Pod[];
  nodes: readonly GcNode[];
  terminatedPodThreshold: number;
  /** Node name → when a pod was first seen bound to it while it was missing (ms). Updated in place. */
  quarantine: Map<string, number>;
  nowMs: number;
  quarantineMs?: number;
}

export interface GcPlan {
  /** Pods to mark failed and delete now, with why. */
  delete: { pod: Pod; reason: GcReason }[];
  /** Nodes missing for the whole quarantine: the caller confirms each with a GET; their pods go if it is NotFound. */
  suspectNodes: string[];
}

/** Upstream's isPodTerminated: any phase but Pending, Running and Unknown. */
export function isTerminated(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Pending' && phase !== 'Running' && phase !== 'Unknown';
}

function isEvicted(pod: Pod): boolean {
  return pod.status?.phase === 'Failed' && (pod.status as { reason?: unknown }).reason === 'Evicted';
}

/** byEvictionAndCreationTimestamp. */
export function gcOrder(a: Pod, b: Pod): number {
  const ea = isEvicted(a);
  const eb = isEvicted(b);
  if (ea !== eb) return ea ? -1 : 1;
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  const na = a.metadata.name ?? '';
  const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

export function planGc(input: GcInput): GcPlan {
  const { pods, terminatedPodThreshold, quarantine, nowMs } = input;
  const quarantineMs = input.quarantineMs ?? QUARANTINE_MS;
  const nodes = new Map(input.nodes.map((n) => [n.name, n]));
  const out: GcPlan['delete'] = [];
  const chosen = new Set<Pod>();
  const take = (pod: Pod, reason: GcReason): void => {
    if (chosen.has(pod)) return;
    chosen.add(pod);
    out.push({ pod, reason });
  };

  if (terminatedPodThreshold > 0) {
    const terminated = pods.filter(isTerminated);
    const excess = terminated.length - terminatedPodThreshold;
    if (excess > 0) for (const p of [...terminated].sort(gcOrder).slice(0, excess)) take(p, 'terminated');
  }

  const terminating = pods.filter((p) => {
    if (!p.metadata.deletionTimestamp || !p.spec?.nodeName) return false;
    const n = nodes.get(p.spec.nodeName);
    return n !== undefined && !n.ready && n.outOfService;
  });
  for (const p of [...terminating].sort(gcOrder)) take(p, 'terminating-out-of-service');

  for (const name of [...quarantine.keys()]) if (nodes.has(name)) quarantine.delete(name);
  for (const p of pods) {
    const n = p.spec?.nodeName;
    if (n && !nodes.has(n) && !quarantine.has(n)) quarantine.set(n, nowMs);
  }
  const suspectNodes = [...quarantine].filter(([, since]) => nowMs - since >= quarantineMs).map(([name]) => name);

  for (const p of pods) if (p.metadata.deletionTimestamp && !p.spec?.nodeName) take(p, 'unscheduled-terminating');

  return { delete: out, suspectNodes };
}

/** The orphaned pods of nodes confirmed gone. */
export function orphanedPods(pods: readonly Pod[], goneNodes: ReadonlySet<string>): Pod[] {
  return pods.filter((p) => p.spec?.nodeName !== undefined && goneNodes.has(p.spec.nodeName));
}
