/**
 * NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory
 * utilisation stay close to each other after placing the pod. As upstream:
 * fractions requested/allocatable (plain requests, capped at 1), score =
 * (1 - standard deviation) × 100, truncated. Pure.
 */
import { MAX_NODE_SCORE, type ScorePlugin } from './score.js';

const RESOURCES = ['cpu', 'memory'];

export function balancedScore(fractions: readonly number[]): number {
  if (fractions.length === 0) return MAX_NODE_SCORE;
  const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
  const variance = fractions.reduce((a, f) => a + (f - mean) * (f - mean), 0) / fractions.length;
  return Math.trunc((1 - Math.sqrt(variance)) * MAX_NODE_SCORE);
}

export const balancedAllocationScorer: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  prepare({ requests }) {
    return (node) => {
      const fractions: number[] = [];
      for (const r of RESOURCES) {
        const alloc = node.allocatable[r] ?? 0;
        if (alloc <= 0) continue;
        fractions.push(Math.min(1, ((node.requested[r] ?? 0) + (requests[r] ?? 0)) / alloc));
      }
      return balancedScore(fractions);
    };
  },
};
