/**
 * NodeResourcesFit's LeastAllocated strategy: prefers nodes with the most
 * free cpu and memory after placing the pod, counting requests with the
 * scoring defaults (100m / 200Mi), in upstream's integer arithmetic:
 * per resource (allocatable - requested) × 100 / allocatable, 0 when full
 * or unknown, then the mean over cpu and memory (weight 1 each). Pure.
 */
import { podRequests } from '../requests.js';
import { fitOf, FIT_CPU_ALLOC, FIT_CPU_NON_ZERO, FIT_MEMORY_ALLOC, FIT_MEMORY_NON_ZERO } from '../snapshot.js';
import { MAX_NODE_SCORE, type ScorePlugin } from './score.js';

export function leastAllocatedScore(requested: number, allocatable: number): number {
  if (allocatable <= 0 || requested > allocatable) return 0;
  return Math.floor(((allocatable - requested) * MAX_NODE_SCORE) / allocatable);
}

export const leastAllocatedScorer: ScorePlugin = {
  name: 'NodeResourcesFit',
  weight: 1,
  prepare({ pod }) {
    const req = podRequests(pod, { nonZero: true });
    const cpu = req.cpu ?? 0;
    const memory = req.memory ?? 0;
    return (node) => {
      const sum =
        leastAllocatedScore(fitOf(node, FIT_CPU_NON_ZERO) + cpu, fitOf(node, FIT_CPU_ALLOC)) + leastAllocatedScore(fitOf(node, FIT_MEMORY_NON_ZERO) + memory, fitOf(node, FIT_MEMORY_ALLOC));
      return Math.floor(sum / 2);
    };
  },
};
