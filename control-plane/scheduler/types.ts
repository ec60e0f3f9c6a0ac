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

export interface PodSpecView {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  containers?: Container[];
  initContainers?: Container[];
  overhead?: ResourceMap;
  tolerations?: Toleration[];
  affinity?: Affinity;
  priority?: number;
}

export interface PodView extends KubeObject {
  spec?: PodSpecView;
  status?: { phase?: string };
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
