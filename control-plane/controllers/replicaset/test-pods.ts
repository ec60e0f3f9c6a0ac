/**
 * Pod and ReplicaSet builders for the replicaset and deployment unit tests
 * (test support only; no production module imports it).
 */
import type { Pod } from '../framework/pod-util.js';
import type { ReplicaSet } from './types.js';

export interface PodOpts {
  name: string;
  node?: string;
  phase?: string;
  ready?: boolean;
  readyAt?: string;
  created?: string;
  restarts?: number;
  labels?: Record<string, string>;
  owner?: string;
  cost?: number;
  deleting?: boolean;
}

export function pod(o: PodOpts): Pod {
  const p: Pod = {
    metadata: {
      name: o.name,
      namespace: 'default',
      uid: `uid-${o.name}`,
      creationTimestamp: o.created ?? '2026-01-01T00:00:00Z',
      labels: o.labels ?? { app: 'web' },
    },
    spec: o.node ? { nodeName: o.node } : {},
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.ready === false ? [{ type: 'Ready', status: 'False' }] : [{ type: 'Ready', status: 'True', lastTransitionTime: o.readyAt ?? '2026-01-01T00:00:00Z' }],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0 }],
    },
  };
  if (o.owner) p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `uid-${o.owner}`, controller: true }];
  if (o.cost !== undefined) p.metadata.annotations = { 'controller.kubernetes.io/pod-deletion-cost': String(o.cost) };
  if (o.deleting) p.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  return p;
}

export function replicaSet(name: string, replicas: number, extra: Partial<NonNullable<ReplicaSet['spec']>> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      ...extra,
    },
  };
}
