/**
 * The collections controllers read and write, as API client ResourceRefs,
 * and the key convention their caches and queues share: `namespace/name`
 * for namespaced objects, `name` for cluster-scoped ones (as client-go's
 * MetaNamespaceKeyFunc).
 */
import type { KubeObject } from '../../api/meta.js';
import type { ResourceRef } from '../../api/client/api-client.js';

const core = (resource: string): ResourceRef => ({ group: '', version: 'v1', resource });
const apps = (resource: string): ResourceRef => ({ group: 'apps', version: 'v1', resource });

export const refs = {
  pods: core('pods'),
  nodes: core('nodes'),
  namespaces: core('namespaces'),
  services: core('services'),
  endpoints: core('endpoints'),
  events: core('events'),
  serviceAccounts: core('serviceaccounts'),
  configMaps: core('configmaps'),
  secrets: core('secrets'),
  persistentVolumeClaims: core('persistentvolumeclaims'),
  replicationControllers: core('replicationcontrollers'),
  resourceQuotas: core('resourcequotas'),
  limitRanges: core('limitranges'),
  podTemplates: core('podtemplates'),
  replicaSets: apps('replicasets'),
  deployments: apps('deployments'),
  statefulSets: apps('statefulsets'),
  daemonSets: apps('daemonsets'),
  controllerRevisions: apps('controllerrevisions'),
  jobs: { group: 'batch', version: 'v1', resource: 'jobs' },
  cronJobs: { group: 'batch', version: 'v1', resource: 'cronjobs' },
  leases: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' },
  endpointSlices: { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' },
  podDisruptionBudgets: { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets' },
  priorityClasses: { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses' },
} satisfies Record<string, ResourceRef>;

/** The same collection, narrowed to one namespace. */
export function inNamespace(ref: ResourceRef, namespace: string | undefined): ResourceRef {
  return namespace ? { ...ref, namespace } : ref;
}

export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  return ns ? `${ns}/${obj.metadata.name ?? ''}` : (obj.metadata.name ?? '');
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
