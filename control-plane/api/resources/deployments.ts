/**
 * apps/v1 deployments: upstream defaults (replicas 1, RollingUpdate
 * 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600, pod
 * template), validation (selector/template, strategy, deadlines,
 * immutable selector) and the scale subresource.
 */
import { forbiddenField, invalidValue, notSupported, type FieldError } from '../field-errors.js';
import { validateNotMoreThan100Percent, validatePositiveIntOrPercent } from '../intstr.js';
import type { KubeObject } from '../meta.js';
import type { ResourceEntry } from '../resource-table.js';
import { nameIsDNSSubdomain, validateNonnegative } from '../validation.js';
import { child, rec, setDefault, setDefaultString, str, type Obj } from './fields.js';
import { withMeta } from './object-meta.js';
import { defaultPodTemplate, normalizePodTemplate } from './pod-spec-defaults.js';
import { replicasScale, validateReplicas, validateSelectorAndTemplate, validateSelectorUpdate } from './workload-common.js';

export interface Deployment extends KubeObject {
  spec?: {
    replicas?: number;
    selector?: unknown;
    template?: { metadata?: unknown; spec?: unknown };
    strategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
    revisionHistoryLimit?: number;
    progressDeadlineSeconds?: number;
    minReadySeconds?: number;
    paused?: boolean;
  };
  status?: Record<string, unknown>;
}

export function defaultDeployment(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  const strategy = child(spec, 'strategy');
  setDefaultString(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = child(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', '25%');
    setDefault(ru, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(child(spec, 'template'));
}

/** maxUnavailable and maxSurge of a rolling update, as upstream's ValidateRollingUpdateDeployment. */
export function validateRollingUpdate(ru: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${path}.maxUnavailable`));
  errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${path}.maxSurge`));
  const isZero = (v: unknown): boolean => v === 0 || v === '0%';
  if (isZero(ru.maxUnavailable) && (ru.maxSurge === undefined || ru.maxSurge === null || isZero(ru.maxSurge))) {
    errs.push(invalidValue(`${path}.maxUnavailable`, ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
  }
  errs.push(...validateNotMoreThan100Percent(ru.maxUnavailable, `${path}.maxUnavailable`));
  return errs;
}

export function validateDeploymentSpec(obj: KubeObject): FieldError[] {
  const spec = rec(obj.spec) ?? {};
  const errs = validateReplicas(spec);
  errs.push(...validateSelectorAndTemplate(spec, { emptyInvalidFor: 'deployment', restartPolicies: ['Always'], noActiveDeadlineFor: 'ReplicaSet' }));
  const strategy = rec(spec.strategy) ?? {};
  const type = str(strategy.type) ?? '';
  if (type !== 'Recreate' && type !== 'RollingUpdate') {
    errs.push(notSupported('spec.strategy.type', type, ['Recreate', 'RollingUpdate']));
  } else if (type === 'Recreate') {
    if (strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) {
      errs.push(forbiddenField('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
    }
  } else {
    const ru = rec(strategy.rollingUpdate);
    if (ru) errs.push(...validateRollingUpdate(ru, 'spec.strategy.rollingUpdate'));
  }
  errs.push(...validateNonnegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
  const pds = spec.progressDeadlineSeconds;
  const mrs = typeof spec.minReadySeconds === 'number' ? spec.minReadySeconds : 0;
  if (typeof pds === 'number' && pds <= mrs) errs.push(invalidValue('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
  return errs;
}

export const deployments: ResourceEntry = {
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  singular: 'deployment',
  kind: 'Deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  storagePrefix: '/registry/deployments/',
  subresources: { status: true, scale: replicasScale },
  specFields: ['spec'],
  defaults: defaultDeployment,
  normalize: (obj) => normalizePodTemplate(rec(obj.spec)?.template),
  validate: withMeta({ namespaced: true, name: nameIsDNSSubdomain }, (obj, old) => {
    const errs = validateDeploymentSpec(obj);
    if (old) errs.push(...validateSelectorUpdate(obj, old));
    return errs;
  }),
};
