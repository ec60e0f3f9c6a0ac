/**
 * NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory
 * utilisation stay close to each other after placing the pod. As upstream:
 * fractions requested/allocatable (plain requests, capped at 1), score =
 * (1 - standard deviation) × 100, truncated (for cpu and memory the
 * deviation is |a - b| / 2, upstream's two-resource shortcut). Pure.
 */
import { fitOf, FIT_CPU, FIT_CPU_ALLOC, FIT_MEMORY, FIT_MEMORY_ALLOC } from '../snapshot.js';
import { MAX_NODE_SCORE, type ScorePlugin } from './score.js';

export function balancedScore(fractions: readonly number[]): number {
  if (fractions.length === 2) return twoResourceScore(fractions[0] as number, fractions[1] as number);
  if (fractions.length < 2) return MAX_NODE_SCORE;
  const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
  const variance = fractions.reduce((a, f) => a + (f - mean) * (f - mean), 0) / fractions.length;
  return Math.trunc((1 - Math.sqrt(variance)) * MAX_NODE_SCORE);
}

/** Upstream's shortcut for two resources: the standard deviation is |a - b| / 2. */
function twoResourceScore(a: number, b: number): number {
  return Math.trunc((1 - Math.abs((a - b) / 2)) * MAX_NODE_SCORE);
}

export const balancedAllocationScorer: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  prepare({ requests }) {
    const cpu = requests.cpu ?? 0;
    const memory = requests.memory ?? 0;
    return (node) => {
      const cpuAlloc = fitOf(node, FIT_CPU_ALLOC);
      const memAlloc = fitOf(node, FIT_MEMORY_ALLOC);
      // Resources the node does not offer are left out, as upstream.
      if (cpuAlloc <= 0 || memAlloc <= 0) return MAX_NODE_SCORE;
      const cpuFraction = Math.min(1, (fitOf(node, FIT_CPU) + cpu) / cpuAlloc);
      const memFraction = Math.min(1, (fitOf(node, FIT_MEMORY) + memory) / memAlloc);
      return twoResourceScore(cpuFraction, memFraction);
    };
  },
};
