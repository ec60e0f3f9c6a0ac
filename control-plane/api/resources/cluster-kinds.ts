/**
 * The small kinds of the non-core groups: coordination.k8s.io/v1 leases,
 * discovery.k8s.io/v1 endpointslices, scheduling.k8s.io/v1 priorityclasses
 * and policy/v1 poddisruptionbudgets, each with upstream's defaults and
 * the validation kubectl users meet.
 */
import { duplicate, forbiddenField, invalidValue, notSupported, required, type FieldError } from '../field-errors.js';
import { validatePositiveIntOrPercent, validateNotMoreThan100Percent } from '../intstr.js';
import type { KubeObject } from '../meta.js';
import type { ResourceEntry } from '../resource-table.js';
import { isDNS1123Label, isValidPortNum, nameIsDNSSubdomain, validateNonnegative } from '../validation.js';
import { child, objs, rec, setDefault, setDefaultString, sortedKeys, str } from './fields.js';
import { validateLabelSelector } from './label-selector.js';
import { immutable, withMeta } from './object-meta.js';

export interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

export const leases: ResourceEntry = {
  group: 'coordination.k8s.io',
  version: 'v1',
  resource: 'leases',
  singular: 'lease',
  kind: 'Lease',
  namespaced: true,
  storagePrefix: '/registry/leases/',
  specFields: [],
  validate: withMeta({ namespaced: true, name: nameIsDNSSubdomain }, (obj) => {
    const spec = rec(obj.spec) ?? {};
    const errs: FieldError[] = [];
    const d = spec.leaseDurationSeconds;
    if (d !== undefined && d !== null && (typeof d !== 'number' || d <= 0)) errs.push(invalidValue('spec.leaseDurationSeconds', d, 'must be greater than 0'));
    errs.push(...validateNonnegative(spec.leaseTransitions, 'spec.leaseTransitions'));
    return errs;
  }),
};

export interface EndpointSlice extends KubeObject {
  addressType?: string;
  endpoints?: { addresses?: string[]; conditions?: unknown; nodeName?: string; targetRef?: unknown }[];
  ports?: { name?: string; protocol?: string; port?: number; appProtocol?: string }[];
}

const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function validateEndpointSlice(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const at = str(obj.addressType) ?? '';
  if (!at) errs.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(at)) errs.push(notSupported('addressType', at, ADDRESS_TYPES));
  objs(obj.endpoints).forEach((e, i) => {
    const addrs = Array.isArray(e.addresses) ? e.addresses : [];
    if (addrs.length === 0) errs.push(required(`endpoints[${i}].addresses`, 'must contain at least 1 address'));
    else if (addrs.length > 100) errs.push(invalidValue(`endpoints[${i}].addresses`, addrs.length, 'may not have more than 100 addresses'));
  });
  const names = new Set<string>();
  objs(obj.ports).forEach((p, i) => {
    const name = str(p.name) ?? '';
    if (name) for (const m of isDNS1123Label(name)) errs.push(invalidValue(`ports[${i}].name`, name, m));
    if (names.has(name)) errs.push(duplicate(`ports[${i}].name`, name));
    names.add(name);
    if (p.port !== undefined && p.port !== null) for (const m of isValidPortNum(Number(p.port))) errs.push(invalidValue(`ports[${i}].port`, p.port, m));
    const proto = str(p.protocol) ?? '';
    if (!PROTOCOLS.includes(proto)) errs.push(notSupported(`ports[${i}].protocol`, proto, PROTOCOLS));
  });
  if (old) errs.push(...immutable(obj.addressType, old.addressType, 'addressType', (a, b) => a === b));
  return errs;
}

export const endpointslices: ResourceEntry = {
  group: 'discovery.k8s.io',
  version: 'v1',
  resource: 'endpointslices',
  singular: 'endpointslice',
  kind: 'EndpointSlice',
  namespaced: true,
  storagePrefix: '/registry/endpointslices/',
  defaults: (obj) => {
    for (const p of objs(obj.ports)) {
      setDefault(p, 'name', '');
      setDefaultString(p, 'protocol', 'TCP');
    }
  },
  validate: withMeta({ namespaced: true, name: nameIsDNSSubdomain }, validateEndpointSlice),
};

export interface PriorityClass extends KubeObject {
  value?: number;
  globalDefault?: boolean;
  description?: string;
  preemptionPolicy?: string;
}

/** Upstream's HighestUserDefinablePriority. */
export const HIGHEST_USER_PRIORITY = 1000000000;
const SYSTEM_CLASSES: Record<string, number> = { 'system-cluster-critical': 2000000000, 'system-node-critical': 2000001000 };
const PREEMPTION_POLICIES = ['Never', 'PreemptLowerPriority'];

function validatePriorityClass(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const name = obj.metadata.name ?? '';
  const value = obj.value;
  if (name in SYSTEM_CLASSES) {
    if (value !== SYSTEM_CLASSES[name]) errs.push(invalidValue('value', value ?? null, `value of ${name} is not valid`));
  } else {
    if (name.startsWith('system-')) errs.push(invalidValue('metadata.name', name, "priority class names with 'system-' prefix are reserved"));
    if (typeof value !== 'number' || !Number.isInteger(value)) errs.push(required('value'));
    else if (value > HIGHEST_USER_PRIORITY) errs.push(invalidValue('value', value, `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`));
  }
  const pp = str(obj.preemptionPolicy);
  if (pp !== undefined && !PREEMPTION_POLICIES.includes(pp)) errs.push(notSupported('preemptionPolicy', pp, PREEMPTION_POLICIES));
  if (old) {
    if (obj.value !== old.value) errs.push(forbiddenField('value', 'may not be changed in an update.'));
    errs.push(...immutable(obj.preemptionPolicy, old.preemptionPolicy, 'preemptionPolicy', (a, b) => a === b));
  }
  return errs;
}

export const priorityclasses: ResourceEntry = {
  group: 'scheduling.k8s.io',
  version: 'v1',
  resource: 'priorityclasses',
  singular: 'priorityclass',
  kind: 'PriorityClass',
  namespaced: false,
  shortNames: ['pc'],
  storagePrefix: '/registry/priorityclasses/',
  specFields: [],
  defaults: (obj) => setDefaultString(obj, 'preemptionPolicy', 'PreemptLowerPriority'),
  validate: withMeta({ namespaced: false, name: nameIsDNSSubdomain }, validatePriorityClass),
};

export interface PodDisruptionBudget extends KubeObject {
  spec?: { minAvailable?: number | string; maxUnavailable?: number | string; selector?: unknown; unhealthyPodEvictionPolicy?: string };
  status?: Record<string, unknown>;
}

const EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

function validatePDB(obj: KubeObject): FieldError[] {
  const spec = rec(obj.spec) ?? {};
  const errs: FieldError[] = [];
  const hasMin = spec.minAvailable !== undefined && spec.minAvailable !== null;
  const hasMax = spec.maxUnavailable !== undefined && spec.maxUnavailable !== null;
  if (hasMin && hasMax) errs.push(invalidValue('spec', sortedKeys(spec), 'minAvailable and maxUnavailable cannot be both set'));
  for (const f of ['minAvailable', 'maxUnavailable']) {
    errs.push(...validatePositiveIntOrPercent(spec[f], `spec.${f}`));
    errs.push(...validateNotMoreThan100Percent(spec[f], `spec.${f}`));
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const p = str(spec.unhealthyPodEvictionPolicy);
  if (p !== undefined && !EVICTION_POLICIES.includes(p)) errs.push(notSupported('spec.unhealthyPodEvictionPolicy', p, EVICTION_POLICIES));
  return errs;
}

export const poddisruptionbudgets: ResourceEntry = {
  group: 'policy',
  version: 'v1',
  resource: 'poddisruptionbudgets',
  singular: 'poddisruptionbudget',
  kind: 'PodDisruptionBudget',
  namespaced: true,
  shortNames: ['pdb'],
  storagePrefix: '/registry/poddisruptionbudgets/',
  subresources: { status: true },
  specFields: ['spec'],
  defaults: (obj) => {
    // PrepareForCreate gives a new PDB an empty status with the counters at zero.
    const status = child(obj, 'status');
    for (const f of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods']) setDefault(status, f, 0);
  },
  validate: withMeta({ namespaced: true, name: nameIsDNSSubdomain }, (obj) => validatePDB(obj)),
};
