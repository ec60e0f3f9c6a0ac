/**
 * Generic ObjectMeta rules of writes, as upstream's rest.BeforeCreate /
 * BeforeUpdate and the status strategies: server-owned fields are set on
 * create and kept on update, generation follows spec changes, status is
 * owned by the status subresource when the kind has one.
 */
import { badRequest } from '../../api/errors.js';
import { formatTime, isPlainObject, type KubeObject } from '../../api/meta.js';
import type { ResourceEntry } from '../../api/resource-table.js';
import type { ApiServerDeps } from '../context.js';
import { deepEqual } from './deep-equal.js';

const NON_SPEC = new Set(['apiVersion', 'kind', 'metadata', 'status']);

/** Kinds with an empty specFields list have no metadata.generation. */
export function hasGeneration(entry: ResourceEntry): boolean {
  return entry.specFields === undefined || entry.specFields.length > 0;
}

export function specChanged(entry: ResourceEntry, a: KubeObject, b: KubeObject): boolean {
  const fields = entry.specFields ?? [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !NON_SPEC.has(k));
  return fields.some((f) => !deepEqual(a[f], b[f]));
}

/** Server-set metadata of a new object; client values of these are dropped. */
export function prepareForCreate(entry: ResourceEntry, obj: KubeObject, deps: Pick<ApiServerDeps, 'clock' | 'newUid'>): void {
  const m = obj.metadata;
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.selfLink;
  m.uid = deps.newUid();
  m.creationTimestamp = formatTime(deps.clock.now());
  if (hasGeneration(entry)) m.generation = 1;
  else delete m.generation;
  entry.beforeCreate?.(obj);
}

/**
 * Turns a client's new object into what an update stores: immutable
 * metadata restored from the old object, status kept or isolated per
 * subresource, generation bumped when the spec changed.
 */
export function prepareForUpdate(
  entry: ResourceEntry,
  subresource: string,
  incoming: KubeObject,
  old: KubeObject,
  /** A private copy of `old` (the writer parses the stored string again: cheaper than structuredClone). */
  copyOld: () => KubeObject = () => structuredClone(old),
): KubeObject {
  let obj: KubeObject;
  if (subresource === 'status') {
    // The status strategy: everything but .status comes from the stored object.
    obj = copyOld();
    if (incoming.status === undefined) delete obj.status;
    else obj.status = incoming.status;
    obj.metadata.resourceVersion = incoming.metadata.resourceVersion;
  } else {
    obj = incoming;
    // Main-resource and scale writes never change status; internal writes (binding) may.
    if (entry.subresources?.status && (subresource === '' || subresource === 'scale')) {
      if (old.status === undefined) delete obj.status;
      else obj.status = structuredClone(old.status);
    }
  }
  const m = obj.metadata;
  const o = old.metadata;
  for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'name', 'namespace'] as const) {
    if (o[k] === undefined) delete m[k];
    else (m as Record<string, unknown>)[k] = o[k];
  }
  delete m.selfLink;
  if (m.managedFields === undefined && o.managedFields !== undefined) m.managedFields = o.managedFields;
  if (hasGeneration(entry)) {
    const gen = typeof o.generation === 'number' ? o.generation : 1;
    m.generation = specChanged(entry, old, obj) ? gen + 1 : gen;
  } else {
    delete m.generation;
  }
  if (subresource === '') entry.beforeUpdate?.(obj, old);
  return obj;
}

/** Finalizers that an update adds to an object already being deleted (forbidden upstream). */
export function addedFinalizersDuringDeletion(obj: KubeObject, old: KubeObject): string[] {
  if (!old.metadata.deletionTimestamp) return [];
  const before = new Set(old.metadata.finalizers ?? []);
  return (obj.metadata.finalizers ?? []).filter((f) => !before.has(f));
}

/**
 * Upstream's ShouldDeleteDuringUpdate: the last finalizer of an object
 * whose deletion is due (grace period 0) was removed, so it goes now.
 */
export function shouldDeleteDuringUpdate(obj: KubeObject, old: KubeObject): boolean {
  return (
    (obj.metadata.finalizers ?? []).length === 0 &&
    (old.metadata.finalizers ?? []).length > 0 &&
    old.metadata.deletionTimestamp !== undefined &&
    old.metadata.deletionGracePeriodSeconds === 0
  );
}

/** Checks apiVersion/kind of a body against the route (empty values are filled in). */
export function checkTypeMeta(obj: KubeObject, apiVersion: string, kind: string): void {
  if (obj.apiVersion !== undefined && obj.apiVersion !== '' && obj.apiVersion !== apiVersion) {
    throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersion})`);
  }
  if (obj.kind !== undefined && obj.kind !== '' && obj.kind !== kind) {
    throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${kind})`);
  }
  obj.apiVersion = apiVersion;
  obj.kind = kind;
}

export function checkMetadataShape(obj: KubeObject): void {
  const m = obj.metadata;
  for (const k of ['labels', 'annotations'] as const) {
    const v = m[k];
    if (v === undefined || v === null) {
      delete m[k];
      continue;
    }
    if (!isPlainObject(v) || Object.values(v).some((x) => typeof x !== 'string')) {
      throw badRequest(`metadata.${k} must be a map of strings`);
    }
  }
  if (m.finalizers !== undefined && (!Array.isArray(m.finalizers) || m.finalizers.some((f) => typeof f !== 'string'))) {
    throw badRequest('metadata.finalizers must be a list of strings');
  }
  if (m.name !== undefined && typeof m.name !== 'string') throw badRequest('metadata.name must be a string');
  if (m.namespace !== undefined && typeof m.namespace !== 'string') throw badRequest('metadata.namespace must be a string');
  if (m.generateName !== undefined && typeof m.generateName !== 'string') throw badRequest('metadata.generateName must be a string');
}
