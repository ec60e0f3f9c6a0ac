/**
 * Objects between the store and the wire. Stored values are compact JSON in
 * the entry's own group-version, without metadata.resourceVersion (the
 * store's modRevision is the resourceVersion and is injected on read).
 * Objects served through an alias group-version (AlsoServedAs) are
 * converted with fromStorage on the way out and toStorage on the way in.
 * Key-level store errors are rewritten here into resource-level ones.
 */
import { alreadyExists, conflict, isApiError, notFound, type GroupResource } from '../../api/errors.js';
import { apiVersionOf, isPlainObject, type KubeObject } from '../../api/meta.js';
import type { ResolvedResource, ResourceEntry } from '../../api/resource-table.js';
import type { StoreEntry } from '../../storage/store.js';

export function groupResource(entry: ResourceEntry): GroupResource {
  return { group: entry.group, resource: entry.resource };
}

/** `/registry/pods/default/web-0`, `/registry/nodes/n1`. */
export function storageKey(entry: ResourceEntry, namespace: string, name: string): string {
  return `${entry.storagePrefix ?? ''}${entry.namespaced ? `${namespace}/` : ''}${name}`;
}

/** The prefix of a collection: every namespace when `namespace` is ''. */
export function collectionPrefix(entry: ResourceEntry, namespace: string): string {
  return `${entry.storagePrefix ?? ''}${entry.namespaced && namespace ? `${namespace}/` : ''}`;
}

/** Parses a stored value and injects its resourceVersion. */
export function decodeStored(value: string, revision: number): KubeObject {
  const obj = JSON.parse(value) as KubeObject;
  if (!isPlainObject(obj.metadata)) obj.metadata = {};
  obj.metadata.resourceVersion = String(revision);
  return obj;
}

export function decodeEntry(e: StoreEntry): KubeObject {
  return decodeStored(e.value, e.modRevision);
}

/** The stored string for an object: storage apiVersion/kind, no resourceVersion. */
export function encodeForStorage(entry: ResourceEntry, obj: KubeObject): string {
  const { apiVersion: _a, kind: _k, metadata, ...rest } = obj;
  const { resourceVersion: _rv, ...meta } = metadata;
  return JSON.stringify({ apiVersion: apiVersionOf(entry.group, entry.version), kind: entry.kind, metadata: meta, ...rest });
}

/** A stored-form object as served under the request's group-version. */
export function toServed(resolved: ResolvedResource, stored: KubeObject): KubeObject {
  const converted = resolved.alias ? resolved.alias.fromStorage(stored) : stored;
  const { apiVersion: _a, kind: _k, ...rest } = converted;
  return { apiVersion: apiVersionOf(resolved.group, resolved.version), kind: resolved.kind, ...rest } as KubeObject;
}

/** A request-version object in stored form (alias conversion only). */
export function toStored(resolved: ResolvedResource, served: KubeObject): KubeObject {
  const converted = resolved.alias ? resolved.alias.toStorage(served) : served;
  if (!isPlainObject(converted.metadata)) converted.metadata = {};
  return converted;
}

/** Rewrites a store error about a key into one about the resource and name. */
export function rewriteStoreError(err: unknown, gr: GroupResource, name: string): unknown {
  if (!isApiError(err)) return err;
  switch (err.code) {
    case 'SKIFF_NOT_FOUND':
      return notFound(gr, name);
    case 'SKIFF_ALREADY_EXISTS':
      return alreadyExists(gr, name);
    case 'SKIFF_CONFLICT':
      return conflict(gr, name);
    default:
      return err;
  }
}
