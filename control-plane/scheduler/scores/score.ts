/**
 * The score plug-in contract, as upstream's PreScore / Score /
 * NormalizeScore extension points:
 * - prepare(ctx, feasible) is the pre-score work for one pod and cycle
 *   (`feasible` are the nodes that passed filtering; defaults to all nodes).
 *   It returns a per-node scorer, or null when the plug-in has nothing to
 *   say for this pod (upstream's Skip: every node scores 0);
 * - normalize(scores), when present, rewrites the raw scores of the
 *   feasible nodes (same order) into [0, MAX_NODE_SCORE].
 * The scheduler adds weight × normalized score over plug-ins. Pure.
 */
import type { CycleContext } from '../filters/filter.js';
import type { NodeInfo } from '../snapshot.js';

export const MAX_NODE_SCORE = 100;

export type NodeScorer = (node: NodeInfo) => number;

export interface ScorePlugin {
  readonly name: string;
  readonly weight: number;
  prepare(ctx: CycleContext, feasible?: readonly NodeInfo[]): NodeScorer | null;
  normalize?(scores: number[]): void;
}

/** Upstream's helper.DefaultNormalizeScore: scales to the highest score, optionally reversed. */
export function defaultNormalizeScore(scores: number[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.trunc((MAX_NODE_SCORE * (scores[i] ?? 0)) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}
