/**
 * NodeUnschedulable: a cordoned node (spec.unschedulable) accepts only pods
 * that tolerate the node.kubernetes.io/unschedulable:NoSchedule taint. Pure.
 */
import { ALWAYS_UNRESOLVABLE, PASS, type FilterPlugin } from './filter.js';
import { tolerates } from './taint-toleration.js';

export const ERR_UNSCHEDULABLE = 'node(s) were unschedulable';
export const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export const nodeUnschedulableFilter: FilterPlugin = {
  name: 'NodeUnschedulable',
  isUnresolvable: ALWAYS_UNRESOLVABLE,
  prepare({ pod }) {
    const ok = tolerates(pod.spec?.tolerations ?? [], UNSCHEDULABLE_TAINT);
    return (node) => (!node.unschedulable || ok ? PASS : [ERR_UNSCHEDULABLE]);
  },
};
