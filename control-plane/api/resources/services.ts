/**
 * core/v1 services: upstream defaults (ClusterIP, sessionAffinity None,
 * traffic policies, TCP ports with targetPort = port, single-stack IPv4
 * families) and validation (DNS-1035 names, ports, types, external names,
 * clusterIP immutability once set).
 */
import { duplicate, forbiddenField, invalidValue, notSupported, required, type FieldError } from '../field-errors.js';
import { isZeroIntOrString, validatePortNumOrName } from '../intstr.js';
import type { KubeObject } from '../meta.js';
import type { ResourceEntry } from '../resource-table.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortNum, nameIsDNS1035Label, validateLabels } from '../validation.js';
import { child, fieldString, objs, rec, setDefault, setDefaultString, str, type Obj } from './fields.js';
import { withMeta } from './object-meta.js';

export interface ServicePort {
  name?: string;
  protocol?: string;
  port?: number;
  targetPort?: number | string;
  nodePort?: number;
  appProtocol?: string;
}

export interface Service extends KubeObject {
  spec?: {
    type?: string;
    ports?: ServicePort[];
    selector?: Record<string, string>;
    clusterIP?: string;
    clusterIPs?: string[];
    externalName?: string;
    sessionAffinity?: string;
    externalTrafficPolicy?: string;
    internalTrafficPolicy?: string;
    ipFamilyPolicy?: string;
    ipFamilies?: string[];
    [k: string]: unknown;
  };
  status?: { loadBalancer?: unknown; conditions?: unknown[] };
}

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const FAMILY_POLICIES = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];

export function defaultService(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  setDefaultString(spec, 'type', 'ClusterIP');
  setDefaultString(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'ClientIP') {
    setDefault(child(child(spec, 'sessionAffinityConfig'), 'clientIP'), 'timeoutSeconds', 10800);
  }
  for (const p of objs(spec.ports)) {
    setDefaultString(p, 'protocol', 'TCP');
    if (isZeroIntOrString(p.targetPort)) p.targetPort = p.port;
  }
  const type = spec.type;
  if (type === 'NodePort' || type === 'LoadBalancer') setDefaultString(spec, 'externalTrafficPolicy', 'Cluster');
  if (type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  if (type === 'ExternalName') return;
  setDefaultString(spec, 'internalTrafficPolicy', 'Cluster');
  // clusterIP and clusterIPs describe the same thing; keep them in step.
  const ips = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [];
  const ip = str(spec.clusterIP) ?? '';
  if (ip && ips.length === 0) spec.clusterIPs = [ip];
  else if (!ip && typeof ips[0] === 'string') spec.clusterIP = ips[0];
  const headlessNoSelector = spec.clusterIP === 'None' && Object.keys(rec(spec.selector) ?? {}).length === 0;
  setDefaultString(spec, 'ipFamilyPolicy', headlessNoSelector ? 'RequireDualStack' : 'SingleStack');
  if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) {
    spec.ipFamilies = spec.ipFamilyPolicy === 'RequireDualStack' ? ['IPv4', 'IPv6'] : ['IPv4'];
  }
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIP(s: string): boolean {
  if (IPV4.test(s)) return true;
  return s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s) && (s.match(/::/g)?.length ?? 0) <= 1;
}

function validatePorts(spec: Obj, type: string, errs: FieldError[]): void {
  const ports = objs(spec.ports);
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const path = `spec.ports[${i}]`;
    const name = str(p.name) ?? '';
    if (ports.length > 1 && !name) errs.push(required(`${path}.name`));
    if (name) {
      for (const m of isDNS1123Label(name)) errs.push(invalidValue(`${path}.name`, name, m));
      if (names.has(name)) errs.push(duplicate(`${path}.name`, name));
      names.add(name);
    }
    const port = p.port;
    for (const m of isValidPortNum(typeof port === 'number' ? port : 0)) errs.push(invalidValue(`${path}.port`, port ?? 0, m));
    const proto = str(p.protocol) ?? '';
    if (!proto) errs.push(required(`${path}.protocol`));
    else if (!PROTOCOLS.includes(proto)) errs.push(notSupported(`${path}.protocol`, proto, PROTOCOLS));
    if (p.targetPort !== undefined) errs.push(...validatePortNumOrName(p.targetPort, `${path}.targetPort`));
    const np = p.nodePort;
    if (np !== undefined && np !== null && np !== 0) {
      if (type !== 'NodePort' && type !== 'LoadBalancer') errs.push(forbiddenField(`${path}.nodePort`, `may not be used when \`type\` is '${type}'`));
      else for (const m of isValidPortNum(Number(np))) errs.push(invalidValue(`${path}.nodePort`, np, m));
    }
    const key = `${String(port)}/${proto}`;
    if (seen.has(key)) errs.push(duplicate(path, { port, protocol: proto }));
    seen.add(key);
  });
}

export function validateServiceSpec(obj: KubeObject): FieldError[] {
  const spec = rec(obj.spec) ?? {};
  const errs: FieldError[] = [];
  const type = str(spec.type) ?? '';
  if (!TYPES.includes(type)) errs.push(notSupported('spec.type', type, TYPES));
  const ip = str(spec.clusterIP) ?? '';
  const headless = ip === 'None';
  if (objs(spec.ports).length === 0 && !headless && type !== 'ExternalName') errs.push(required('spec.ports'));
  validatePorts(spec, type, errs);
  if (type === 'ExternalName') {
    const en = str(spec.externalName) ?? '';
    if (!en) errs.push(required('spec.externalName'));
    else for (const m of isDNS1123Subdomain(en.replace(/\.$/, ''))) errs.push(invalidValue('spec.externalName', en, m));
  } else {
    (Array.isArray(spec.clusterIPs) ? spec.clusterIPs : []).forEach((v, i) => {
      const s = String(v);
      if (s === 'None' && i === 0) return;
      if (!isIP(s)) errs.push(invalidValue(`spec.clusterIPs[${i}]`, s, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
    });
    if (headless && type !== 'ClusterIP') errs.push(invalidValue('spec.clusterIPs[0]', 'None', 'may not be set to \'None\' for LoadBalancer or NodePort services'));
  }
  const aff = str(spec.sessionAffinity) ?? '';
  if (!AFFINITIES.includes(aff)) errs.push(notSupported('spec.sessionAffinity', aff, AFFINITIES));
  for (const f of ['externalTrafficPolicy', 'internalTrafficPolicy']) {
    const v = str(spec[f]);
    if (v !== undefined && !TRAFFIC_POLICIES.includes(v)) errs.push(notSupported(`spec.${f}`, v, TRAFFIC_POLICIES));
  }
  if (str(spec.externalTrafficPolicy) && type !== 'NodePort' && type !== 'LoadBalancer') {
    errs.push(invalidValue('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set when `type` is \'NodePort\' or \'LoadBalancer\''));
  }
  const fp = str(spec.ipFamilyPolicy);
  if (fp !== undefined && !FAMILY_POLICIES.includes(fp)) errs.push(notSupported('spec.ipFamilyPolicy', fp, FAMILY_POLICIES));
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  return errs;
}

/** Once allocated, the primary cluster IP stays (unless the type is or becomes ExternalName). */
export function validateServiceUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const n = rec(obj.spec) ?? {};
  const o = rec(old.spec) ?? {};
  if (n.type === 'ExternalName' || o.type === 'ExternalName') return [];
  const oldIPs = Array.isArray(o.clusterIPs) ? o.clusterIPs : [];
  const newIPs = Array.isArray(n.clusterIPs) ? n.clusterIPs : [];
  if (oldIPs.length > 0 && oldIPs[0] !== newIPs[0]) return [invalidValue('spec.clusterIPs[0]', newIPs, 'may not change once set')];
  return [];
}

export const services: ResourceEntry = {
  group: '',
  version: 'v1',
  resource: 'services',
  singular: 'service',
  kind: 'Service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  storagePrefix: '/registry/services/specs/',
  subresources: { status: true, others: ['proxy'] },
  specFields: [],
  defaults: defaultService,
  validate: withMeta({ namespaced: true, name: nameIsDNS1035Label }, (obj, old) => {
    const errs = validateServiceSpec(obj);
    if (old) errs.push(...validateServiceUpdate(obj, old));
    return errs;
  }),
  fieldSelectors: {
    'spec.clusterIP': (o) => fieldString(o, 'spec.clusterIP'),
    'spec.type': (o) => fieldString(o, 'spec.type'),
  },
};
