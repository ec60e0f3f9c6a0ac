/**
 * The scheduler's typed view of the Pod and Node fields it reads.
 *
 * Contract: objects reaching the scheduler were validated by the API server,
 * so their shape matches core/v1; `podView`/`nodeView` narrow a KubeObject
 * to these views without copying. Everything else in the object stays opaque.
 * Pure: no I/O.
 */
import type { KubeObject } from '../api/meta.js';
import type { LabelSelector } from '../api/selectors/label-selector.js';

export type ResourceMap = Record<string, string | number>;

export interface ContainerPort {
  containerPort?: number;
  hostPort?: number;
  hostIP?: string;
  protocol?: string;
}

export interface Container {
  name?: string;
  restartPolicy?: string;
  resources?: { requests?: ResourceMap; limits?: ResourceMap };
  ports?: ContainerPort[];
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface PodAffinityTerm {
  labelSelector?: LabelSelector | null;
  namespaces?: string[];
  namespaceSelector?: LabelSelector | null;
  topologyKey: string;
}

export interface WeightedPodAffinityTerm {
  weight: number;
  podAffinityTerm: PodAffinityTerm;
}

export interface Affinity {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } | null;
    preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; preference: NodeSelectorTerm }[];
  };
  podAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
    preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
  };
  podAntiAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
    preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
  };
}

/** core/v1 TopologySpreadConstraint. */
export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: string;
  labelSelector?: LabelSelector | null;
  minDomains?: number;
  nodeAffinityPolicy?: string;
  nodeTaintsPolicy?: string;
  matchLabelKeys?: string[];
}

export interface PodSpecView {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  containers?: Container[];
  initContainers?: Container[];
  overhead?: ResourceMap;
  tolerations?: Toleration[];
  affinity?: Affinity;
  priority?: number;
  preemptionPolicy?: string;
  topologySpreadConstraints?: TopologySpreadConstraint[];
}

export interface PodView extends KubeObject {
  spec?: PodSpecView;
  status?: { phase?: string; startTime?: string };
}

export interface NodeView extends KubeObject {
  spec?: { unschedulable?: boolean; taints?: Taint[] };
  status?: { allocatable?: ResourceMap; capacity?: ResourceMap };
}

/** The API server validated the object; this only changes its static type. */
export function podView(pod: KubeObject): PodView {
  return pod as PodView;
}

export function nodeView(node: KubeObject): NodeView {
  return node as NodeView;
}

/** `namespace/name`: how the snapshot keys pods. */
export function podKey(pod: KubeObject): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}

/** The pod's priority (spec.priority, 0 when unset), as corev1helpers.PodPriority. */
export function podPriority(pod: PodView): number {
  return pod.spec?.priority ?? 0;
}

/**
 * The key of the pod's controller (the ownerReference with controller=true),
 * `namespace/uid` (or `namespace/kind/name` without a uid); undefined for a
 * pod without one. Pods sharing it belong to one ReplicaSet, StatefulSet…
 */
export function controllerKey(pod: KubeObject): string | undefined {
  const refs = pod.metadata.ownerReferences;
  if (!refs) return undefined;
  for (const r of refs) {
    if (r.controller === true) return `${pod.metadata.namespace ?? ''}/${r.uid || `${r.kind}/${r.name}`}`;
  }
  return undefined;
}
