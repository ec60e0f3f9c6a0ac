/**
 * core/v1 serviceaccounts and endpoints: small kinds with little of their
 * own — endpoints ports default to TCP and addresses must be IPs.
 */
import { invalidValue, notSupported, required, type FieldError } from '../field-errors.js';
import type { KubeObject } from '../meta.js';
import type { ResourceEntry } from '../resource-table.js';
import { isDNS1123Label, isValidPortNum, nameIsDNSSubdomain } from '../validation.js';
import { objs, setDefaultString, str } from './fields.js';
import { withMeta } from './object-meta.js';
import { isIP } from './services.js';

export interface ServiceAccount extends KubeObject {
  secrets?: { name?: string }[];
  imagePullSecrets?: { name?: string }[];
  automountServiceAccountToken?: boolean;
}

export interface Endpoints extends KubeObject {
  subsets?: { addresses?: unknown[]; notReadyAddresses?: unknown[]; ports?: { name?: string; port?: number; protocol?: string }[] }[];
}

export const serviceaccounts: ResourceEntry = {
  group: '',
  version: 'v1',
  resource: 'serviceaccounts',
  singular: 'serviceaccount',
  kind: 'ServiceAccount',
  namespaced: true,
  shortNames: ['sa'],
  storagePrefix: '/registry/serviceaccounts/',
  subresources: { others: ['token'] },
  specFields: [],
  validate: withMeta({ namespaced: true, name: nameIsDNSSubdomain }),
};

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function validateEndpoints(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  objs(obj.subsets).forEach((s, i) => {
    const path = `subsets[${i}]`;
    for (const list of ['addresses', 'notReadyAddresses']) {
      objs(s[list]).forEach((a, j) => {
        const ip = str(a.ip) ?? '';
        if (!isIP(ip)) errs.push(invalidValue(`${path}.${list}[${j}].ip`, ip, 'must be a valid IP address'));
      });
    }
    const ports = objs(s.ports);
    ports.forEach((p, j) => {
      const pp = `${path}.ports[${j}]`;
      const name = str(p.name) ?? '';
      if (ports.length > 1 && !name) errs.push(required(`${pp}.name`));
      if (name) for (const m of isDNS1123Label(name)) errs.push(invalidValue(`${pp}.name`, name, m));
      for (const m of isValidPortNum(typeof p.port === 'number' ? p.port : 0)) errs.push(invalidValue(`${pp}.port`, p.port ?? 0, m));
      const proto = str(p.protocol) ?? '';
      if (!PROTOCOLS.includes(proto)) errs.push(notSupported(`${pp}.protocol`, proto, PROTOCOLS));
    });
  });
  return errs;
}

export const endpoints: ResourceEntry = {
  group: '',
  version: 'v1',
  resource: 'endpoints',
  singular: 'endpoints',
  kind: 'Endpoints',
  namespaced: true,
  shortNames: ['ep'],
  storagePrefix: '/registry/services/endpoints/',
  specFields: [],
  defaults: (obj) => {
    for (const s of objs(obj.subsets)) for (const p of objs(s.ports)) setDefaultString(p, 'protocol', 'TCP');
  },
  validate: withMeta({ namespaced: true, name: nameIsDNSSubdomain }, validateEndpoints),
};
