/**
 * NodeResourcesFit: the pod's effective requests must fit the node's
 * allocatable minus what bound pods request. Reports every shortfall, as
 * upstream does: `Too many pods`, then `Insufficient cpu`, `Insufficient
 * memory`, `Insufficient ephemeral-storage`, then extended resources by name.
 * Zero requests always fit, even on an over-committed node. Pure.
 */
import { PASS, type FilterPlugin } from './filter.js';

export const ERR_TOO_MANY_PODS = 'Too many pods';
const ORDERED = ['cpu', 'memory', 'ephemeral-storage'];

export const resourceFitFilter: FilterPlugin = {
  name: 'NodeResourcesFit',
  prepare({ requests }) {
    const extended = Object.keys(requests)
      .filter((r) => !ORDERED.includes(r) && r !== 'pods')
      .sort();
    const checked = [...ORDERED, ...extended].filter((r) => (requests[r] ?? 0) > 0);
    return (node) => {
      const reasons: string[] = [];
      if (node.pods.size + 1 > (node.allocatable.pods ?? 0)) reasons.push(ERR_TOO_MANY_PODS);
      for (const r of checked) {
        const free = (node.allocatable[r] ?? 0) - (node.requested[r] ?? 0);
        if ((requests[r] ?? 0) > free) reasons.push(`Insufficient ${r}`);
      }
      return reasons.length ? reasons : PASS;
    };
  },
};
