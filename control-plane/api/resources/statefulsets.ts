/**
 * apps/v1 statefulsets: defaults (OrderedReady, RollingUpdate partition 0,
 * replicas 1, revisionHistoryLimit 10, PVC retention Retain/Retain, claim
 * templates), validation with upstream's rule on which spec fields may
 * change, and the scale subresource.
 */
import { forbiddenField, notSupported, type FieldError } from '../field-errors.js';
import type { KubeObject } from '../meta.js';
import type { ResourceEntry } from '../resource-table.js';
import { nameIsDNSSubdomain, validateNonnegative } from '../validation.js';
import { child, clone, deepEqual, objs, rec, setDefault, setDefaultString, str } from './fields.js';
import { withMeta } from './object-meta.js';
import { defaultPodTemplate, normalizePodTemplate, normalizeResources } from './pod-spec-defaults.js';
import { replicasScale, validateReplicas, validateSelectorAndTemplate } from './workload-common.js';

export interface StatefulSet extends KubeObject {
  spec?: {
    replicas?: number;
    selector?: unknown;
    template?: unknown;
    serviceName?: string;
    podManagementPolicy?: string;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } };
    revisionHistoryLimit?: number;
    volumeClaimTemplates?: unknown[];
    persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string; whenScaled?: string };
    minReadySeconds?: number;
    ordinals?: { start?: number };
  };
  status?: Record<string, unknown>;
}

/** Skiff has no PersistentVolumes yet: pods waiting on claims would stay Pending forever. */
export const VOLUME_CLAIM_TEMPLATES_UNSUPPORTED =
  'not supported: Skiff has no persistent volume storage yet; remove volumeClaimTemplates and use emptyDir or hostPath volumes in the pod template';

const UPDATABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export function defaultStatefulSet(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  setDefaultString(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = child(spec, 'updateStrategy');
  setDefaultString(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') setDefault(child(strategy, 'rollingUpdate'), 'partition', 0);
  const retention = child(spec, 'persistentVolumeClaimRetentionPolicy');
  setDefaultString(retention, 'whenDeleted', 'Retain');
  setDefaultString(retention, 'whenScaled', 'Retain');
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  for (const pvc of objs(spec.volumeClaimTemplates)) {
    setDefaultString(child(pvc, 'spec'), 'volumeMode', 'Filesystem');
    setDefaultString(child(pvc, 'status'), 'phase', 'Pending');
  }
  defaultPodTemplate(child(spec, 'template'));
}

function validateStatefulSetSpec(obj: KubeObject): FieldError[] {
  const spec = rec(obj.spec) ?? {};
  const errs = validateReplicas(spec);
  const pmp = str(spec.podManagementPolicy) ?? '';
  if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.push(notSupported('spec.podManagementPolicy', pmp, ['OrderedReady', 'Parallel']));
  const strategy = rec(spec.updateStrategy) ?? {};
  const type = str(strategy.type) ?? '';
  if (type !== 'OnDelete' && type !== 'RollingUpdate') {
    errs.push(notSupported('spec.updateStrategy.type', type, ['OnDelete', 'RollingUpdate']));
  } else if (type === 'OnDelete' && strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) {
    errs.push(forbiddenField('spec.updateStrategy.rollingUpdate', "only allowed for updateStrategy 'RollingUpdate'"));
  } else {
    errs.push(...validateNonnegative(rec(strategy.rollingUpdate)?.partition, 'spec.updateStrategy.rollingUpdate.partition'));
  }
  const retention = rec(spec.persistentVolumeClaimRetentionPolicy) ?? {};
  for (const f of ['whenDeleted', 'whenScaled']) {
    const v = str(retention[f]) ?? '';
    if (v !== 'Retain' && v !== 'Delete') errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, v, ['Retain', 'Delete']));
  }
  errs.push(...validateSelectorAndTemplate(spec, { emptyInvalidFor: 'statefulset', restartPolicies: ['Always'] }));
  if (objs(spec.volumeClaimTemplates).length > 0) errs.push(forbiddenField('spec.volumeClaimTemplates', VOLUME_CLAIM_TEMPLATES_UNSUPPORTED));
  return errs;
}

function validateStatefulSetUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const n = clone(rec(obj.spec) ?? {});
  const o = clone(rec(old.spec) ?? {});
  for (const f of UPDATABLE) {
    delete n[f];
    delete o[f];
  }
  if (deepEqual(n, o)) return [];
  const list = UPDATABLE.map((f) => `'${f}'`);
  const words = `${list.slice(0, -1).join(', ')} and ${list[list.length - 1] ?? ''}`;
  return [forbiddenField('spec', `updates to statefulset spec for fields other than ${words} are forbidden`)];
}

export const statefulsets: ResourceEntry = {
  group: 'apps',
  version: 'v1',
  resource: 'statefulsets',
  singular: 'statefulset',
  kind: 'StatefulSet',
  namespaced: true,
  shortNames: ['sts'],
  categories: ['all'],
  storagePrefix: '/registry/statefulsets/',
  subresources: { status: true, scale: replicasScale },
  specFields: ['spec'],
  defaults: defaultStatefulSet,
  normalize: (obj) => {
    const spec = rec(obj.spec);
    normalizePodTemplate(spec?.template);
    for (const pvc of objs(spec?.volumeClaimTemplates)) normalizeResources(rec(pvc.spec)?.resources);
  },
  validate: withMeta({ namespaced: true, name: nameIsDNSSubdomain }, (obj, old) => {
    const errs = validateStatefulSetSpec(obj);
    if (old) errs.push(...validateStatefulSetUpdate(obj, old));
    return errs;
  }),
};
