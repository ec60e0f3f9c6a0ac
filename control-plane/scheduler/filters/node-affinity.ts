/**
 * NodeAffinity: spec.nodeSelector (every label must match) and the required
 * node affinity (terms are ORed; within a term, matchExpressions over labels
 * and matchFields over metadata.name are ANDed; an empty term matches
 * nothing). Operators In, NotIn, Exists, DoesNotExist, Gt, Lt as upstream's
 * nodeaffinity helper. Pure.
 */
import type { NodeInfo } from '../snapshot.js';
import type { NodeSelectorRequirement, NodeSelectorTerm, PodView } from '../types.js';
import { ALWAYS_UNRESOLVABLE, PASS, type FilterPlugin } from './filter.js';

export const ERR_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

const INTEGER = /^-?\d+$/;

/** One requirement against one value map (labels, or {metadata.name}). */
export function matchesNodeRequirement(r: NodeSelectorRequirement, values: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(values, r.key);
  const v = values[r.key];
  const list = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return has && list.includes(v ?? '');
    case 'NotIn':
      return !has || !list.includes(v ?? '');
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      const bound = list[0];
      if (!has || list.length !== 1 || bound === undefined || !INTEGER.test(v ?? '') || !INTEGER.test(bound)) return false;
      return r.operator === 'Gt' ? Number(v) > Number(bound) : Number(v) < Number(bound);
    }
    default:
      return false;
  }
}

export function matchesNodeSelectorTerm(term: NodeSelectorTerm, node: NodeInfo): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const fieldValues = { 'metadata.name': node.name };
  return exprs.every((r) => matchesNodeRequirement(r, node.labels)) && fields.every((r) => matchesNodeRequirement(r, fieldValues));
}

export function matchesNodeSelectorTerms(terms: readonly NodeSelectorTerm[], node: NodeInfo): boolean {
  return terms.some((t) => matchesNodeSelectorTerm(t, node));
}

/**
 * Upstream's RequiredNodeAffinity: spec.nodeSelector and the required node
 * affinity terms, as one predicate (also used by topology spreading's
 * nodeAffinityPolicy=Honor).
 */
export function requiredNodeAffinity(pod: PodView): (node: NodeInfo) => boolean {
  const selector = Object.entries(pod.spec?.nodeSelector ?? {});
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const terms = required ? (required.nodeSelectorTerms ?? []) : undefined;
  if (selector.length === 0 && !terms) return () => true;
  return (node) => {
    for (const [k, v] of selector) if (node.labels[k] !== v) return false;
    return !terms || matchesNodeSelectorTerms(terms, node);
  };
}

export const nodeAffinityFilter: FilterPlugin = {
  name: 'NodeAffinity',
  isUnresolvable: ALWAYS_UNRESOLVABLE,
  prepare({ pod }) {
    const matches = requiredNodeAffinity(pod);
    return (node) => (matches(node) ? PASS : [ERR_NODE_AFFINITY]);
  },
};
