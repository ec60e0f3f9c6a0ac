/**
 * NodeResourcesFit: the pod's effective requests must fit the node's
 * allocatable minus what bound pods request. Reports every shortfall, as
 * upstream does: `Too many pods`, then `Insufficient cpu`, `Insufficient
 * memory`, `Insufficient ephemeral-storage`, then extended resources by name.
 * Zero requests always fit, even on an over-committed node. A shortfall is
 * unresolvable (for preemption) when the request exceeds the node's whole
 * allocatable. Pure.
 */
import { fitOf, FIT_CPU, FIT_CPU_ALLOC, FIT_EPHEMERAL, FIT_EPHEMERAL_ALLOC, FIT_MEMORY, FIT_MEMORY_ALLOC, FIT_PODS, FIT_PODS_ALLOC, type NodeInfo } from '../snapshot.js';
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
    const cpu = requests.cpu ?? 0;
    const memory = requests.memory ?? 0;
    const ephemeral = requests['ephemeral-storage'] ?? 0;
    const passes = (node: NodeInfo): boolean =>
      fitOf(node, FIT_PODS) + 1 <= fitOf(node, FIT_PODS_ALLOC) &&
      (cpu <= 0 || cpu <= fitOf(node, FIT_CPU_ALLOC) - fitOf(node, FIT_CPU)) &&
      (memory <= 0 || memory <= fitOf(node, FIT_MEMORY_ALLOC) - fitOf(node, FIT_MEMORY)) &&
      (ephemeral <= 0 || ephemeral <= fitOf(node, FIT_EPHEMERAL_ALLOC) - fitOf(node, FIT_EPHEMERAL));
    return (node) => {
      // The common case from the node's fit vector; the reasons below only for a node that fails.
      if (extended.length === 0 && passes(node)) return PASS;
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
