/**
 * core/v1 configmaps and secrets: key syntax, the 1 MiB size limit, the
 * `immutable: true` lock, secret types and their required keys, and
 * Secret `stringData` folded into base64 `data` (never stored).
 */
import { forbiddenField, invalidValue, required, tooLong, type FieldError } from '../field-errors.js';
import type { KubeObject } from '../meta.js';
import type { ResourceEntry } from '../resource-table.js';
import { nameIsDNSSubdomain, regexError } from '../validation.js';
import { deepEqual, fieldString, rec, setDefaultString, str } from './fields.js';
import { immutable, withMeta } from './object-meta.js';

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  immutable?: boolean;
}

export interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  immutable?: boolean;
}

/** core.MaxSecretSize, also the ConfigMap limit. */
export const MAX_DATA_SIZE = 1024 * 1024;
const KEY_FMT = '[-._a-zA-Z0-9]+';
const KEY_RE = /^[-._a-zA-Z0-9]+$/;

/** Upstream's IsConfigMapKey (also used for secret keys). */
export function isConfigMapKey(k: string): string[] {
  const errs: string[] = [];
  if (k.length > 253) errs.push('must be no more than 253 characters');
  if (!KEY_RE.test(k)) errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", KEY_FMT, 'key.name', 'KEY_NAME', 'key-name'));
  if (k === '.') errs.push("must not be '.'");
  else if (k === '..') errs.push("must not be '..'");
  else if (k.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

function validateKeys(map: unknown, path: string, errs: FieldError[]): void {
  for (const k of Object.keys(rec(map) ?? {})) for (const m of isConfigMapKey(k)) errs.push(invalidValue(`${path}[${k}]`, k, m));
}

/** Once `immutable: true` is stored, neither the data nor the flag may change. */
function validateImmutableData(obj: KubeObject, old: KubeObject, fields: string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (obj.immutable !== true) errs.push(forbiddenField('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) {
    if (!deepEqual(obj[f] ?? {}, old[f] ?? {})) errs.push(forbiddenField(f, 'field is immutable when `immutable` is set'));
  }
  return errs;
}

function validateConfigMap(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  validateKeys(obj.data, 'data', errs);
  validateKeys(obj.binaryData, 'binaryData', errs);
  const data = rec(obj.data) ?? {};
  let size = 0;
  for (const [k, v] of Object.entries(data)) size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  for (const [k, v] of Object.entries(rec(obj.binaryData) ?? {})) {
    if (k in data) errs.push(invalidValue(`binaryData[${k}]`, k, 'duplicate of key present in data'));
    size += Buffer.byteLength(k) + Buffer.from(String(v), 'base64').length;
  }
  if (size > MAX_DATA_SIZE) errs.push(tooLong('data', '', MAX_DATA_SIZE));
  if (old) errs.push(...validateImmutableData(obj, old, ['data', 'binaryData']));
  return errs;
}

export const configmaps: ResourceEntry = {
  group: '',
  version: 'v1',
  resource: 'configmaps',
  singular: 'configmap',
  kind: 'ConfigMap',
  namespaced: true,
  shortNames: ['cm'],
  storagePrefix: '/registry/configmaps/',
  specFields: [],
  validate: withMeta({ namespaced: true, name: nameIsDNSSubdomain }, validateConfigMap),
};

/** Folds stringData into data (base64), stringData winning, and drops stringData. */
export function foldStringData(obj: KubeObject): void {
  const sd = rec(obj.stringData);
  if (sd) {
    const data = { ...(rec(obj.data) ?? {}) };
    for (const [k, v] of Object.entries(sd)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    obj.data = data;
  }
  delete obj.stringData;
}

const REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

function validateSecret(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  validateKeys(obj.data, 'data', errs);
  validateKeys(obj.stringData, 'stringData', errs);
  const data = rec(obj.data) ?? {};
  let size = 0;
  for (const [k, v] of Object.entries(data)) size += Buffer.byteLength(k) + Buffer.from(String(v), 'base64').length;
  if (size > MAX_DATA_SIZE) errs.push(tooLong('data', '', MAX_DATA_SIZE));
  const type = str(obj.type) ?? '';
  for (const key of REQUIRED_KEYS[type] ?? []) if (!(key in data)) errs.push(required(`data[${key}]`));
  if (type === 'kubernetes.io/service-account-token' && !obj.metadata.annotations?.['kubernetes.io/service-account.name']) {
    errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
  }
  if (type === 'kubernetes.io/basic-auth' && !('username' in data) && !('password' in data)) {
    errs.push(required('data[username]', 'either username or password is required for basic authentication'));
  }
  if (old) {
    errs.push(...immutable(obj.type, old.type, 'type', (a, b) => a === b));
    errs.push(...validateImmutableData(obj, old, ['data']));
  }
  return errs;
}

export const secrets: ResourceEntry = {
  group: '',
  version: 'v1',
  resource: 'secrets',
  singular: 'secret',
  kind: 'Secret',
  namespaced: true,
  storagePrefix: '/registry/secrets/',
  specFields: [],
  defaults: (obj) => {
    setDefaultString(obj, 'type', 'Opaque');
    // Upstream folds stringData while decoding, before validation sees the object.
    foldStringData(obj);
  },
  normalize: foldStringData,
  validate: withMeta({ namespaced: true, name: nameIsDNSSubdomain }, validateSecret),
  fieldSelectors: { type: (o) => fieldString(o, 'type') },
};
