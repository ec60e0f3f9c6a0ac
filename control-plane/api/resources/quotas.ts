/**
 * core/v1 resourcequotas and limitranges: quantity maps in canonical form,
 * LimitRange container defaults (default from max, defaultRequest from
 * default then min), and quantity/scope validation.
 */
import { invalidValue, notSupported, type FieldError } from '../field-errors.js';
import type { KubeObject } from '../meta.js';
import type { ResourceEntry } from '../resource-table.js';
import { nameIsDNSSubdomain } from '../validation.js';
import { objs, rec, str } from './fields.js';
import { withMeta } from './object-meta.js';
import { normalizeResourceList } from './pod-spec-defaults.js';
import { validateResourceList } from './pod-spec-validation.js';

export interface ResourceQuota extends KubeObject {
  spec?: { hard?: Record<string, string>; scopes?: string[]; scopeSelector?: unknown };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

export interface LimitRange extends KubeObject {
  spec?: { limits?: { type?: string; max?: Record<string, string>; min?: Record<string, string>; default?: Record<string, string>; defaultRequest?: Record<string, string>; maxLimitRequestRatio?: Record<string, string> }[] };
}

const SCOPES = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating', 'VolumeAttributesClass'];

function validateQuota(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = rec(obj.spec) ?? {};
  validateResourceList(spec.hard, 'spec.hard', errs);
  const status = rec(obj.status) ?? {};
  validateResourceList(status.hard, 'status.hard', errs);
  validateResourceList(status.used, 'status.used', errs);
  (Array.isArray(spec.scopes) ? spec.scopes : []).forEach((s, i) => {
    if (typeof s !== 'string' || !SCOPES.includes(s)) errs.push(notSupported(`spec.scopes[${i}]`, s, SCOPES));
  });
  return errs;
}

export const resourcequotas: ResourceEntry = {
  group: '',
  version: 'v1',
  resource: 'resourcequotas',
  singular: 'resourcequota',
  kind: 'ResourceQuota',
  namespaced: true,
  shortNames: ['quota'],
  storagePrefix: '/registry/resourcequotas/',
  subresources: { status: true },
  specFields: [],
  normalize: (obj) => {
    normalizeResourceList(rec(obj.spec)?.hard);
    const status = rec(obj.status);
    normalizeResourceList(status?.hard);
    normalizeResourceList(status?.used);
  },
  validate: withMeta({ namespaced: true, name: nameIsDNSSubdomain }, (obj) => validateQuota(obj)),
};

const LIMIT_TYPES = ['Container', 'Pod', 'PersistentVolumeClaim'];
const LIMIT_MAPS = ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'];

export function defaultLimitRange(obj: KubeObject): void {
  for (const item of objs(rec(obj.spec)?.limits)) {
    if (item.type !== 'Container') continue;
    const def = { ...(rec(item.default) ?? {}) };
    const req = { ...(rec(item.defaultRequest) ?? {}) };
    for (const [k, v] of Object.entries(rec(item.max) ?? {})) if (def[k] === undefined) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (req[k] === undefined) req[k] = v;
    for (const [k, v] of Object.entries(rec(item.min) ?? {})) if (req[k] === undefined) req[k] = v;
    // Empty maps are omitted, as Go's omitempty does.
    if (Object.keys(def).length > 0) item.default = def;
    if (Object.keys(req).length > 0) item.defaultRequest = req;
  }
}

function validateLimitRange(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  objs(rec(obj.spec)?.limits).forEach((item, i) => {
    const path = `spec.limits[${i}]`;
    const type = str(item.type) ?? '';
    if (!LIMIT_TYPES.includes(type)) errs.push(notSupported(`${path}.type`, type, LIMIT_TYPES));
    for (const m of LIMIT_MAPS) validateResourceList(item[m], `${path}.${m}`, errs);
    if (type === 'Pod' && (rec(item.default) || rec(item.defaultRequest))) {
      errs.push(invalidValue(`${path}.default`, item.default ?? {}, 'may not be specified when `type` is \'Pod\''));
    }
  });
  return errs;
}

export const limitranges: ResourceEntry = {
  group: '',
  version: 'v1',
  resource: 'limitranges',
  singular: 'limitrange',
  kind: 'LimitRange',
  namespaced: true,
  shortNames: ['limits'],
  storagePrefix: '/registry/limitranges/',
  specFields: [],
  defaults: defaultLimitRange,
  normalize: (obj) => {
    for (const item of objs(rec(obj.spec)?.limits)) for (const m of LIMIT_MAPS) normalizeResourceList(item[m]);
  },
  validate: withMeta({ namespaced: true, name: nameIsDNSSubdomain }, (obj) => validateLimitRange(obj)),
};

