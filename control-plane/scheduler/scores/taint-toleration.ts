/**
 * TaintToleration score: prefers nodes with fewer PreferNoSchedule taints
 * the pod does not tolerate (only tolerations with an empty effect or
 * PreferNoSchedule count). Raw score = the number of such taints, then
 * upstream's reversed DefaultNormalizeScore: 100 for the fewest, and 100
 * everywhere when no node has any. Weight 3. Pure.
 */
import { tolerates } from '../filters/taint-toleration.js';
import { defaultNormalizeScore, type ScorePlugin } from './score.js';

export const taintTolerationScorer: ScorePlugin = {
  name: 'TaintToleration',
  weight: 3,
  prepare({ pod }) {
    const tolerations = (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    return (node) => {
      let n = 0;
      for (const taint of node.taints) if (taint.effect === 'PreferNoSchedule' && !tolerates(tolerations, taint)) n++;
      return n;
    };
  },
  normalize: (scores) => defaultNormalizeScore(scores, true),
};
