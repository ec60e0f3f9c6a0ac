/**
 * PodTopologySpread filter: the pod's whenUnsatisfiable=DoNotSchedule
 * constraints, as upstream.
 *
 * Pre-filter: over every node that carries all the constraints' topology
 * keys, per constraint, the node's matching pods are added to its domain
 * (`topologyKey=value`) when the node passes the constraint's inclusion
 * policies (nodeAffinityPolicy Honor: the pod's nodeSelector / required
 * node affinity; nodeTaintsPolicy Honor: no untolerated NoSchedule /
 * NoExecute taint). The global minimum is the smallest domain count, or 0
 * while fewer than minDomains domains exist.
 *
 * Filter, per constraint in order: a node without the topology key fails
 * with "... (missing required label)" (unresolvable); otherwise it fails
 * when `domain count + (1 if the pod matches the selector) - global
 * minimum > maxSkew`. When every constraint uses one key and every node
 * counts, the domain counts come from the snapshot's per-domain sums rather
 * than a walk over all nodes. Pure.
 */
import { hasAllTopologyKeys, includesEveryNode, inclusionPolicy, podConstraints } from '../spread-constraints.js';
import { PASS, type FilterPlugin } from './filter.js';

export const ERR_TOPOLOGY_SPREAD = "node(s) didn't match pod topology spread constraints";
export const ERR_TOPOLOGY_SPREAD_MISSING_LABEL = `${ERR_TOPOLOGY_SPREAD} (missing required label)`;

export const topologySpreadFilter: FilterPlugin = {
  name: 'PodTopologySpread',
  isUnresolvable: (reasons) => reasons.includes(ERR_TOPOLOGY_SPREAD_MISSING_LABEL),
  prepare({ pod, snapshot }) {
    const constraints = podConstraints(snapshot, pod, 'DoNotSchedule');
    if (constraints.length === 0) return () => PASS;
    const included = inclusionPolicy(pod);
    const domains = constraints.map(() => new Map<string, number>());
    const key = constraints[0]?.topologyKey ?? '';
    const fast = constraints.every((c) => c.topologyKey === key && includesEveryNode(pod, c));
    // Every node carrying the one key counts: use the snapshot's per-domain sums.
    if (fast) {
      const values = snapshot.topologyDomains(key);
      constraints.forEach((c, i) => {
        const sums = snapshot.domainCounts(c.counts, key);
        const m = domains[i] as Map<string, number>;
        for (const v of values) m.set(v, sums.get(v) ?? 0);
      });
    }
    for (const node of fast ? [] : snapshot.nodes()) {
      if (!hasAllTopologyKeys(node, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!included(c, node)) return;
        const value = node.labels[c.topologyKey] as string;
        const m = domains[i] as Map<string, number>;
        m.set(value, (m.get(value) ?? 0) + (c.counts.get(node.name) ?? 0));
      });
    }
    const minimum = constraints.map((c, i) => {
      const m = domains[i] as Map<string, number>;
      if (m.size < c.minDomains) return 0;
      let min = Infinity;
      for (const v of m.values()) if (v < min) min = v;
      return min;
    });
    return (node) => {
      for (let i = 0; i < constraints.length; i++) {
        const c = constraints[i];
        if (!c) continue;
        const value = node.labels[c.topologyKey];
        if (value === undefined) return [ERR_TOPOLOGY_SPREAD_MISSING_LABEL];
        const matchNum = domains[i]?.get(value) ?? 0;
        const skew = matchNum + (c.selfMatch ? 1 : 0) - (minimum[i] ?? 0);
        if (skew > c.maxSkew) return [ERR_TOPOLOGY_SPREAD];
      }
      return PASS;
    };
  },
};
