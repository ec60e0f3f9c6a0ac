/**
 * TaintToleration: a node's NoSchedule and NoExecute taints must all be
 * tolerated (PreferNoSchedule only affects scoring). Reports the first
 * untolerated taint as upstream does. Pure.
 */
import type { Taint, Toleration } from '../types.js';
import { ALWAYS_UNRESOLVABLE, PASS, type FilterPlugin } from './filter.js';

/** Upstream's Toleration.ToleratesTaint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
    case '':
      return (t.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

export function tolerates(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => toleratesTaint(t, taint));
}

export function untoleratedTaintReason(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
}

export const taintTolerationFilter: FilterPlugin = {
  name: 'TaintToleration',
  isUnresolvable: ALWAYS_UNRESOLVABLE,
  prepare({ pod }) {
    const tolerations = pod.spec?.tolerations ?? [];
    return (node) => {
      for (const taint of node.taints) {
        if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
        if (!tolerates(tolerations, taint)) return [untoleratedTaintReason(taint)];
      }
      return PASS;
    };
  },
};
