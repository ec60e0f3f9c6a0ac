/**
 * batch/v1 jobs: upstream defaults (completions/parallelism 1,
 * backoffLimit 6, NonIndexed, suspend false, podReplacementPolicy), the
 * generated selector and template labels (controller-uid, job-name),
 * validation (restartPolicy OnFailure/Never, selector/template match,
 * immutable selector and template).
 */
import { invalidValue, notSupported, required, type FieldError } from '../field-errors.js';
import type { KubeObject } from '../meta.js';
import type { ResourceEntry } from '../resource-table.js';
import { nameIsDNSSubdomain, validateNonnegative } from '../validation.js';
import { child, deepEqual, fieldString, rec, setDefault, setDefaultString, sortedKeys, str, type Obj } from './fields.js';
import { immutable, withMeta } from './object-meta.js';
import { defaultPodTemplate, normalizePodTemplate } from './pod-spec-defaults.js';
import { validateSelectorAndTemplate, validatePodTemplateSpec } from './workload-common.js';
import { validateTemplateRestartPolicy } from './pod-spec-validation.js';

export interface Job extends KubeObject {
  spec?: {
    parallelism?: number;
    completions?: number;
    activeDeadlineSeconds?: number;
    backoffLimit?: number;
    backoffLimitPerIndex?: number;
    selector?: unknown;
    manualSelector?: boolean;
    template?: { metadata?: { labels?: Record<string, string> }; spec?: unknown };
    ttlSecondsAfterFinished?: number;
    completionMode?: string;
    suspend?: boolean;
    podReplacementPolicy?: string;
    podFailurePolicy?: unknown;
  };
  status?: { succeeded?: number; [k: string]: unknown };
}

export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
const LEGACY_JOB_NAME_LABEL = 'job-name';
const MAX_INT32 = 2147483647;

/** Job spec defaults (SetDefaults_Job, without the object-level label copy). */
export function defaultJobSpec(spec: Obj): void {
  if ((spec.completions === undefined || spec.completions === null) && (spec.parallelism === undefined || spec.parallelism === null)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null ? MAX_INT32 : 6);
  setDefaultString(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  setDefaultString(spec, 'podReplacementPolicy', spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed');
  defaultPodTemplate(child(spec, 'template'));
}

/**
 * The selector upstream generates on create unless manualSelector is true:
 * needs metadata.uid, so it is a no-op until the REST layer has set one.
 */
export function generateJobSelector(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  const uid = obj.metadata.uid;
  const name = obj.metadata.name;
  if (spec.manualSelector === true || !uid || !name) return;
  const labels = child(child(child(spec, 'template'), 'metadata'), 'labels');
  for (const k of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) if (labels[k] === undefined) labels[k] = name;
  for (const k of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) if (labels[k] === undefined) labels[k] = uid;
  const matchLabels = child(child(spec, 'selector'), 'matchLabels');
  if (matchLabels[CONTROLLER_UID_LABEL] === undefined) matchLabels[CONTROLLER_UID_LABEL] = uid;
}

export function defaultJob(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  defaultJobSpec(spec);
  generateJobSelector(obj);
  // SetDefaults_Job: a Job without labels takes its template's.
  const tl = rec(rec(rec(spec.template)?.metadata)?.labels);
  const own = obj.metadata.labels;
  if (tl && Object.keys(tl).length > 0 && (!own || Object.keys(own).length === 0)) {
    obj.metadata.labels = { ...(tl as Record<string, string>) };
  }
}

/** JobSpec rules shared with CronJob's jobTemplate. */
export function validateJobSpec(spec: Obj, path: string, withSelector: boolean): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex']) {
    errs.push(...validateNonnegative(spec[f], `${path}.${f}`));
  }
  const ads = spec.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null && (typeof ads !== 'number' || ads <= 0)) {
    errs.push(invalidValue(`${path}.activeDeadlineSeconds`, ads, 'must be greater than 0'));
  }
  const mode = str(spec.completionMode);
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
  if (mode === 'Indexed' && (spec.completions === undefined || spec.completions === null)) {
    errs.push(required(`${path}.completions`, `when completion mode is Indexed`));
  }
  const prp = str(spec.podReplacementPolicy);
  if (prp !== undefined && prp !== 'TerminatingOrFailed' && prp !== 'Failed') {
    errs.push(notSupported(`${path}.podReplacementPolicy`, prp, ['TerminatingOrFailed', 'Failed']));
  }
  if (withSelector && (spec.selector !== undefined || spec.manualSelector === true)) {
    errs.push(...validateSelectorAndTemplate(spec, { restartPolicies: ['OnFailure', 'Never'] }, path));
  } else {
    errs.push(...validatePodTemplateSpec(spec.template, `${path}.template`));
    errs.push(...validateTemplateRestartPolicy(rec(spec.template)?.spec, `${path}.template.spec`, ['OnFailure', 'Never']));
  }
  return errs;
}

function validateJobUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const n = rec(obj.spec) ?? {};
  const o = rec(old.spec) ?? {};
  const errs = immutable(sortedKeys(n.selector), sortedKeys(o.selector), 'spec.selector', deepEqual);
  // A suspended Job that never started may change its template (upstream allows it for queueing).
  const mayChangeTemplate = o.suspend === true && !rec(old.status)?.startTime;
  if (!mayChangeTemplate) errs.push(...immutable(n.template, o.template, 'spec.template', deepEqual));
  errs.push(...immutable(n.completionMode, o.completionMode, 'spec.completionMode', deepEqual));
  if (n.completionMode !== 'Indexed') errs.push(...immutable(n.completions, o.completions, 'spec.completions', deepEqual));
  return errs;
}

export const jobs: ResourceEntry = {
  group: 'batch',
  version: 'v1',
  resource: 'jobs',
  singular: 'job',
  kind: 'Job',
  namespaced: true,
  categories: ['all'],
  storagePrefix: '/registry/jobs/',
  subresources: { status: true },
  specFields: ['spec'],
  defaults: defaultJob,
  normalize: (obj) => normalizePodTemplate(rec(obj.spec)?.template),
  validate: withMeta({ namespaced: true, name: nameIsDNSSubdomain }, (obj, old) => {
    const errs = validateJobSpec(rec(obj.spec) ?? {}, 'spec', true);
    if (old) errs.push(...validateJobUpdate(obj, old));
    return errs;
  }),
  fieldSelectors: { 'status.successful': (o) => fieldString(o, 'status.succeeded') || '0' },
};
