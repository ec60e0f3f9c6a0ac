/**
 * What the workload kinds share: the selector/template rules of upstream's
 * ValidatePodTemplateSpecForReplicaSet, replicas checks, the immutable
 * selector on update, and Scale subresource access.
 */
import { forbiddenField, invalidValue, required, type FieldError } from '../field-errors.js';
import type { KubeObject } from '../meta.js';
import type { ScaleAccess } from '../resource-table.js';
import { validateAnnotations, validateLabels, validateNonnegative } from '../validation.js';
import { child, deepEqual, rec, sortedKeys } from './fields.js';
import { isEmptySelector, selectorMatches, selectorString, validateLabelSelector } from './label-selector.js';
import { immutable } from './object-meta.js';
import { validatePodSpec, validateTemplateRestartPolicy } from './pod-spec-validation.js';

/** A PodTemplateSpec's metadata and spec, validated as upstream's ValidatePodTemplateSpec. */
export function validatePodTemplateSpec(template: unknown, path: string): FieldError[] {
  const t = rec(template);
  if (!t) return [required(path)];
  const meta = rec(t.metadata) ?? {};
  return [
    ...validateLabels(meta.labels, `${path}.metadata.labels`),
    ...validateAnnotations(meta.annotations, `${path}.metadata.annotations`),
    ...validatePodSpec(t.spec, `${path}.spec`),
  ];
}

export interface SelectorRules {
  /** Kind word for "empty selector is invalid for <kind>"; undefined: empty allowed. */
  emptyInvalidFor?: string;
  /** Accepted template restartPolicy values (workloads: Always). */
  restartPolicies: string[];
  /** Reject activeDeadlineSeconds in the template, naming the kind. */
  noActiveDeadlineFor?: string;
}

/** spec.selector and spec.template together (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job). */
export function validateSelectorAndTemplate(spec: Record<string, unknown>, rules: SelectorRules, path = 'spec'): FieldError[] {
  const errs: FieldError[] = [];
  const selector = spec.selector;
  if (selector === undefined || selector === null) {
    errs.push(required(`${path}.selector`));
  } else {
    errs.push(...validateLabelSelector(selector, `${path}.selector`));
    if (rules.emptyInvalidFor && isEmptySelector(selector)) {
      errs.push(invalidValue(`${path}.selector`, sortedKeys(selector), `empty selector is invalid for ${rules.emptyInvalidFor}`));
    }
  }
  const template = rec(spec.template);
  if (!template) {
    errs.push(required(`${path}.template`));
    return errs;
  }
  const labels = rec(rec(template.metadata)?.labels);
  if (selector && !isEmptySelector(selector) && !selectorMatches(selector, labels)) {
    errs.push(invalidValue(`${path}.template.metadata.labels`, sortedKeys(labels ?? null), '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(template, `${path}.template`));
  errs.push(...validateTemplateRestartPolicy(template.spec, `${path}.template.spec`, rules.restartPolicies));
  if (rules.noActiveDeadlineFor) {
    const ads = rec(template.spec)?.activeDeadlineSeconds;
    if (ads !== undefined && ads !== null) {
      errs.push(forbiddenField(`${path}.template.spec.activeDeadlineSeconds`, `activeDeadlineSeconds in ${rules.noActiveDeadlineFor} is not Supported`));
    }
  }
  return errs;
}

export function validateReplicas(spec: Record<string, unknown>, path = 'spec'): FieldError[] {
  return [
    ...validateNonnegative(spec.replicas, `${path}.replicas`),
    ...validateNonnegative(spec.minReadySeconds, `${path}.minReadySeconds`),
    ...validateNonnegative(spec.revisionHistoryLimit, `${path}.revisionHistoryLimit`),
  ];
}

/** apps/v1 selectors may not change once created. */
export function validateSelectorUpdate(obj: KubeObject, old: KubeObject, path = 'spec.selector'): FieldError[] {
  return immutable(sortedKeys(rec(obj.spec)?.selector), sortedKeys(rec(old.spec)?.selector), path, deepEqual);
}

function specOf(obj: KubeObject): Record<string, unknown> {
  return rec(obj.spec) ?? {};
}

/** Scale access for kinds with spec.replicas (default 1), status.replicas and spec.selector. */
export const replicasScale: ScaleAccess = {
  specReplicas: (obj) => {
    const r = specOf(obj).replicas;
    return typeof r === 'number' ? r : 1;
  },
  statusReplicas: (obj) => {
    const r = rec(obj.status)?.replicas;
    return typeof r === 'number' ? r : 0;
  },
  selector: (obj) => selectorString(specOf(obj).selector),
  setReplicas: (obj, replicas) => {
    child(obj, 'spec').replicas = replicas;
  },
};
