/**
 * NodeResourcesFit: the pod's effective requests must fit the node's
 * allocatable minus what bound pods request. Reports every shortfall, as
 * upstream does: `Too many pods`, then `Insufficient cpu`, `Insufficient
 * memory`, `Insufficient ephemeral-storage`, then extended resources by name.
 * Zero requests always fit, even on an over-committed node. A shortfall is
 * unresolvable (for preemption) when the request exceeds the node's whole
 * allocatable. Pure.
 */
import { PASS, type FilterPlugin } from './filter.js';

export const ERR_TOO_MANY_PODS = 'Too many pods';
const INSUFFICIENT = 'Insufficient ';
const ORDERED = ['cpu', 'memory', 'ephemeral-storage'];

export const resourceFitFilter: FilterPlugin = {
  name: 'NodeResourcesFit',
  // Unresolvable when the pod asks for more than the node's whole allocatable.
  isUnresolvable(reasons, node, { requests }) {
    return reasons.some((r) => {
      if (!r.startsWith(INSUFFICIENT)) return false;
      const name = r.slice(INSUFFICIENT.length);
      return (requests[name] ?? 0) > (node.allocatable[name] ?? 0);
    });
  },
  prepare({ requests }) {
    const extended = Object.keys(requests)
      .filter((r) => !ORDERED.includes(r) && r !== 'pods')
      .sort();
    const checked = [...ORDERED, ...extended].filter((r) => (requests[r] ?? 0) > 0);
    const amounts = checked.map((r) => requests[r] ?? 0);
    return (node) => {
      // Allocation-free on the (common) passing path.
      let reasons: string[] | undefined;
      if (node.pods.size + 1 > (node.allocatable.pods ?? 0)) reasons = [ERR_TOO_MANY_PODS];
      for (let i = 0; i < checked.length; i++) {
        const r = checked[i] as string;
        const free = (node.allocatable[r] ?? 0) - (node.requested[r] ?? 0);
        if ((amounts[i] ?? 0) > free) (reasons ??= []).push(`${INSUFFICIENT}${r}`);
      }
      return reasons ?? PASS;
    };
  },
};
