/**
 * apps/v1 replicasets: replicas default 1, pod-template defaults,
 * selector/template validation with an immutable selector, scale.
 */
import type { KubeObject } from '../meta.js';
import type { ResourceEntry } from '../resource-table.js';
import { nameIsDNSSubdomain } from '../validation.js';
import { child, fieldString, rec, setDefault } from './fields.js';
import { withMeta } from './object-meta.js';
import { defaultPodTemplate, normalizePodTemplate } from './pod-spec-defaults.js';
import { replicasScale, validateReplicas, validateSelectorAndTemplate, validateSelectorUpdate } from './workload-common.js';

export interface ReplicaSet extends KubeObject {
  spec?: { replicas?: number; selector?: unknown; template?: unknown; minReadySeconds?: number };
  status?: { replicas?: number; [k: string]: unknown };
}

export function defaultReplicaSet(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  defaultPodTemplate(child(spec, 'template'));
}

export const replicasets: ResourceEntry = {
  group: 'apps',
  version: 'v1',
  resource: 'replicasets',
  singular: 'replicaset',
  kind: 'ReplicaSet',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  storagePrefix: '/registry/replicasets/',
  subresources: { status: true, scale: replicasScale },
  specFields: ['spec'],
  defaults: defaultReplicaSet,
  normalize: (obj) => normalizePodTemplate(rec(obj.spec)?.template),
  validate: withMeta({ namespaced: true, name: nameIsDNSSubdomain }, (obj, old) => {
    const spec = rec(obj.spec) ?? {};
    const errs = validateReplicas(spec);
    errs.push(...validateSelectorAndTemplate(spec, { emptyInvalidFor: 'deployment', restartPolicies: ['Always'], noActiveDeadlineFor: 'ReplicaSet' }));
    if (old) errs.push(...validateSelectorUpdate(obj, old));
    return errs;
  }),
  fieldSelectors: { 'status.replicas': (o) => fieldString(o, 'status.replicas') || '0' },
};
