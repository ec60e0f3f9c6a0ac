/**
 * InterPodAffinity score, as upstream (hardPodAffinityWeight 1, preferred
 * terms of existing pods honoured). For every existing pod on a node with
 * labels, a topology score keyed by `topologyKey=value` of that node gets:
 * + w for each preferred affinity term (weight w) of the pod that selects it,
 * - w for each preferred anti-affinity term of the pod that selects it,
 * + 1 for each required affinity term of the existing pod selecting the pod,
 * + w / - w for each preferred affinity / anti-affinity term of the
 *   existing pod selecting the pod.
 * A node's raw score is the sum of the topology scores of its domains; raw
 * scores are then min-max normalized to [0, 100] over the feasible nodes
 * (all 0 when they are equal). Weight 2.
 *
 * When the pod has no preferred terms only pods with affinity matter, so
 * only the snapshot's nodes hosting such pods are visited — a plain pod in a
 * cluster without affinity costs nothing here (the plug-in skips). Pure.
 */
import { termMatchesPod } from '../filters/inter-pod-affinity.js';
import type { NodeInfo } from '../snapshot.js';
import type { PodAffinityTerm, PodView } from '../types.js';
import { MAX_NODE_SCORE, type ScorePlugin } from './score.js';

const HARD_POD_AFFINITY_WEIGHT = 1;

type TopologyScore = Map<string, Map<string, number>>;

function add(score: TopologyScore, node: NodeInfo, term: PodAffinityTerm, weight: number): void {
  if (!term.topologyKey) return;
  const value = node.labels[term.topologyKey];
  if (value === undefined) return;
  let m = score.get(term.topologyKey);
  if (!m) score.set(term.topologyKey, (m = new Map()));
  m.set(value, (m.get(value) ?? 0) + weight);
}

/** The scores existing pod `existing` on `node` contributes for incoming `pod`. */
function processExistingPod(score: TopologyScore, pod: PodView, existing: PodView, node: NodeInfo): void {
  const ns = pod.metadata.namespace ?? '';
  const existingNs = existing.metadata.namespace ?? '';
  const mine = pod.spec?.affinity;
  for (const t of mine?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (t.weight !== 0 && termMatchesPod(t.podAffinityTerm, ns, existing)) add(score, node, t.podAffinityTerm, t.weight);
  }
  for (const t of mine?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (t.weight !== 0 && termMatchesPod(t.podAffinityTerm, ns, existing)) add(score, node, t.podAffinityTerm, -t.weight);
  }
  const theirs = existing.spec?.affinity;
  if (!theirs) return;
  for (const t of theirs.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (termMatchesPod(t, existingNs, pod)) add(score, node, t, HARD_POD_AFFINITY_WEIGHT);
  }
  for (const t of theirs.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (t.weight !== 0 && termMatchesPod(t.podAffinityTerm, existingNs, pod)) add(score, node, t.podAffinityTerm, t.weight);
  }
  for (const t of theirs.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (t.weight !== 0 && termMatchesPod(t.podAffinityTerm, existingNs, pod)) add(score, node, t.podAffinityTerm, -t.weight);
  }
}

export const interPodAffinityScorer: ScorePlugin = {
  name: 'InterPodAffinity',
  weight: 2,
  prepare({ pod, snapshot }) {
    const a = pod.spec?.affinity;
    const hasConstraints =
      (a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0 ||
      (a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
    const nodes = hasConstraints ? snapshot.nodes() : snapshot.nodesWithAffinityPods();
    const score: TopologyScore = new Map();
    for (const node of nodes) {
      if (Object.keys(node.labels).length === 0) continue;
      const pods = hasConstraints ? node.pods : node.podsWithAffinity;
      for (const existing of pods.values()) processExistingPod(score, pod, existing, node);
    }
    if (score.size === 0) return null;
    return (node) => {
      let sum = 0;
      for (const [key, values] of score) {
        const v = node.labels[key];
        if (v !== undefined) sum += values.get(v) ?? 0;
      }
      return sum;
    };
  },
  normalize(scores) {
    if (scores.length === 0) return;
    const min = Math.min(...scores);
    const diff = Math.max(...scores) - min;
    for (let i = 0; i < scores.length; i++) {
      scores[i] = diff > 0 ? Math.trunc(MAX_NODE_SCORE * (((scores[i] ?? 0) - min) / diff)) : 0;
    }
  },
};
