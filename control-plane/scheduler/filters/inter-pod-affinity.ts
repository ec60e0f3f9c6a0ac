/**
 * InterPodAffinity (required terms only), in upstream's order of checks:
 * 1. the pod's affinity: every term needs a matching pod in the candidate's
 *    topology domain — unless no pod anywhere matches and the pod matches
 *    its own terms (the first pod of a group may go anywhere);
 * 2. the pod's anti-affinity: no matching pod in the candidate's domain;
 * 3. existing pods' anti-affinity: no pod whose required anti-affinity
 *    matches this pod shares a domain with the candidate.
 * A term's namespaces default to its owner's namespace; an empty
 * namespaceSelector ({}) selects every namespace (a non-empty one needs
 * Namespace labels, which the snapshot does not hold, and selects none).
 * Nodes without the topology key are never in a term's domain. Existing
 * anti-affinity only visits the snapshot's nodes hosting pods with required
 * anti-affinity, so pods without affinity cost nothing per cluster pod. Pure.
 */
import { labelSelectorRequirements, matchesLabels } from '../../api/selectors/label-selector.js';
import type { ClusterSnapshot, NodeInfo } from '../snapshot.js';
import type { PodAffinityTerm, PodView } from '../types.js';
import { PASS, type FilterPlugin } from './filter.js';

export const ERR_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

/** Does `term`, declared by a pod in `ownerNamespace`, select `target`? */
export function termMatchesPod(term: PodAffinityTerm, ownerNamespace: string, target: PodView): boolean {
  // A null labelSelector selects nothing.
  if (!term.labelSelector) return false;
  const ns = target.metadata.namespace ?? '';
  const nsSel = term.namespaceSelector;
  const allNamespaces = nsSel !== undefined && nsSel !== null && Object.keys(nsSel.matchLabels ?? {}).length === 0 && (nsSel.matchExpressions ?? []).length === 0;
  const names = term.namespaces ?? [];
  const nsOk = allNamespaces || (names.length === 0 && !nsSel ? ns === ownerNamespace : names.includes(ns));
  if (!nsOk) return false;
  try {
    return matchesLabels(labelSelectorRequirements(term.labelSelector), target.metadata.labels);
  } catch {
    return false;
  }
}

/** `topologyKey=value` domains holding at least one pod the term selects. */
function domainsWithMatches(snapshot: ClusterSnapshot, term: PodAffinityTerm, ownerNamespace: string): Set<string> {
  const out = new Set<string>();
  for (const node of snapshot.nodes()) {
    const value = node.labels[term.topologyKey];
    if (value === undefined) continue;
    for (const p of node.pods.values()) {
      if (termMatchesPod(term, ownerNamespace, p)) {
        out.add(value);
        break;
      }
    }
  }
  return out;
}

function domainOf(node: NodeInfo, key: string): string | undefined {
  return node.labels[key];
}

export const interPodAffinityFilter: FilterPlugin = {
  name: 'InterPodAffinity',
  // Only a failed affinity is unresolvable: anti-affinity may be fixed by evicting pods.
  isUnresolvable: (reasons) => reasons.includes(ERR_AFFINITY),
  prepare({ pod, snapshot }) {
    const ns = pod.metadata.namespace ?? '';
    const affinity = pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
    const anti = pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
    const affinityDomains = affinity.map((t) => domainsWithMatches(snapshot, t, ns));
    const antiDomains = anti.map((t) => domainsWithMatches(snapshot, t, ns));
    const noMatchAnywhere = affinityDomains.every((d) => d.size === 0);
    const selfMatch = affinity.every((t) => termMatchesPod(t, ns, pod));
    // Domains forbidden by existing pods' anti-affinity: key -> values.
    const forbidden = new Map<string, Set<string>>();
    for (const node of snapshot.nodesWithRequiredAntiAffinityPods()) {
      for (const existing of node.podsWithRequiredAntiAffinity.values()) {
        for (const t of existing.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
          const value = node.labels[t.topologyKey];
          if (value === undefined || !termMatchesPod(t, existing.metadata.namespace ?? '', pod)) continue;
          let set = forbidden.get(t.topologyKey);
          if (!set) forbidden.set(t.topologyKey, (set = new Set()));
          set.add(value);
        }
      }
    }
    return (node) => {
      if (affinity.length > 0) {
        const ok = affinity.every((t, i) => {
          const d = domainOf(node, t.topologyKey);
          return d !== undefined && (affinityDomains[i]?.has(d) ?? false);
        });
        // The first pod of a group: allowed where the keys exist at all.
        const first = noMatchAnywhere && selfMatch && affinity.every((t) => domainOf(node, t.topologyKey) !== undefined);
        if (!ok && !first) return [ERR_AFFINITY];
      }
      for (let i = 0; i < anti.length; i++) {
        const t = anti[i];
        const d = t ? domainOf(node, t.topologyKey) : undefined;
        if (d !== undefined && antiDomains[i]?.has(d)) return [ERR_ANTI_AFFINITY];
      }
      for (const [key, values] of forbidden) {
        const d = domainOf(node, key);
        if (d !== undefined && values.has(d)) return [ERR_EXISTING_ANTI_AFFINITY];
      }
      return PASS;
    };
  },
};
