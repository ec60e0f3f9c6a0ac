/**
 * ObjectMeta validation every kind shares (upstream's ValidateObjectMeta
 * and ValidateObjectMetaUpdate): name syntax per kind, namespace presence,
 * labels, annotations, finalizers, and what may not change on update.
 */
import { forbiddenField, invalidValue, required, type FieldError } from '../field-errors.js';
import type { KubeObject } from '../meta.js';
import {
  isQualifiedName,
  nameIsDNSLabel,
  validateAnnotations,
  validateLabels,
  validateNonnegative,
  type NameValidator,
} from '../validation.js';
import { objs, str } from './fields.js';

export interface MetaRules {
  namespaced: boolean;
  name: NameValidator;
}

export function validateObjectMeta(obj: KubeObject, rules: MetaRules, path = 'metadata'): FieldError[] {
  const m = obj.metadata ?? {};
  const errs: FieldError[] = [];
  const generateName = str(m.generateName) ?? '';
  if (generateName) for (const msg of rules.name(generateName, true)) errs.push(invalidValue(`${path}.generateName`, generateName, msg));
  const name = str(m.name) ?? '';
  if (!name) errs.push(required(`${path}.name`, 'name or generateName is required'));
  else for (const msg of rules.name(name, false)) errs.push(invalidValue(`${path}.name`, name, msg));
  const ns = str(m.namespace) ?? '';
  if (rules.namespaced) {
    if (!ns) errs.push(required(`${path}.namespace`));
    else for (const msg of nameIsDNSLabel(ns, false)) errs.push(invalidValue(`${path}.namespace`, ns, msg));
  } else if (ns) {
    errs.push(forbiddenField(`${path}.namespace`, 'not allowed on this type'));
  }
  errs.push(...validateNonnegative(m.generation, `${path}.generation`));
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  errs.push(...validateFinalizers(m.finalizers, `${path}.finalizers`));
  objs(m.ownerReferences).forEach((r, i) => {
    const p = `${path}.ownerReferences[${i}]`;
    if (!str(r.apiVersion)) errs.push(invalidValue(`${p}.apiVersion`, r.apiVersion ?? '', 'version must not be empty'));
    if (!str(r.kind)) errs.push(invalidValue(`${p}.kind`, r.kind ?? '', 'kind must not be empty'));
    if (!str(r.name)) errs.push(invalidValue(`${p}.name`, r.name ?? '', 'name must not be empty'));
    if (!str(r.uid)) errs.push(invalidValue(`${p}.uid`, r.uid ?? '', 'uid must not be empty'));
  });
  return errs;
}

function validateFinalizers(finalizers: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(finalizers)) return errs;
  finalizers.forEach((f) => {
    const s = typeof f === 'string' ? f : '';
    for (const msg of isQualifiedName(s)) errs.push(invalidValue(path, f, msg));
    // Upstream: a finalizer without a domain must be one of the known ones.
    if (!s.includes('/') && !['kubernetes', 'orphan', 'foregroundDeletion'].includes(s)) {
      errs.push(invalidValue(path, s, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

/** What no update may change: name, namespace, uid, creationTimestamp. */
export function validateObjectMetaUpdate(obj: KubeObject, old: KubeObject, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  const n = obj.metadata ?? {};
  const o = old.metadata ?? {};
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp'] as const) {
    const nv = n[f];
    const ov = o[f];
    // Fields the client left out are filled in from the stored object by the REST layer.
    if (nv === undefined || ov === undefined) continue;
    if (nv !== ov) errs.push(invalidValue(`${path}.${f}`, nv, 'field is immutable'));
  }
  return errs;
}

/** The usual validate(): object meta on create, plus the immutable meta on update, plus the kind's own. */
export function withMeta(
  rules: MetaRules,
  own?: (obj: KubeObject, old?: KubeObject) => FieldError[],
): (obj: KubeObject, old?: KubeObject) => FieldError[] {
  return (obj, old) => {
    const errs = validateObjectMeta(obj, rules);
    if (old) errs.push(...validateObjectMetaUpdate(obj, old));
    if (own) errs.push(...own(obj, old));
    return errs;
  };
}

/** Upstream's ValidateImmutableField. */
export function immutable(newValue: unknown, oldValue: unknown, path: string, equal: (a: unknown, b: unknown) => boolean): FieldError[] {
  return equal(newValue, oldValue) ? [] : [invalidValue(path, newValue ?? null, 'field is immutable')];
}
