/**
 * The scheduler's pure core: one scheduling cycle for one pod over a
 * ClusterSnapshot, and a batch loop that applies decisions pod by pod.
 *
 * API (used by the scheduling controller):
 *   schedule(snapshot, pod, { clock, rng, sampling?, percentageOfNodesToScore?,
 *            filters?, scores? }) → Scheduled { node, score } | Unschedulable
 *            { unschedulable, message, nodeReasons }
 *   scheduleBatch(snapshot, pods, opts) → { pod, decision }[]  (assumes each
 *            placement into the snapshot)
 *   fitErrorMessage(total, nodeReasons), NO_NODES_MESSAGE
 *   sampling.ts: SamplingState / newSamplingState / numFeasibleNodesToFind
 *   preemption.ts: preempt(), failedSchedulingMessage()
 *
 * How a cycle works (upstream's framework, minus extension points we do not
 * need yet):
 * 1. The pod's effective requests are computed once (requests.ts).
 * 2. Every filter plug-in is prepared (its pre-filter work), then nodes run
 *    the filters in upstream's order — NodeUnschedulable, NodeName,
 *    TaintToleration, NodeAffinity (incl. nodeSelector), NodePorts,
 *    NodeResourcesFit, PodTopologySpread, InterPodAffinity — stopping at the
 *    first that fails; that filter's reasons are the node's diagnosis.
 *    Nodes are visited from the sampling state's start index, wrapping
 *    around, until numFeasibleNodesToFind feasible nodes are found (all
 *    nodes below 100); the start index then advances by the nodes processed.
 *    Without a `sampling` option each call starts at index 0 (scheduleBatch
 *    creates one state for its batch).
 * 3. No feasible node (then every node was examined): the decision is
 *    unschedulable, with upstream's FitError message — `0/5 nodes are
 *    available: 2 Insufficient cpu, 3 node(s) had untolerated taint
 *    {dedicated: gpu}.` — where each reason is counted once per node
 *    reporting it, and the "<count> <reason>" strings are sorted as plain
 *    strings (as upstream's sort.Strings does). preempt() may then add its
 *    "preemption: …" suffix (failedSchedulingMessage).
 * 4. Otherwise the feasible nodes are scored by every score plug-in
 *    (pre-score, score, normalize to 0..100) and the weighted sum is taken,
 *    with upstream's default weights: TaintToleration 3, NodeAffinity 2,
 *    PodTopologySpread 2 (incl. default spreading by controller),
 *    InterPodAffinity 2, NodeResourcesFit (least allocated) 1,
 *    NodeResourcesBalancedAllocation 1. One of the best nodes is picked
 *    with the injected rng, so ties spread evenly but tests stay
 *    deterministic.
 *
 * Cost: a pod without affinity or spread constraints costs O(nodes
 * examined) — nothing here walks every pod of the cluster (see the
 * snapshot's aggregates). The clock is injected for time-dependent
 * plug-ins; nothing here reads the wall clock or Math.random. Pure apart
 * from mutating the snapshot in scheduleBatch and advancing `sampling`.
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
import { topologySpreadFilter } from './filters/topology-spread.js';
import { podRequests } from './requests.js';
import { newSamplingState, numFeasibleNodesToFind, type SamplingState } from './sampling.js';
import { balancedAllocationScorer } from './scores/balanced-allocation.js';
import { interPodAffinityScorer } from './scores/inter-pod-affinity.js';
import { leastAllocatedScorer } from './scores/least-allocated.js';
import { nodeAffinityScorer } from './scores/node-affinity.js';
import type { ScorePlugin } from './scores/score.js';
import { taintTolerationScorer } from './scores/taint-toleration.js';
import { topologySpreadScorer } from './scores/topology-spread.js';
import type { ClusterSnapshot, NodeInfo } from './snapshot.js';
import { podView } from './types.js';

export const DEFAULT_FILTERS: readonly FilterPlugin[] = [
  nodeUnschedulableFilter,
  nodeNameFilter,
  taintTolerationFilter,
  nodeAffinityFilter,
  nodePortsFilter,
  resourceFitFilter,
  topologySpreadFilter,
  interPodAffinityFilter,
];

export const DEFAULT_SCORES: readonly ScorePlugin[] = [
  taintTolerationScorer,
  nodeAffinityScorer,
  topologySpreadScorer,
  interPodAffinityScorer,
  leastAllocatedScorer,
  balancedAllocationScorer,
];

/** Upstream's ErrNoNodesAvailable text. */
export const NO_NODES_MESSAGE = 'no nodes available to schedule pods';

export interface ScheduleOptions {
  clock: Clock;
  /** Uniform in [0, 1), like Math.random; injected for determinism. */
  rng: () => number;
  filters?: readonly FilterPlugin[];
  scores?: readonly ScorePlugin[];
  /** The rotation kept between cycles (see sampling.ts); a fresh one per call if absent. */
  sampling?: SamplingState;
  /** Upstream's percentageOfNodesToScore; 0 or absent = adaptive. */
  percentageOfNodesToScore?: number;
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

/** Runs the filters from the sampling state's start; see the module comment. */
function findFeasibleNodes(
  nodes: readonly NodeInfo[],
  filters: readonly ((node: NodeInfo) => string[])[],
  sampling: SamplingState,
  percentage: number,
): { feasible: NodeInfo[]; rejected: Map<string, string[]> } {
  const total = nodes.length;
  const toFind = numFeasibleNodesToFind(total, percentage);
  const start = ((sampling.nextStartNodeIndex % total) + total) % total;
  const feasible: NodeInfo[] = [];
  const rejected = new Map<string, string[]>();
  let processed = 0;
  for (; processed < total && feasible.length < toFind; processed++) {
    const node = nodes[(start + processed) % total] as NodeInfo;
    let ok = true;
    for (const f of filters) {
      const reasons = f(node);
      if (reasons.length > 0) {
        rejected.set(node.name, reasons);
        ok = false;
        break;
      }
    }
    if (ok) feasible.push(node);
  }
  sampling.nextStartNodeIndex = (start + processed) % total;
  return { feasible, rejected };
}

/** Weighted sum of the normalized plug-in scores, per feasible node. */
function scoreNodes(ctx: CycleContext, feasible: readonly NodeInfo[], plugins: readonly ScorePlugin[]): number[] {
  const n = feasible.length;
  const totals = new Array<number>(n).fill(0);
  const scores = new Array<number>(n).fill(0);
  for (const plugin of plugins) {
    const scorer = plugin.prepare(ctx, feasible);
    if (!scorer) continue;
    for (let i = 0; i < n; i++) scores[i] = scorer(feasible[i] as NodeInfo);
    plugin.normalize?.(scores);
    for (let i = 0; i < n; i++) totals[i] = (totals[i] as number) + plugin.weight * (scores[i] as number);
  }
  return totals;
}

/** One scheduling cycle; does not change the snapshot (only advances opts.sampling). */
export function schedule(snapshot: ClusterSnapshot, obj: KubeObject, opts: ScheduleOptions): Decision {
  const pod = podView(obj);
  const nodes = snapshot.nodes();
  if (nodes.length === 0) return { unschedulable: true, message: NO_NODES_MESSAGE, nodeReasons: {} };
  const ctx: CycleContext = { pod, snapshot, requests: podRequests(pod) };
  const filters = (opts.filters ?? DEFAULT_FILTERS).map((f) => f.prepare(ctx));
  const { feasible, rejected } = findFeasibleNodes(nodes, filters, opts.sampling ?? newSamplingState(), opts.percentageOfNodesToScore ?? 0);
  if (feasible.length === 0) {
    const nodeReasons = Object.fromEntries(rejected);
    return { unschedulable: true, message: fitErrorMessage(nodes.length, nodeReasons), nodeReasons };
  }

  const totals = scoreNodes(ctx, feasible, opts.scores ?? DEFAULT_SCORES);
  let best = -Infinity;
  let bestNodes: string[] = [];
  feasible.forEach((node, i) => {
    const total = totals[i] ?? 0;
    if (total > best) {
      best = total;
      bestNodes = [node.name];
    } else if (total === best) {
      bestNodes.push(node.name);
    }
  });
  const i = Math.min(bestNodes.length - 1, Math.max(0, Math.floor(opts.rng() * bestNodes.length)));
  return { node: bestNodes[i] as string, score: best };
}

export interface BatchResult {
  pod: KubeObject;
  decision: Decision;
}

/** Schedules pods in order, assuming each placement into the snapshot. */
export function scheduleBatch(snapshot: ClusterSnapshot, pods: readonly KubeObject[], opts: ScheduleOptions): BatchResult[] {
  const batchOpts: ScheduleOptions = { ...opts, sampling: opts.sampling ?? newSamplingState() };
  return pods.map((pod) => {
    const decision = schedule(snapshot, pod, batchOpts);
    if (isScheduled(decision)) snapshot.assume(pod, decision.node);
    return { pod, decision };
  });
}
