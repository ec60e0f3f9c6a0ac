/**
 * The kinds the garbage collector and the namespace controller act on,
 * read from the resource table (what discovery serves): every stored
 * resource, with its collection ref, kind and scope, and a lookup from an
 * ownerReference's apiVersion + kind to the resource storing it.
 *
 * Contract (as upstream's GC monitors and namespace deleter):
 * - virtual entries (reviews, metrics) are not stored, so never listed;
 * - the GC monitors kinds with list, watch and delete, minus upstream's
 *   ignored resources (core and events.k8s.io events);
 * - the namespace deleter empties every namespaced kind with delete.
 * Pure.
 */
import type { ResourceRef } from '../../api/client/api-client.js';
import { apiVersionOf, parseApiVersion } from '../../api/meta.js';
import { entryVerbs, type ResourceEntry, type ResourceTable } from '../../api/resource-table.js';

export interface KindInfo {
  ref: ResourceRef;
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
  /** `v1`, `apps/v1`. */
  apiVersion: string;
}

function infoOf(e: ResourceEntry): KindInfo {
  return {
    ref: { group: e.group, version: e.version, resource: e.resource },
    group: e.group,
    version: e.version,
    kind: e.kind,
    resource: e.resource,
    namespaced: e.namespaced,
    apiVersion: apiVersionOf(e.group, e.version),
  };
}

const GC_IGNORED = new Set(['/events', 'events.k8s.io/events']);

function stored(table: ResourceTable): ResourceEntry[] {
  return table.entries().filter((e) => e.storagePrefix !== undefined);
}

/** Kinds whose objects the garbage collector watches (owners and dependents). */
export function gcMonitoredKinds(table: ResourceTable): KindInfo[] {
  return stored(table)
    .filter((e) => {
      const v = entryVerbs(e);
      return v.includes('list') && v.includes('watch') && v.includes('delete') && !GC_IGNORED.has(`${e.group}/${e.resource}`);
    })
    .map(infoOf);
}

/** Namespaced kinds the namespace controller deletes when a namespace terminates. */
export function namespacedDeletableKinds(table: ResourceTable): KindInfo[] {
  return stored(table)
    .filter((e) => e.namespaced && entryVerbs(e).includes('delete'))
    .map(infoOf);
}

/** Resolves ownerReference coordinates (any version of the group) to the stored kind. */
export class KindResolver {
  private readonly byGroupKind = new Map<string, KindInfo>();

  constructor(kinds: readonly KindInfo[]) {
    for (const k of kinds) this.byGroupKind.set(`${k.group}/${k.kind}`, k);
  }

  resolve(apiVersion: string, kind: string): KindInfo | undefined {
    return this.byGroupKind.get(`${parseApiVersion(apiVersion).group}/${kind}`);
  }
}
