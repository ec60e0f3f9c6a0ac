/**
 * core/v1 namespaces and nodes: the two cluster-scoped core kinds with a
 * status subresource. Namespaces get the `kubernetes` finalizer, phase
 * Active and the kubernetes.io/metadata.name label; nodes get allocatable
 * from capacity and canonical quantities.
 */
import { forbiddenField, invalidValue, notSupported, type FieldError } from '../field-errors.js';
import type { KubeObject } from '../meta.js';
import type { ResourceEntry, Verb } from '../resource-table.js';
import { isQualifiedName, nameIsDNSLabel, nameIsDNSSubdomain } from '../validation.js';
import { child, clone, fieldString, objs, rec, setDefault, str } from './fields.js';
import { withMeta } from './object-meta.js';
import { normalizeResourceList } from './pod-spec-defaults.js';

export interface Namespace extends KubeObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: unknown[] };
}

export interface Node extends KubeObject {
  spec?: { podCIDR?: string; podCIDRs?: string[]; unschedulable?: boolean; taints?: unknown[]; providerID?: string };
  status?: { capacity?: Record<string, string>; allocatable?: Record<string, string>; [k: string]: unknown };
}

export const METADATA_NAME_LABEL = 'kubernetes.io/metadata.name';

export function defaultNamespace(obj: KubeObject): void {
  // The immutable name label lets selectors pick namespaces by name.
  obj.metadata.labels = { ...(obj.metadata.labels ?? {}), [METADATA_NAME_LABEL]: obj.metadata.name ?? '' };
  setDefault(child(obj, 'spec'), 'finalizers', ['kubernetes']);
  setDefault(child(obj, 'status'), 'phase', 'Active');
}

function validateNamespace(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const fins = rec(obj.spec)?.finalizers;
  (Array.isArray(fins) ? fins : []).forEach((f, i) => {
    const s = typeof f === 'string' ? f : '';
    for (const m of isQualifiedName(s)) errs.push(invalidValue(`spec.finalizers[${i}]`, f, m));
    if (!s.includes('/') && s !== 'kubernetes') {
      errs.push(invalidValue(`spec.finalizers[${i}]`, s, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  const phase = str(rec(obj.status)?.phase);
  if (phase !== undefined && phase !== 'Active' && phase !== 'Terminating') {
    errs.push(notSupported('status.phase', phase, ['Active', 'Terminating']));
  }
  return errs;
}

const NAMESPACE_VERBS: readonly Verb[] = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export const namespaces: ResourceEntry = {
  group: '',
  version: 'v1',
  resource: 'namespaces',
  singular: 'namespace',
  kind: 'Namespace',
  namespaced: false,
  shortNames: ['ns'],
  verbs: NAMESPACE_VERBS,
  storagePrefix: '/registry/namespaces/',
  subresources: { status: true, others: ['finalize'] },
  specFields: [],
  defaults: defaultNamespace,
  validate: withMeta({ namespaced: false, name: nameIsDNSLabel }, (obj) => validateNamespace(obj)),
  fieldSelectors: { 'status.phase': (o) => fieldString(o, 'status.phase') },
};

export function defaultNode(obj: KubeObject): void {
  const status = rec(obj.status);
  // SetDefaults_NodeStatus: allocatable is capacity until the kubelet says otherwise.
  if (status && rec(status.capacity) && (status.allocatable === undefined || status.allocatable === null)) {
    status.allocatable = clone(status.capacity);
  }
}

const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];

/** Upstream's ValidateNodeUpdate: a podCIDR may only go from unset to set (node IPAM owns it). */
function validatePodCidrUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const was = rec(old.spec);
  const now = rec(obj.spec);
  const message = 'node updates may not change podCIDR except from "" to valid';
  const oldCidr = str(was?.podCIDR) ?? '';
  if (oldCidr !== '' && (str(now?.podCIDR) ?? '') !== oldCidr) errs.push(forbiddenField('spec.podCIDR', message));
  const oldCidrs = Array.isArray(was?.podCIDRs) ? (was.podCIDRs as unknown[]) : [];
  const newCidrs = Array.isArray(now?.podCIDRs) ? (now.podCIDRs as unknown[]) : [];
  if (oldCidrs.length > 0 && JSON.stringify(oldCidrs) !== JSON.stringify(newCidrs)) errs.push(forbiddenField('spec.podCIDRs', message));
  return errs;
}

function validateNode(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = old ? validatePodCidrUpdate(obj, old) : [];
  objs(rec(obj.spec)?.taints).forEach((t, i) => {
    const key = str(t.key) ?? '';
    for (const m of isQualifiedName(key)) errs.push(invalidValue(`spec.taints[${i}].key`, key, m));
    const effect = str(t.effect) ?? '';
    if (!TAINT_EFFECTS.includes(effect)) errs.push(notSupported(`spec.taints[${i}].effect`, effect, TAINT_EFFECTS));
  });
  return errs;
}

export const nodes: ResourceEntry = {
  group: '',
  version: 'v1',
  resource: 'nodes',
  singular: 'node',
  kind: 'Node',
  namespaced: false,
  shortNames: ['no'],
  storagePrefix: '/registry/minions/',
  subresources: { status: true, others: ['proxy'] },
  specFields: [],
  defaults: defaultNode,
  normalize: (obj) => {
    const status = rec(obj.status);
    normalizeResourceList(status?.capacity);
    normalizeResourceList(status?.allocatable);
  },
  validate: withMeta({ namespaced: false, name: nameIsDNSSubdomain }, (obj, old) => validateNode(obj, old)),
  fieldSelectors: { 'spec.unschedulable': (o) => String(rec(o.spec)?.unschedulable === true) },
};
