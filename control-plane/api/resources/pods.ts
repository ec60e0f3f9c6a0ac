/**
 * core/v1 pods: defaults (pod spec, plus the Pod-only ones: requests from
 * limits, enableServiceLinks, priority), validation including upstream's
 * update rule (only images, activeDeadlineSeconds, added tolerations and a
 * negative terminationGracePeriodSeconds may change), QoS class, field
 * selectors and graceful deletion.
 */
import { forbiddenField, invalidValue, type FieldError } from '../field-errors.js';
import type { KubeObject } from '../meta.js';
import { tryParseQuantity, quantityNano } from '../quantity.js';
import type { DeletionDecision, ResourceEntry } from '../resource-table.js';
import { nameIsDNSSubdomain } from '../validation.js';
import { child, clone, deepEqual, fieldString, objs, rec, setDefault, str, type Obj } from './fields.js';
import { withMeta } from './object-meta.js';
import { defaultPodSpec, normalizePodSpec } from './pod-spec-defaults.js';
import { validatePodSpec } from './pod-spec-validation.js';

/** The parts of a Pod this module reads; the rest stays opaque. */
export interface Pod extends KubeObject {
  spec?: {
    nodeName?: string;
    containers?: unknown[];
    initContainers?: unknown[];
    terminationGracePeriodSeconds?: number;
    activeDeadlineSeconds?: number;
    tolerations?: unknown[];
    [k: string]: unknown;
  };
  status?: { phase?: string; qosClass?: string; [k: string]: unknown };
}

const SYSTEM_PRIORITIES: Record<string, number> = {
  'system-cluster-critical': 2000000000,
  'system-node-critical': 2000001000,
};

export const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

export function defaultPod(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  defaultPodSpec(spec);
  // SetDefaults_Pod: a container's requests default to its limits, on Pods only.
  for (const list of ['initContainers', 'containers']) {
    for (const c of objs(spec[list])) {
      const res = rec(c.resources);
      const limits = rec(res?.limits);
      if (!res || !limits || Object.keys(limits).length === 0) continue;
      const requests = child(res, 'requests');
      for (const [k, v] of Object.entries(limits)) if (requests[k] === undefined) requests[k] = v;
    }
  }
  setDefault(spec, 'enableServiceLinks', true);
  // What the Priority admission plugin fills in when no PriorityClass applies.
  const pcName = str(spec.priorityClassName);
  if (spec.priority === undefined || spec.priority === null) {
    const known = pcName ? SYSTEM_PRIORITIES[pcName] : 0;
    if (known !== undefined) spec.priority = known;
  }
  setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  const status = child(obj, 'status');
  setDefault(status, 'phase', 'Pending');
  setDefault(status, 'qosClass', podQOSClass(obj));
}

const QOS_RESOURCES = ['cpu', 'memory'];

/** Upstream's GetPodQOS: Guaranteed, Burstable or BestEffort from cpu/memory requests and limits. */
export function podQOSClass(obj: KubeObject): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const spec = rec(obj.spec) ?? {};
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  for (const c of [...objs(spec.initContainers), ...objs(spec.containers)]) {
    const res = rec(c.resources) ?? {};
    for (const [k, v] of Object.entries(rec(res.requests) ?? {})) {
      const n = nano(v);
      if (QOS_RESOURCES.includes(k) && n > 0n) requests.set(k, (requests.get(k) ?? 0n) + n);
    }
    const found = new Set<string>();
    for (const [k, v] of Object.entries(rec(res.limits) ?? {})) {
      const n = nano(v);
      if (QOS_RESOURCES.includes(k) && n > 0n) {
        found.add(k);
        limits.set(k, (limits.get(k) ?? 0n) + n);
      }
    }
    if (!QOS_RESOURCES.every((r) => found.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) for (const [k, v] of requests) if (limits.get(k) !== v) guaranteed = false;
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

function nano(v: unknown): bigint {
  const q = typeof v === 'string' || typeof v === 'number' ? tryParseQuantity(v) : undefined;
  return q ? quantityNano(q) : 0n;
}

export function validatePodUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const newSpec = rec(obj.spec) ?? {};
  const oldSpec = clone(rec(old.spec) ?? {});
  // Copy what may change from new into a copy of old; anything still different is forbidden.
  for (const list of ['containers', 'initContainers']) {
    const n = objs(newSpec[list]);
    const o = objs(oldSpec[list]);
    if (n.length !== o.length) continue;
    o.forEach((c, i) => {
      const img = n[i]?.image;
      if (img !== undefined) c.image = img;
    });
  }
  const oldAds = oldSpec.activeDeadlineSeconds;
  const newAds = newSpec.activeDeadlineSeconds;
  if (typeof oldAds === 'number' && (newAds === undefined || newAds === null)) {
    errs.push(invalidValue('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  } else if (typeof oldAds === 'number' && typeof newAds === 'number' && newAds > oldAds) {
    errs.push(invalidValue('spec.activeDeadlineSeconds', newAds, 'must be less than or equal to previous value'));
  }
  if (newAds === undefined) delete oldSpec.activeDeadlineSeconds;
  else oldSpec.activeDeadlineSeconds = newAds;
  const oldTol = objs(oldSpec.tolerations);
  const newTol = objs(newSpec.tolerations);
  if (oldTol.every((t) => newTol.some((n) => deepEqual(n, t)))) {
    if (newSpec.tolerations === undefined) delete oldSpec.tolerations;
    else oldSpec.tolerations = newSpec.tolerations;
  }
  if (typeof oldSpec.terminationGracePeriodSeconds === 'number' && oldSpec.terminationGracePeriodSeconds < 0 && newSpec.terminationGracePeriodSeconds === 1) {
    oldSpec.terminationGracePeriodSeconds = 1;
  }
  if (!deepEqual(newSpec, oldSpec)) {
    errs.push(forbiddenField('spec', `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${specDiff(oldSpec, newSpec)}`));
  }
  return errs;
}

/** A short `-`/`+` listing of the top-level spec fields that differ (upstream prints a cmp.Diff here). */
function specDiff(oldSpec: Obj, newSpec: Obj): string {
  const keys = [...new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])].sort();
  const lines = ['  core.PodSpec{'];
  for (const k of keys) {
    if (deepEqual(oldSpec[k], newSpec[k])) continue;
    if (oldSpec[k] !== undefined) lines.push(`- \t${k}: ${JSON.stringify(oldSpec[k])},`);
    if (newSpec[k] !== undefined) lines.push(`+ \t${k}: ${JSON.stringify(newSpec[k])},`);
  }
  lines.push('  }');
  return lines.join('\n');
}

/** Bound, running pods go through graceful termination; the rest are removed at once. */
export function podDeletion(obj: KubeObject, requested: number | undefined): DeletionDecision {
  const spec = rec(obj.spec) ?? {};
  const phase = str(rec(obj.status)?.phase) ?? '';
  if (!str(spec.nodeName) || phase === 'Succeeded' || phase === 'Failed' || requested === 0) {
    return { graceful: false, gracePeriodSeconds: 0 };
  }
  const tgps = typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30;
  return { graceful: true, gracePeriodSeconds: requested ?? tgps };
}

export const pods: ResourceEntry = {
  group: '',
  version: 'v1',
  resource: 'pods',
  singular: 'pod',
  kind: 'Pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  storagePrefix: '/registry/pods/',
  subresources: { status: true, others: ['binding', 'eviction', 'log', 'exec', 'attach', 'portforward'] },
  specFields: ['spec'],
  defaults: defaultPod,
  normalize: (obj) => normalizePodSpec(obj.spec),
  validate: withMeta({ namespaced: true, name: nameIsDNSSubdomain }, (obj, old) => {
    const errs = validatePodSpec(obj.spec, 'spec');
    if (old) errs.push(...validatePodUpdate(obj, old));
    return errs;
  }),
  fieldSelectors: {
    'spec.nodeName': (o) => fieldString(o, 'spec.nodeName'),
    'spec.restartPolicy': (o) => fieldString(o, 'spec.restartPolicy'),
    'spec.schedulerName': (o) => fieldString(o, 'spec.schedulerName'),
    'spec.serviceAccountName': (o) => fieldString(o, 'spec.serviceAccountName'),
    'spec.hostNetwork': (o) => String(rec(o.spec)?.hostNetwork === true),
    'status.phase': (o) => fieldString(o, 'status.phase'),
    'status.podIP': (o) => fieldString(o, 'status.podIP'),
    'status.nominatedNodeName': (o) => fieldString(o, 'status.nominatedNodeName'),
  },
  deletion: podDeletion,
};
