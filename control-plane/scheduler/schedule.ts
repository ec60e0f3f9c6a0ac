/**
 * The scheduler's pure core: one scheduling cycle for one pod over a
 * ClusterSnapshot, and a batch loop that applies decisions pod by pod.
 *
 * How a cycle works (upstream's framework, minus extension points we do not
 * need yet):
 * 1. The pod's effective requests are computed once (requests.ts).
 * 2. Every filter plug-in is prepared (its pre-filter work), then each node
 *    runs the filters in upstream's order — NodeUnschedulable, NodeName,
 *    TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit,
 *    InterPodAffinity — stopping at the first that fails. That filter's
 *    reasons are the node's diagnosis.
 * 3. No feasible node: the decision is unschedulable, with upstream's
 *    FitError message — `0/5 nodes are available: 2 Insufficient cpu, 3
 *    node(s) had untolerated taint {dedicated: gpu}.` — where each reason is
 *    counted once per node reporting it, and the "<count> <reason>" strings
 *    are sorted as plain strings (as upstream's sort.Strings does).
 * 4. Otherwise feasible nodes are scored (least-allocated and balanced
 *    allocation, weight 1 each) and one of the best is picked with the
 *    injected rng, so ties spread evenly but tests stay deterministic.
 *
 * scheduleBatch runs cycles in order and assumes each placement into the
 * snapshot, so later pods see earlier ones. The clock is injected for
 * time-dependent plug-ins; nothing here reads the wall clock or Math.random.
 * Pure apart from mutating the snapshot in scheduleBatch.
 */
import type { Clock, KubeObject } from '../api/meta.js';
import type { CycleContext, FilterPlugin } from './filters/filter.js';
import { interPodAffinityFilter } from './filters/inter-pod-affinity.js';
import { nodeAffinityFilter } from './filters/node-affinity.js';
import { nodeNameFilter } from './filters/node-name.js';
import { nodePortsFilter } from './filters/node-ports.js';
import { nodeUnschedulableFilter } from './filters/node-unschedulable.js';
import { resourceFitFilter } from './filters/resource-fit.js';
import { taintTolerationFilter } from './filters/taint-toleration.js';
import { podRequests } from './requests.js';
import { balancedAllocationScorer } from './scores/balanced-allocation.js';
import { leastAllocatedScorer } from './scores/least-allocated.js';
import type { ScorePlugin } from './scores/score.js';
import type { ClusterSnapshot } from './snapshot.js';
import { podView } from './types.js';

export const DEFAULT_FILTERS: readonly FilterPlugin[] = [
  nodeUnschedulableFilter,
  nodeNameFilter,
  taintTolerationFilter,
  nodeAffinityFilter,
  nodePortsFilter,
  resourceFitFilter,
  interPodAffinityFilter,
];

export const DEFAULT_SCORES: readonly ScorePlugin[] = [leastAllocatedScorer, balancedAllocationScorer];

/** Upstream's ErrNoNodesAvailable text. */
export const NO_NODES_MESSAGE = 'no nodes available to schedule pods';

export interface ScheduleOptions {
  clock: Clock;
  /** Uniform in [0, 1), like Math.random; injected for determinism. */
  rng: () => number;
  filters?: readonly FilterPlugin[];
  scores?: readonly ScorePlugin[];
}

export interface Scheduled {
  node: string;
  score: number;
}

export interface Unschedulable {
  unschedulable: true;
  message: string;
  /** Per node, the reasons of the filter that rejected it (for preemption). */
  nodeReasons: Record<string, string[]>;
}

export type Decision = Scheduled | Unschedulable;

export function isScheduled(d: Decision): d is Scheduled {
  return !('unschedulable' in d);
}

/** Upstream's FitError.Error() for a diagnosis over `total` nodes. */
export function fitErrorMessage(total: number, nodeReasons: Record<string, readonly string[]>): string {
  if (total === 0) return NO_NODES_MESSAGE;
  const counts = new Map<string, number>();
  for (const reasons of Object.values(nodeReasons)) {
    for (const r of new Set(reasons)) counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let msg = `0/${total} nodes are available:`;
  if (parts.length) msg += ` ${parts.join(', ')}.`;
  return msg;
}

/** One scheduling cycle; does not change the snapshot. */
export function schedule(snapshot: ClusterSnapshot, obj: KubeObject, opts: ScheduleOptions): Decision {
  const pod = podView(obj);
  const ctx: CycleContext = { pod, snapshot, requests: podRequests(pod) };
  const nodes = snapshot.nodes();
  const filters = (opts.filters ?? DEFAULT_FILTERS).map((f) => f.prepare(ctx));
  const nodeReasons: Record<string, string[]> = {};
  const feasible = nodes.filter((node) => {
    for (const f of filters) {
      const reasons = f(node);
      if (reasons.length > 0) {
        nodeReasons[node.name] = reasons;
        return false;
      }
    }
    return true;
  });
  if (feasible.length === 0) return { unschedulable: true, message: fitErrorMessage(nodes.length, nodeReasons), nodeReasons };

  const scorers = (opts.scores ?? DEFAULT_SCORES).map((s) => ({ weight: s.weight, score: s.prepare(ctx) }));
  let best = -Infinity;
  let bestNodes: string[] = [];
  for (const node of feasible) {
    let total = 0;
    for (const s of scorers) total += s.weight * s.score(node);
    if (total > best) {
      best = total;
      bestNodes = [node.name];
    } else if (total === best) {
      bestNodes.push(node.name);
    }
  }
  const i = Math.min(bestNodes.length - 1, Math.max(0, Math.floor(opts.rng() * bestNodes.length)));
  return { node: bestNodes[i] as string, score: best };
}

export interface BatchResult {
  pod: KubeObject;
  decision: Decision;
}

/** Schedules pods in order, assuming each placement into the snapshot. */
export function scheduleBatch(snapshot: ClusterSnapshot, pods: readonly KubeObject[], opts: ScheduleOptions): BatchResult[] {
  return pods.map((pod) => {
    const decision = schedule(snapshot, pod, opts);
    if (isScheduled(decision)) snapshot.assume(pod, decision.node);
    return { pod, decision };
  });
}
