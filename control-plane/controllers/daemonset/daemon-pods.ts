/**
 * Which nodes a DaemonSet's pod belongs on, and what that pod looks like,
 * as upstream's pkg/controller/daemon (NodeShouldRunDaemonPod, predicates)
 * and daemon/util (AddOrUpdateDaemonPodTolerations, CreatePodTemplate,
 * ReplaceDaemonSetPodNodeNameNodeAffinity, GetTargetNodeName):
 * - daemon pods tolerate not-ready and unreachable (NoExecute, no
 *   seconds), disk-, memory- and pid-pressure and unschedulable
 *   (NoSchedule), and network-unavailable with hostNetwork;
 * - a node should run the pod when the template's nodeName (if any),
 *   nodeSelector and required node affinity match it and every NoSchedule
 *   and NoExecute taint is tolerated; a pod already there may continue
 *   running if only NoSchedule taints are untolerated;
 * - each pod is pinned with the required node affinity
 *   `matchFields metadata.name In [node]` (replacing other required terms,
 *   which were checked here) and placed by the default scheduler.
 * Predicates over taints and node selector requirements are the
 * scheduler's (imported, pure). Pure.
 */
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import type { Pod } from '../framework/pod-util.js';
import type { PodTemplate } from '../history/controller-revision.js';
import { matchesNodeRequirement } from '../../scheduler/filters/node-affinity.js';
import { tolerates } from '../../scheduler/filters/taint-toleration.js';
import type { Affinity, NodeSelectorTerm, NodeView, Taint, Toleration } from '../../scheduler/types.js';
import { TEMPLATE_GENERATION_ANNOTATION } from '../../api/resources/daemonsets.js';

export const REVISION_HASH_LABEL = 'controller-revision-hash';
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
export { TEMPLATE_GENERATION_ANNOTATION };

export interface DaemonSet extends KubeObject {
  spec?: {
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
    template?: PodTemplate;
    updateStrategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
    revisionHistoryLimit?: number;
    minReadySeconds?: number;
  };
  status?: Record<string, unknown> & { collisionCount?: number; observedGeneration?: number };
}

interface DaemonPodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  affinity?: Affinity;
  hostNetwork?: boolean;
  [k: string]: unknown;
}

const DEFAULT_TOLERATIONS: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];
const NETWORK_UNAVAILABLE: Toleration = { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' };

/** Toleration.MatchToleration: same key, effect, operator and value. */
function sameToleration(a: Toleration, b: Toleration): boolean {
  return (a.key ?? '') === (b.key ?? '') && (a.effect ?? '') === (b.effect ?? '') && (a.operator ?? '') === (b.operator ?? '') && (a.value ?? '') === (b.value ?? '');
}

/** The pod's tolerations with the DaemonSet defaults added or replacing equal ones (AddOrUpdateTolerationInPodSpec). */
export function daemonTolerations(spec: { tolerations?: Toleration[]; hostNetwork?: boolean }): Toleration[] {
  let out = [...(spec.tolerations ?? [])];
  const wanted = spec.hostNetwork ? [...DEFAULT_TOLERATIONS, NETWORK_UNAVAILABLE] : DEFAULT_TOLERATIONS;
  for (const t of wanted) {
    if (out.some((o) => sameToleration(o, t))) out = out.map((o) => (sameToleration(o, t) ? { ...t } : o));
    else out.push({ ...t });
  }
  return out;
}

function templateSpec(ds: DaemonSet): DaemonPodSpec {
  return (ds.spec?.template?.spec ?? {}) as DaemonPodSpec;
}

function termMatches(term: NodeSelectorTerm, labels: Record<string, string>, name: string): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  return exprs.every((r) => matchesNodeRequirement(r, labels)) && fields.every((r) => matchesNodeRequirement(r, { 'metadata.name': name }));
}

/** nodeSelector and required node affinity (GetRequiredNodeAffinity(pod).Match(node)). */
export function matchesNodeAffinity(spec: DaemonPodSpec, node: NodeView): boolean {
  const labels = node.metadata.labels ?? {};
  const name = node.metadata.name ?? '';
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((t) => termMatches(t, labels, name));
}

function untolerated(taints: readonly Taint[], tolerations: readonly Toleration[], effects: readonly string[]): boolean {
  return taints.some((t) => effects.includes(t.effect) && !tolerates(tolerations, t));
}

export interface NodeVerdict {
  /** A daemon pod should be created here if missing. */
  shouldRun: boolean;
  /** A daemon pod already here may stay. */
  shouldContinueRunning: boolean;
}

/** NodeShouldRunDaemonPod. */
export function nodeShouldRunDaemonPod(node: NodeView, ds: DaemonSet): NodeVerdict {
  const spec = templateSpec(ds);
  const name = node.metadata.name ?? '';
  if (spec.nodeName && spec.nodeName !== name) return { shouldRun: false, shouldContinueRunning: false };
  if (!matchesNodeAffinity(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = daemonTolerations(spec);
  const taints = node.spec?.taints ?? [];
  if (untolerated(taints, tolerations, ['NoSchedule', 'NoExecute'])) {
    return { shouldRun: false, shouldContinueRunning: !untolerated(taints, tolerations, ['NoExecute']) };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity. */
export function pinToNode(affinity: Affinity | undefined, nodeName: string): Affinity {
  const term: NodeSelectorTerm = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] };
  const out = structuredClone(affinity ?? {});
  out.nodeAffinity ??= {};
  out.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [term] };
  return out;
}

/** GetTargetNodeName: spec.nodeName, or the node the affinity pins the pod to. */
export function targetNodeName(pod: Pod): string | undefined {
  const spec = (pod.spec ?? {}) as DaemonPodSpec;
  if (spec.nodeName) return spec.nodeName;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms) {
    for (const f of t.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

/** The template generation the API server recorded (GetTemplateGeneration), if any. */
export function templateGeneration(ds: DaemonSet): string | undefined {
  return ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
}

/** IsPodUpdated: the pod carries the current hash (or the current template generation). */
export function isPodUpdated(pod: Pod, hash: string, generation: string | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  return (hash !== '' && labels[REVISION_HASH_LABEL] === hash) || (generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === generation);
}

/** A new daemon pod for `nodeName`: CreatePodTemplate + GetPodFromTemplate, pinned by affinity. */
export function newDaemonPod(ds: DaemonSet, hash: string, nodeName: string, controllerRef: OwnerReference): Pod {
  const template = ds.spec?.template ?? {};
  const meta = template.metadata ?? {};
  const spec = structuredClone((template.spec ?? {}) as DaemonPodSpec);
  spec.tolerations = daemonTolerations(spec);
  spec.affinity = pinToNode(spec.affinity, nodeName);
  const labels: Record<string, string> = { ...(meta.labels ?? {}) };
  const generation = templateGeneration(ds);
  if (generation !== undefined) labels[TEMPLATE_GENERATION_LABEL] = generation;
  if (hash) labels[REVISION_HASH_LABEL] = hash;
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: `${ds.metadata.name ?? ''}-`, namespace: ds.metadata.namespace, labels, ownerReferences: [controllerRef] },
    spec,
  };
  if (meta.annotations && Object.keys(meta.annotations).length > 0) pod.metadata.annotations = { ...meta.annotations };
  return pod;
}
