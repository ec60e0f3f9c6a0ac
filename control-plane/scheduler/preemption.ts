/**
 * Preemption, as upstream's DefaultPreemption PostFilter plug-in, pure:
 *
 *   preempt(snapshot, pod, { clock, pdbs?, rng?, filters? })
 *     → { nodeName, victims, numPDBViolations } | { message }
 *   failedSchedulingMessage(decision, result?) → the FailedScheduling text
 *
 * The controller calls preempt() after schedule() returned Unschedulable;
 * on success it deletes the victims (and may set the pod's
 * nominatedNodeName); either way the event/condition message is
 * failedSchedulingMessage(), e.g. `0/3 nodes are available: 3 Insufficient
 * cpu. preemption: 0/3 nodes are available: 3 No preemption victims found
 * for incoming pod.` (upstream appends the PostFilter message only when
 * preemption failed).
 *
 * Steps (upstream's Evaluator.Preempt):
 * 1. A pod with preemptionPolicy Never is not eligible: `preemption: not
 *    eligible due to preemptionPolicy=Never.`
 * 2. Nodes whose failure is unresolvable (cordoned, node name, taints, node
 *    affinity, required pod affinity, missing topology label, a request
 *    larger than allocatable) get "Preemption is not helpful for
 *    scheduling"; preemption is tried on the others.
 * 3. Per node (dry run): the potential victims are the pods with a lower
 *    priority; none → "No preemption victims found for incoming pod".
 *    With all of them removed every filter is re-run; a failure keeps its
 *    reasons. Otherwise victims are reprieved one by one, most important
 *    first (higher priority, then earlier start), PDB-violating ones before
 *    the others, keeping each one whose return still lets the pod fit.
 *    The dry run visits nodes from an rng-chosen offset and stops once it
 *    has max(10% of the nodes, 100) candidates including a PDB-respecting
 *    one (as upstream's calculateNumCandidates).
 * 4. No candidate: `preemption: ` + the FitError over those statuses.
 * 5. Otherwise the node is chosen by, in order: fewest PDB violations,
 *    lowest highest-victim priority, lowest sum of victim priorities,
 *    fewest victims, latest earliest-start among its highest-priority
 *    victims; then the first.
 * PDBs are {namespace, selector, disruptionsAllowed, disruptedPods?}; a PDB
 * covers pods of its namespace matching a non-empty selector, and evicting
 * a covered pod beyond disruptionsAllowed is a violation. A pod without a
 * start time counts as started now (the injected clock). The snapshot is
 * changed during the dry run and restored before returning.
 */
import type { Clock, KubeObject } from '../api/meta.js';
import { labelSelectorRequirements, matchesLabels, type LabelSelector } from '../api/selectors/label-selector.js';
import type { CycleContext, FilterPlugin } from './filters/filter.js';
import { podRequests } from './requests.js';
import { DEFAULT_FILTERS, fitErrorMessage, NO_NODES_MESSAGE, type Unschedulable } from './schedule.js';
import type { ClusterSnapshot, NodeInfo } from './snapshot.js';
import { podPriority, podView, type PodView } from './types.js';

export const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_PREEMPTION_VICTIMS = 'No preemption victims found for incoming pod';
export const NOT_ELIGIBLE_NEVER = 'not eligible due to preemptionPolicy=Never.';
export const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
export const MIN_CANDIDATE_NODES_ABSOLUTE = 100;

export interface DisruptionBudget {
  namespace: string;
  selector?: LabelSelector | null;
  /** status.disruptionsAllowed */
  disruptionsAllowed: number;
  /** Names in status.disruptedPods: already being evicted, not counted again. */
  disruptedPods?: readonly string[];
}

export interface PreemptOptions {
  clock: Clock;
  pdbs?: readonly DisruptionBudget[];
  /** Picks the dry run's starting node; offset 0 without it. */
  rng?: () => number;
  filters?: readonly FilterPlugin[];
}

export interface PreemptionCandidate {
  nodeName: string;
  /** Most important first. */
  victims: PodView[];
  numPDBViolations: number;
}

export interface PreemptionFailure {
  /** Upstream's PostFilter message, starting with "preemption: ". */
  message: string;
}

export type PreemptionResult = PreemptionCandidate | PreemptionFailure;

export function isPreemptionFailure(r: PreemptionResult): r is PreemptionFailure {
  return 'message' in r;
}

/** The FailedScheduling message: the FitError plus preemption's message when it failed. */
export function failedSchedulingMessage(decision: Unschedulable, result?: PreemptionResult): string {
  return result && isPreemptionFailure(result) ? `${decision.message} ${result.message}` : decision.message;
}

type Failure = { reasons: string[]; unresolvable: boolean };

/** Runs every filter for `pod` on one node; undefined when it fits. */
function firstFailure(snapshot: ClusterSnapshot, pod: PodView, node: NodeInfo, filters: readonly FilterPlugin[]): Failure | undefined {
  const ctx: CycleContext = { pod, snapshot, requests: podRequests(pod) };
  for (const f of filters) {
    const reasons = f.prepare(ctx)(node);
    if (reasons.length > 0) return { reasons, unresolvable: f.isUnresolvable?.(reasons, node, ctx) ?? false };
  }
  return undefined;
}

function startTime(pod: PodView, clock: Clock): number {
  const t = pod.status?.startTime ? Date.parse(pod.status.startTime) : NaN;
  return Number.isNaN(t) ? clock.now().getTime() : t;
}

/** Upstream's MoreImportantPod as a sort comparator (most important first). */
function byImportance(clock: Clock): (a: PodView, b: PodView) => number {
  return (a, b) => podPriority(b) - podPriority(a) || startTime(a, clock) - startTime(b, clock);
}

/** Upstream's filterPodsWithPDBViolation. */
function splitByPDB(pods: readonly PodView[], pdbs: readonly DisruptionBudget[]): { violating: PodView[]; nonViolating: PodView[] } {
  const allowed = pdbs.map((p) => p.disruptionsAllowed);
  const violating: PodView[] = [];
  const nonViolating: PodView[] = [];
  for (const pod of pods) {
    let violated = false;
    const labels = pod.metadata.labels ?? {};
    if (Object.keys(labels).length > 0) {
      pdbs.forEach((pdb, i) => {
        if (pdb.namespace !== (pod.metadata.namespace ?? '') || !pdb.selector) return;
        let matches = false;
        try {
          const reqs = labelSelectorRequirements(pdb.selector);
          matches = reqs.length > 0 && matchesLabels(reqs, labels);
        } catch {
          matches = false;
        }
        if (!matches || pdb.disruptedPods?.includes(pod.metadata.name ?? '')) return;
        allowed[i] = (allowed[i] ?? 0) - 1;
        if ((allowed[i] ?? 0) < 0) violated = true;
      });
    }
    (violated ? violating : nonViolating).push(pod);
  }
  return { violating, nonViolating };
}

/** Upstream's SelectVictimsOnNode; restores the snapshot before returning. */
function selectVictims(
  snapshot: ClusterSnapshot,
  pod: PodView,
  node: NodeInfo,
  opts: PreemptOptions,
  filters: readonly FilterPlugin[],
): PreemptionCandidate | { reasons: string[] } {
  const priority = podPriority(pod);
  const potential = [...node.pods.values()].filter((p) => podPriority(p) < priority);
  if (potential.length === 0) return { reasons: [NO_PREEMPTION_VICTIMS] };
  for (const p of potential) snapshot.removePod(p);
  const victims: PodView[] = [];
  try {
    const failure = firstFailure(snapshot, pod, node, filters);
    if (failure) return { reasons: failure.reasons };
    potential.sort(byImportance(opts.clock));
    const { violating, nonViolating } = splitByPDB(potential, opts.pdbs ?? []);
    let numPDBViolations = 0;
    const reprieve = (p: PodView): boolean => {
      snapshot.addPod(p);
      if (!firstFailure(snapshot, pod, node, filters)) return true;
      snapshot.removePod(p);
      victims.push(p);
      return false;
    };
    for (const p of violating) if (!reprieve(p)) numPDBViolations++;
    for (const p of nonViolating) reprieve(p);
    victims.sort(byImportance(opts.clock));
    if (victims.length === 0) return { reasons: [`expected at least one victim pod on node "${node.name}"`] };
    return { nodeName: node.name, victims: [...victims], numPDBViolations };
  } finally {
    for (const p of victims) snapshot.addPod(p);
    for (const p of potential) if (!victims.includes(p) && snapshot.nodeOf(p) === undefined) snapshot.addPod(p);
  }
}

/** Upstream's pickOneNodeForPreemption criteria, as a comparator (better first). */
function compareCandidates(clock: Clock): (a: PreemptionCandidate, b: PreemptionCandidate) => number {
  const highest = (c: PreemptionCandidate) => podPriority(c.victims[0] as PodView);
  // Offsetting by 2^31 keeps every term positive, as upstream does.
  const sum = (c: PreemptionCandidate) => c.victims.reduce((s, p) => s + podPriority(p) + 2 ** 31, 0);
  const earliestOfHighest = (c: PreemptionCandidate) => {
    const top = highest(c);
    return Math.min(...c.victims.filter((p) => podPriority(p) === top).map((p) => startTime(p, clock)));
  };
  return (a, b) =>
    a.numPDBViolations - b.numPDBViolations ||
    highest(a) - highest(b) ||
    sum(a) - sum(b) ||
    a.victims.length - b.victims.length ||
    earliestOfHighest(b) - earliestOfHighest(a);
}

/** Upstream's calculateNumCandidates. */
export function numCandidates(numNodes: number): number {
  const n = Math.max(Math.trunc((numNodes * MIN_CANDIDATE_NODES_PERCENTAGE) / 100), MIN_CANDIDATE_NODES_ABSOLUTE);
  return Math.min(n, numNodes);
}

/** Finds the node and victims whose eviction lets `obj` fit; see the module comment. */
export function preempt(snapshot: ClusterSnapshot, obj: KubeObject, opts: PreemptOptions): PreemptionResult {
  const pod = podView(obj);
  if (pod.spec?.preemptionPolicy === 'Never') return { message: `preemption: ${NOT_ELIGIBLE_NEVER}` };
  const nodes = snapshot.nodes();
  if (nodes.length === 0) return { message: `preemption: ${NO_NODES_MESSAGE}` };
  const filters = opts.filters ?? DEFAULT_FILTERS;
  const statuses: Record<string, string[]> = {};
  const potential: NodeInfo[] = [];
  const ctx: CycleContext = { pod, snapshot, requests: podRequests(pod) };
  const prepared = filters.map((f) => ({ f, check: f.prepare(ctx) }));
  for (const node of nodes) {
    let unresolvable = false;
    for (const { f, check } of prepared) {
      const reasons = check(node);
      if (reasons.length === 0) continue;
      unresolvable = f.isUnresolvable?.(reasons, node, ctx) ?? false;
      break;
    }
    if (unresolvable) statuses[node.name] = [PREEMPTION_NOT_HELPFUL];
    else potential.push(node);
  }

  const wanted = numCandidates(potential.length);
  const offset = potential.length ? Math.min(potential.length - 1, Math.floor((opts.rng?.() ?? 0) * potential.length)) : 0;
  const candidates: PreemptionCandidate[] = [];
  let respecting = 0;
  for (let i = 0; i < potential.length; i++) {
    const node = potential[(offset + i) % potential.length] as NodeInfo;
    const r = selectVictims(snapshot, pod, node, opts, filters);
    if ('reasons' in r) {
      statuses[node.name] = r.reasons;
      continue;
    }
    candidates.push(r);
    if (r.numPDBViolations === 0) respecting++;
    if (respecting > 0 && candidates.length >= wanted) break;
  }
  if (candidates.length === 0) return { message: `preemption: ${fitErrorMessage(nodes.length, statuses)}` };
  // Upstream lists PDB-respecting candidates first; the sort is stable.
  const ordered = [...candidates.filter((c) => c.numPDBViolations === 0), ...candidates.filter((c) => c.numPDBViolations > 0)];
  ordered.sort(compareCandidates(opts.clock));
  return ordered[0] as PreemptionCandidate;
}
