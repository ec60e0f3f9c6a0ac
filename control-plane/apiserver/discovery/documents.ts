/**
 * The discovery documents, built from the resource table. Pure: a function
 * of the table's current contents (the routes cache the results and rebuild
 * when an entry is registered).
 *
 * - Legacy: APIVersions (/api), APIGroupList (/apis, core excluded, group
 *   order = table order), APIGroup (/apis/G), APIResourceList (/api/v1,
 *   /apis/G/V) with subresource entries such as `pods/status`.
 * - Aggregated (apidiscovery.k8s.io v2 and v2beta1 share a shape):
 *   APIGroupDiscoveryList for /api (the core group, name "") and /apis.
 * Resources are listed in name order and verbs sorted, as upstream does;
 * the first version of a group is its preferred version.
 */
import { apiVersionOf } from '../../api/meta.js';
import { entryVerbs, type ResolvedResource, type ResourceTable } from '../../api/resource-table.js';
import { subresourcesOf } from './subresources.js';

export interface ApiResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

export interface ApiGroup {
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion: GroupVersionForDiscovery;
}

export type AggregatedVersion = 'v2' | 'v2beta1';

function byName<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

function sortedVerbs(verbs: readonly string[]): string[] {
  return [...verbs].sort();
}

/** The served resources of one group-version, in name order. */
function servedIn(table: ResourceTable, group: string, version: string): ResolvedResource[] {
  return table
    .served()
    .filter((r) => r.group === group && r.version === version)
    .sort(byName((r) => r.entry.resource));
}

function namesOf(r: ResolvedResource): { shortNames: string[]; categories: string[] } {
  const src = r.alias ?? r.entry;
  return { shortNames: src.shortNames ?? [], categories: src.categories ?? [] };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(group: string, versions: string[]): ApiGroup {
  const gvs = versions.map((v) => ({ groupVersion: apiVersionOf(group, v), version: v }));
  const preferred = gvs[0] ?? { groupVersion: apiVersionOf(group, ''), version: '' };
  return { name: group, versions: gvs, preferredVersion: preferred };
}

export function apiGroupList(table: ResourceTable): Record<string, unknown> {
  const groups = table
    .groups()
    .filter((g) => g.group !== '')
    .map((g) => apiGroup(g.group, g.versions));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** The APIGroup document for /apis/G, or undefined when G is not served. */
export function apiGroupDocument(table: ResourceTable, group: string): Record<string, unknown> | undefined {
  if (group === '') return undefined;
  const g = table.groups().find((x) => x.group === group);
  if (!g) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g.group, g.versions) };
}

/** The APIResourceList for one group-version, or undefined when it is not served. */
export function apiResourceList(table: ResourceTable, group: string, version: string): Record<string, unknown> | undefined {
  const served = servedIn(table, group, version);
  if (served.length === 0) return undefined;
  const resources: ApiResource[] = [];
  for (const r of served) {
    const e = r.entry;
    const main: ApiResource = {
      name: e.resource,
      singularName: e.singular,
      namespaced: e.namespaced,
      kind: r.kind,
      verbs: sortedVerbs(entryVerbs(e)),
    };
    const { shortNames, categories } = namesOf(r);
    if (shortNames.length > 0) main.shortNames = shortNames;
    if (categories.length > 0) main.categories = categories;
    resources.push(main);
    // Subresources belong to the entry's own group-version, not its aliases.
    if (r.alias) continue;
    for (const s of subresourcesOf(e)) {
      const sub: ApiResource = { name: `${e.resource}/${s.name}`, singularName: '', namespaced: e.namespaced, kind: s.kind, verbs: sortedVerbs(s.verbs) };
      if (s.group !== '' || s.version !== '') {
        sub.group = s.group;
        sub.version = s.version;
      }
      resources.push(sub);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources };
}

function aggregatedResource(r: ResolvedResource): Record<string, unknown> {
  const e = r.entry;
  const { shortNames, categories } = namesOf(r);
  const out: Record<string, unknown> = {
    resource: e.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: e.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: e.singular,
    verbs: sortedVerbs(entryVerbs(e)),
  };
  if (shortNames.length > 0) out['shortNames'] = shortNames;
  if (categories.length > 0) out['categories'] = categories;
  const subs = r.alias ? [] : subresourcesOf(e);
  if (subs.length > 0) {
    out['subresources'] = subs.map((s) => ({
      subresource: s.name,
      responseKind: {
        group: s.group === '' && s.version === '' ? r.group : s.group,
        version: s.group === '' && s.version === '' ? r.version : s.version,
        kind: s.kind,
      },
      verbs: sortedVerbs(s.verbs),
    }));
  }
  return out;
}

/**
 * APIGroupDiscoveryList for the core group (`legacy` true: /api) or for
 * every other group (/apis).
 */
export function aggregatedDiscovery(table: ResourceTable, legacy: boolean, version: AggregatedVersion): Record<string, unknown> {
  const items = table
    .groups()
    .filter((g) => (g.group === '') === legacy)
    .map((g) => ({
      metadata: { name: g.group, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        resources: servedIn(table, g.group, v).map(aggregatedResource),
        freshness: 'Current',
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}
