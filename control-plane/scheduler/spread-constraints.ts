/**
 * Topology spread constraints as upstream's PodTopologySpread plug-in sees
 * them, shared by its filter (DoNotSchedule) and score (ScheduleAnyway):
 *
 * - the pod's constraints with the wanted whenUnsatisfiable, with upstream's
 *   defaults: minDomains 1, nodeAffinityPolicy Honor, nodeTaintsPolicy
 *   Ignore; matchLabelKeys add `key in (<pod's value>)` to the selector for
 *   each key the pod carries;
 * - the "system default" constraints for pods without any: hostname maxSkew
 *   3 and zone maxSkew 5, both ScheduleAnyway, over the pods of the same
 *   controller (upstream derives the selector from the owning ReplicaSet,
 *   StatefulSet, ReplicationController or Services; we identify the owner by
 *   its controller ownerReference, which selects exactly the pods that
 *   controller created). Services are not considered;
 * - matching pods are counted per node from the snapshot's incremental
 *   indexes (never by walking every pod). As upstream, a nil selector
 *   matches nothing, and an empty selector ({}) counts no pods
 *   (selector.Empty()) although the pod itself "matches" it.
 * Pure.
 */
import type { LabelSelector } from '../api/selectors/label-selector.js';
import { labelSelectorRequirements, matchesLabels } from '../api/selectors/label-selector.js';
import { requiredNodeAffinity } from './filters/node-affinity.js';
import { tolerates } from './filters/taint-toleration.js';
import type { ClusterSnapshot, NodeInfo } from './snapshot.js';
import { controllerKey, type PodView } from './types.js';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';

export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  minDomains: number;
  nodeAffinityPolicy: 'Honor' | 'Ignore';
  nodeTaintsPolicy: 'Honor' | 'Ignore';
  /** Per node name, the pods matching the constraint's selector. */
  counts: ReadonlyMap<string, number>;
  /** Does the incoming pod match its own selector? */
  selfMatch: boolean;
}

const NO_COUNTS: ReadonlyMap<string, number> = new Map();

function isEmptySelector(sel: LabelSelector): boolean {
  return Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}

function selfMatches(sel: LabelSelector | null | undefined, pod: PodView): boolean {
  if (!sel) return false;
  try {
    return matchesLabels(labelSelectorRequirements(sel), pod.metadata.labels);
  } catch {
    return false;
  }
}

/** The pod's own constraints with `whenUnsatisfiable` (see the module comment). */
export function podConstraints(snapshot: ClusterSnapshot, pod: PodView, whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway'): SpreadConstraint[] {
  const out: SpreadConstraint[] = [];
  const ns = pod.metadata.namespace ?? '';
  const labels = pod.metadata.labels ?? {};
  for (const c of pod.spec?.topologySpreadConstraints ?? []) {
    if (c.whenUnsatisfiable !== whenUnsatisfiable) continue;
    let sel = c.labelSelector ?? null;
    if (sel && c.matchLabelKeys?.length) {
      const extra = c.matchLabelKeys.filter((k) => k in labels).map((k) => ({ key: k, operator: 'In', values: [labels[k] ?? ''] }));
      if (extra.length) sel = { ...sel, matchExpressions: [...(sel.matchExpressions ?? []), ...extra] };
    }
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      minDomains: c.minDomains ?? 1,
      nodeAffinityPolicy: c.nodeAffinityPolicy === 'Ignore' ? 'Ignore' : 'Honor',
      nodeTaintsPolicy: c.nodeTaintsPolicy === 'Honor' ? 'Honor' : 'Ignore',
      counts: sel && !isEmptySelector(sel) ? snapshot.matchCounts(ns, sel) : NO_COUNTS,
      selfMatch: selfMatches(sel, pod),
    });
  }
  return out;
}

/** Upstream's system default constraints over the pod's controller, or [] without one. */
export function defaultConstraints(snapshot: ClusterSnapshot, pod: PodView): SpreadConstraint[] {
  const owner = controllerKey(pod);
  if (owner === undefined) return [];
  const counts = snapshot.ownerCounts(owner);
  const base = { minDomains: 1, nodeAffinityPolicy: 'Honor' as const, nodeTaintsPolicy: 'Ignore' as const, counts, selfMatch: true };
  return [
    { ...base, maxSkew: 3, topologyKey: LABEL_HOSTNAME },
    { ...base, maxSkew: 5, topologyKey: LABEL_ZONE },
  ];
}

/** Does the node carry every constraint's topology key? */
export function hasAllTopologyKeys(node: NodeInfo, constraints: readonly SpreadConstraint[]): boolean {
  for (const c of constraints) if (node.labels[c.topologyKey] === undefined) return false;
  return true;
}

/**
 * True when constraint `c` counts the pods of every node for this pod (no
 * node affinity to honour, taints ignored), so the snapshot's per-domain
 * aggregates can stand in for a walk over the nodes.
 */
export function includesEveryNode(pod: PodView, c: SpreadConstraint): boolean {
  const affinity = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const constrained = Object.keys(pod.spec?.nodeSelector ?? {}).length > 0 || !!affinity;
  return c.nodeTaintsPolicy === 'Ignore' && (c.nodeAffinityPolicy === 'Ignore' || !constrained);
}

/**
 * Upstream's matchNodeInclusionPolicies, prepared for one pod: whether a
 * node's pods count towards constraint `c`.
 */
export function inclusionPolicy(pod: PodView): (c: SpreadConstraint, node: NodeInfo) => boolean {
  const affinity = requiredNodeAffinity(pod);
  const tolerations = pod.spec?.tolerations ?? [];
  return (c, node) => {
    if (c.nodeAffinityPolicy === 'Honor' && !affinity(node)) return false;
    if (c.nodeTaintsPolicy === 'Honor') {
      for (const t of node.taints) {
        if ((t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(tolerations, t)) return false;
      }
    }
    return true;
  };
}
