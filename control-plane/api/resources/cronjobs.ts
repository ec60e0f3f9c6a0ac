/**
 * batch/v1 cronjobs: defaults (concurrencyPolicy Allow, suspend false,
 * history limits 3/1, pod template of the job template) and validation
 * (schedule syntax, policy values, name length, the job template).
 */
import { invalidValue, notSupported, required, type FieldError } from '../field-errors.js';
import type { KubeObject } from '../meta.js';
import type { ResourceEntry } from '../resource-table.js';
import { maxLenError, nameIsDNSSubdomain, validateAnnotations, validateLabels, validateNonnegative } from '../validation.js';
import { child, rec, setDefault, setDefaultString, str } from './fields.js';
import { withMeta } from './object-meta.js';
import { defaultPodTemplate, normalizePodTemplate } from './pod-spec-defaults.js';
import { validateJobSpec } from './jobs.js';

export interface CronJob extends KubeObject {
  spec?: {
    schedule?: string;
    timeZone?: string;
    startingDeadlineSeconds?: number;
    concurrencyPolicy?: string;
    suspend?: boolean;
    jobTemplate?: { metadata?: unknown; spec?: Record<string, unknown> };
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
  };
  status?: Record<string, unknown>;
}

/** Job names get an 11-character suffix, so CronJob names stop at 52. */
const CRONJOB_NAME_MAX = 52;
const MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

export function defaultCronJob(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  setDefaultString(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  defaultPodTemplate(child(child(child(spec, 'jobTemplate'), 'spec'), 'template'));
}

/** Standard 5-field cron syntax or a descriptor; returns the parser's complaint, or undefined. */
export function cronScheduleError(schedule: string): string | undefined {
  const s = schedule.trim().replace(/^(CRON_)?TZ=\S+\s+/, '');
  if (s.startsWith('@')) {
    if (MACROS.includes(s) || /^@every\s+\S+$/.test(s)) return undefined;
    return `unrecognized descriptor: ${s}`;
  }
  const fields = s.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`;
  const ranges: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6]];
  for (let i = 0; i < 5; i++) {
    const f = fields[i] ?? '';
    const [lo, hi] = ranges[i] ?? [0, 0];
    for (const part of f.split(',')) {
      const m = /^(\*|\?|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:\/([0-9]+))?$/.exec(part);
      if (!m) return `failed to parse int from ${part}: strconv.Atoi: parsing "${part}": invalid syntax`;
      const range = m[1] ?? '';
      if (range === '*' || range === '?') continue;
      for (const n of range.split('-')) {
        if (/^[0-9]+$/.test(n) && (Number(n) < lo || Number(n) > hi)) return `end of range (${n}) above maximum (${hi}): ${part}`;
      }
    }
  }
  return undefined;
}

function validateCronJob(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const name = obj.metadata.name ?? '';
  if (name.length > CRONJOB_NAME_MAX) errs.push(invalidValue('metadata.name', name, maxLenError(CRONJOB_NAME_MAX)));
  const spec = rec(obj.spec) ?? {};
  const schedule = str(spec.schedule) ?? '';
  if (!schedule) errs.push(required('spec.schedule'));
  else {
    const err = cronScheduleError(schedule);
    if (err) errs.push(invalidValue('spec.schedule', schedule, err));
  }
  const cp = str(spec.concurrencyPolicy) ?? '';
  if (!['Allow', 'Forbid', 'Replace'].includes(cp)) errs.push(notSupported('spec.concurrencyPolicy', cp, ['Allow', 'Forbid', 'Replace']));
  for (const f of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) {
    errs.push(...validateNonnegative(spec[f], `spec.${f}`));
  }
  const jt = rec(spec.jobTemplate);
  if (!jt) {
    errs.push(required('spec.jobTemplate'));
    return errs;
  }
  const meta = rec(jt.metadata) ?? {};
  errs.push(...validateLabels(meta.labels, 'spec.jobTemplate.metadata.labels'));
  errs.push(...validateAnnotations(meta.annotations, 'spec.jobTemplate.metadata.annotations'));
  errs.push(...validateJobSpec(rec(jt.spec) ?? {}, 'spec.jobTemplate.spec', false));
  return errs;
}

export const cronjobs: ResourceEntry = {
  group: 'batch',
  version: 'v1',
  resource: 'cronjobs',
  singular: 'cronjob',
  kind: 'CronJob',
  namespaced: true,
  shortNames: ['cj'],
  categories: ['all'],
  storagePrefix: '/registry/cronjobs/',
  subresources: { status: true },
  specFields: ['spec'],
  defaults: defaultCronJob,
  normalize: (obj) => normalizePodTemplate(rec(rec(rec(obj.spec)?.jobTemplate)?.spec)?.template),
  validate: withMeta({ namespaced: true, name: nameIsDNSSubdomain }, (obj) => validateCronJob(obj)),
};
