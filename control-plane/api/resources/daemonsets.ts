/**
 * apps/v1 daemonsets: defaults (RollingUpdate maxUnavailable 1 maxSurge 0,
 * revisionHistoryLimit 10, pod template), selector/template and update
 * strategy validation, immutable selector.
 */
import { forbiddenField, notSupported, type FieldError } from '../field-errors.js';
import type { KubeObject } from '../meta.js';
import type { ResourceEntry } from '../resource-table.js';
import { nameIsDNSSubdomain } from '../validation.js';
import { validateRollingUpdate } from './deployments.js';
import { child, deepEqual, rec, setDefault, setDefaultString, str } from './fields.js';
import { withMeta } from './object-meta.js';
import { defaultPodTemplate, normalizePodTemplate } from './pod-spec-defaults.js';
import { validateReplicas, validateSelectorAndTemplate, validateSelectorUpdate } from './workload-common.js';

export interface DaemonSet extends KubeObject {
  spec?: {
    selector?: unknown;
    template?: unknown;
    updateStrategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
    revisionHistoryLimit?: number;
    minReadySeconds?: number;
  };
  status?: Record<string, unknown>;
}

export function defaultDaemonSet(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  const strategy = child(spec, 'updateStrategy');
  setDefaultString(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = child(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', 1);
    setDefault(ru, 'maxSurge', 0);
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(child(spec, 'template'));
}

function validateDaemonSetSpec(obj: KubeObject): FieldError[] {
  const spec = rec(obj.spec) ?? {};
  const errs = validateReplicas(spec);
  errs.push(...validateSelectorAndTemplate(spec, { emptyInvalidFor: 'daemonset', restartPolicies: ['Always'], noActiveDeadlineFor: 'ReplicaSet' }));
  const strategy = rec(spec.updateStrategy) ?? {};
  const type = str(strategy.type) ?? '';
  if (type !== 'OnDelete' && type !== 'RollingUpdate') {
    errs.push(notSupported('spec.updateStrategy.type', type, ['OnDelete', 'RollingUpdate']));
  } else if (type === 'OnDelete' && strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) {
    errs.push(forbiddenField('spec.updateStrategy.rollingUpdate', "may not be specified when strategy `type` is 'OnDelete'"));
  } else {
    const ru = rec(strategy.rollingUpdate);
    if (ru) errs.push(...validateRollingUpdate(ru, 'spec.updateStrategy.rollingUpdate'));
  }
  return errs;
}

/**
 * apps/v1 carries upstream's spec.templateGeneration in this annotation: 1
 * on create, +1 whenever the pod template changes. The DaemonSet controller
 * labels its pods with it (pod-template-generation).
 */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

function setTemplateGeneration(obj: KubeObject, gen: number): void {
  obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [TEMPLATE_GENERATION_ANNOTATION]: String(gen) };
}

export const daemonsets: ResourceEntry = {
  group: 'apps',
  version: 'v1',
  resource: 'daemonsets',
  singular: 'daemonset',
  kind: 'DaemonSet',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  storagePrefix: '/registry/daemonsets/',
  subresources: { status: true },
  specFields: ['spec'],
  beforeCreate: (obj) => setTemplateGeneration(obj, 1),
  beforeUpdate: (obj, old) => {
    const was = Number(old.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION] ?? '1') || 1;
    setTemplateGeneration(obj, deepEqual(rec(obj.spec)?.template, rec(old.spec)?.template) ? was : was + 1);
  },
  defaults: defaultDaemonSet,
  normalize: (obj) => normalizePodTemplate(rec(obj.spec)?.template),
  validate: withMeta({ namespaced: true, name: nameIsDNSSubdomain }, (obj, old) => {
    const errs = validateDaemonSetSpec(obj);
    if (old) errs.push(...validateSelectorUpdate(obj, old));
    return errs;
  }),
};
