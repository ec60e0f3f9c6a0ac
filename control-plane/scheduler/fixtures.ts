/**
 * Builders for Node and Pod objects in the shape the API server stores them,
 * for the scheduler's tests and for simulators. Pure.
 */
import type { KubeObject } from '../api/meta.js';
import type { Affinity, Container, NodeView, PodView, ResourceMap, Taint, Toleration } from './types.js';

export interface NodeSpecInput {
  cpu?: string;
  memory?: string;
  pods?: number;
  ephemeralStorage?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
}

export function makeNode(name: string, o: NodeSpecInput = {}): NodeView {
  const allocatable: ResourceMap = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: String(o.pods ?? 110) };
  if (o.ephemeralStorage) allocatable['ephemeral-storage'] = o.ephemeralStorage;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { capacity: { ...allocatable }, allocatable },
  };
}

export interface PodSpecInput {
  namespace?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  /** Requests of a single app container. */
  requests?: ResourceMap;
  containers?: Container[];
  initContainers?: Container[];
  overhead?: ResourceMap;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  affinity?: Affinity;
  hostPorts?: number[];
  phase?: string;
}

export function makePod(name: string, o: PodSpecInput = {}): PodView & KubeObject {
  const main: Container = { name: 'main', resources: o.requests ? { requests: o.requests } : {} };
  if (o.hostPorts) main.ports = o.hostPorts.map((p) => ({ containerPort: p, hostPort: p, protocol: 'TCP' }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.namespace ?? 'default', labels: o.labels ?? {} },
    spec: {
      containers: o.containers ?? [main],
      ...(o.initContainers ? { initContainers: o.initContainers } : {}),
      ...(o.overhead ? { overhead: o.overhead } : {}),
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.affinity ? { affinity: o.affinity } : {}),
    },
    status: { phase: o.phase ?? 'Pending' },
  };
}
