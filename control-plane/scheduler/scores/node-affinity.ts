/**
 * NodeAffinity score: the sum of the weights of the pod's preferred node
 * affinity terms the node matches (terms of weight 0 are ignored; an empty
 * term matches nothing), normalized to the best node = 100 with upstream's
 * DefaultNormalizeScore. Weight 2. Skipped for pods without preferred terms.
 * Pure.
 */
import { matchesNodeSelectorTerm } from '../filters/node-affinity.js';
import { defaultNormalizeScore, type ScorePlugin } from './score.js';

export const nodeAffinityScorer: ScorePlugin = {
  name: 'NodeAffinity',
  weight: 2,
  prepare({ pod }) {
    const terms = (pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).filter((t) => t.weight !== 0);
    if (terms.length === 0) return null;
    return (node) => {
      let sum = 0;
      for (const t of terms) if (matchesNodeSelectorTerm(t.preference, node)) sum += t.weight;
      return sum;
    };
  },
  normalize: (scores) => defaultNormalizeScore(scores, false),
};
