/**
 * PodTopologySpread score, as upstream: the pod's whenUnsatisfiable=
 * ScheduleAnyway constraints, or — for a pod without any constraints — the
 * system default spreading over the pods of its controller (hostname
 * maxSkew 3, zone maxSkew 5; see spread-constraints.ts). Weight 2.
 *
 * Pre-score: with the pod's own constraints, feasible nodes lacking any
 * topology key are ignored (score 0); with the defaults they are not, so
 * nodes without a zone label still spread by hostname. Each constraint's
 * domains are those of the (not ignored) feasible nodes; its weight is
 * ln(number of domains + 2) (for hostname: of such nodes). Domain counts
 * add the matching pods of every node passing the inclusion policies — from
 * the snapshot's per-domain sums when every node counts, otherwise by
 * visiting only the nodes that host matching pods.
 *
 * Score: Σ over the constraints whose key the node has of
 * count × weight + (maxSkew - 1), rounded; hostname counts the node's own
 * pods. Normalize: 100 × (max + min - score) / max (integer), 100 for all
 * when max is 0, 0 for ignored nodes — fewer matching pods score higher.
 * Pure.
 */
import {
  defaultConstraints,
  hasAllTopologyKeys,
  includesEveryNode,
  inclusionPolicy,
  LABEL_HOSTNAME,
  podConstraints,
  type SpreadConstraint,
} from '../spread-constraints.js';
import { MAX_NODE_SCORE, type ScorePlugin } from './score.js';

/** Marks an ignored node until normalization. */
const INVALID = -1;

export const topologySpreadScorer: ScorePlugin = {
  name: 'PodTopologySpread',
  weight: 2,
  prepare({ pod, snapshot }, feasible = snapshot.nodes()) {
    const explicit = (pod.spec?.topologySpreadConstraints?.length ?? 0) > 0;
    const constraints = explicit ? podConstraints(snapshot, pod, 'ScheduleAnyway') : defaultConstraints(snapshot, pod);
    if (constraints.length === 0 || feasible.length === 0) return null;
    const requireAll = explicit;
    const ignored = new Set<string>();
    const pairs = constraints.map(() => new Map<string, number>());
    for (const node of feasible) {
      if (requireAll && !hasAllTopologyKeys(node, constraints)) {
        ignored.add(node.name);
        continue;
      }
      for (let i = 0; i < constraints.length; i++) {
        const key = (constraints[i] as SpreadConstraint).topologyKey;
        if (key === LABEL_HOSTNAME) continue;
        const m = pairs[i] as Map<string, number>;
        const value = node.labels[key] ?? '';
        if (!m.has(value)) m.set(value, 0);
      }
    }
    const weights = constraints.map((c, i) => Math.log((c.topologyKey === LABEL_HOSTNAME ? feasible.length - ignored.size : (pairs[i]?.size ?? 0)) + 2));
    const included = inclusionPolicy(pod);
    constraints.forEach((c, i) => {
      if (c.topologyKey === LABEL_HOSTNAME) return;
      const m = pairs[i] as Map<string, number>;
      if (includesEveryNode(pod, c) && (!requireAll || constraints.every((o) => o.topologyKey === c.topologyKey))) {
        // Every labelled node counts: use the snapshot's per-domain sums.
        const sums = snapshot.domainCounts(c.counts, c.topologyKey);
        for (const value of m.keys()) m.set(value, sums.get(value) ?? 0);
        return;
      }
      for (const [name, count] of c.counts) {
        const node = snapshot.node(name);
        if (!node || (requireAll && !hasAllTopologyKeys(node, constraints)) || !included(c, node)) continue;
        const value = node.labels[c.topologyKey] ?? '';
        const current = m.get(value);
        if (current !== undefined) m.set(value, current + count);
      }
    });
    return (node) => {
      if (ignored.size > 0 && ignored.has(node.name)) return INVALID;
      let score = 0;
      for (let i = 0; i < constraints.length; i++) {
        const c = constraints[i] as SpreadConstraint;
        const value = node.labels[c.topologyKey];
        if (value === undefined) continue;
        const count = c.topologyKey === LABEL_HOSTNAME ? (c.counts.get(node.name) ?? 0) : (pairs[i]?.get(value) ?? 0);
        score += count * (weights[i] ?? 0) + (c.maxSkew - 1);
      }
      return Math.round(score);
    };
  },
  normalize(scores) {
    let min = Infinity;
    let max = 0;
    for (const s of scores) {
      if (s === INVALID) continue;
      if (s < min) min = s;
      if (s > max) max = s;
    }
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i] ?? 0;
      if (s === INVALID) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - s)) / max);
    }
  },
};
