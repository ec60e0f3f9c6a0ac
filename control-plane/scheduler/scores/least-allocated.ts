/**
 * NodeResourcesFit's LeastAllocated strategy: prefers nodes with the most
 * free cpu and memory after placing the pod, counting requests with the
 * scoring defaults (100m / 200Mi), in upstream's integer arithmetic:
 * per resource (allocatable - requested) × 100 / allocatable, 0 when full
 * or unknown, then the mean over cpu and memory (weight 1 each). Pure.
 */
import { podRequests } from '../requests.js';
import { MAX_NODE_SCORE, type ScorePlugin } from './score.js';

const RESOURCES = ['cpu', 'memory'];

export function leastAllocatedScore(requested: number, allocatable: number): number {
  if (allocatable <= 0 || requested > allocatable) return 0;
  return Math.floor(((allocatable - requested) * MAX_NODE_SCORE) / allocatable);
}

export const leastAllocatedScorer: ScorePlugin = {
  name: 'NodeResourcesFit',
  weight: 1,
  prepare({ pod }) {
    const req = podRequests(pod, { nonZero: true });
    return (node) => {
      let sum = 0;
      for (const r of RESOURCES) sum += leastAllocatedScore((node.nonZeroRequested[r] ?? 0) + (req[r] ?? 0), node.allocatable[r] ?? 0);
      return Math.floor(sum / RESOURCES.length);
    };
  },
};
