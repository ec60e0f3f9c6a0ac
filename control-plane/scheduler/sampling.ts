/**
 * Node sampling, as upstream's schedule_one.go: in large clusters a cycle
 * stops filtering once it has found "enough" feasible nodes, and the next
 * cycle starts filtering where this one stopped, so every node gets its turn.
 *
 * numFeasibleNodesToFind: every node below 100 nodes; otherwise
 * percentageOfNodesToScore of them (0 = adaptive: 50 - nodes/125, at least
 * 5), but never fewer than 100.
 *
 * The rotation lives in a SamplingState the caller keeps between cycles
 * (one per scheduler), which keeps the scheduler itself pure. After a cycle
 * the start index advances by the number of nodes processed (feasible and
 * rejected). When no node is feasible every node was examined, so the
 * FitError diagnosis is complete. Pure.
 */

export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/** Where the next cycle starts filtering; keep one per scheduler. */
export interface SamplingState {
  nextStartNodeIndex: number;
}

export function newSamplingState(): SamplingState {
  return { nextStartNodeIndex: 0 };
}

/** Upstream's numFeasibleNodesToFind (integer arithmetic as in Go). */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage <= 0) {
    percentage = 50 - Math.trunc(numAllNodes / 125);
    if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * percentage) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}
