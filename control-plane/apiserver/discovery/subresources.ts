/**
 * What discovery says about each subresource: its response kind (and that
 * kind's group-version when it is not the parent's) and its verbs, as
 * upstream's API installer reports them. Pure.
 *
 * kubectl relies on two of these: `deployments/scale` must be kind Scale in
 * autoscaling/v1, and `pods/eviction` must be kind Eviction with a
 * non-empty group/version (policy/v1) or drain deletes instead of evicting.
 */
import type { ResourceEntry, Verb } from '../../api/resource-table.js';

export interface SubresourceInfo {
  /** `status`, `scale`, `log`, ... */
  name: string;
  kind: string;
  /** '' and '' mean "the parent's group-version". */
  group: string;
  version: string;
  verbs: readonly string[];
}

const GET_PATCH_UPDATE: readonly Verb[] = ['get', 'patch', 'update'];
const CREATE_GET = ['create', 'get'] as const;
const PROXY_VERBS = ['create', 'delete', 'get', 'patch', 'update'] as const;

/** A named subresource beyond status and scale; kinds that depend on the parent are resolved below. */
function otherSubresource(entry: ResourceEntry, name: string): SubresourceInfo {
  const same = (kind: string, verbs: readonly string[]): SubresourceInfo => ({ name, kind, group: '', version: '', verbs });
  const other = (group: string, version: string, kind: string, verbs: readonly string[]): SubresourceInfo => ({ name, kind, group, version, verbs });
  switch (name) {
    case 'binding':
      return same('Binding', ['create']);
    case 'eviction':
      return other('policy', 'v1', 'Eviction', ['create']);
    case 'log':
      return same('Pod', ['get']);
    case 'exec':
      return same('PodExecOptions', CREATE_GET);
    case 'attach':
      return same('PodAttachOptions', CREATE_GET);
    case 'portforward':
      return same('PodPortForwardOptions', CREATE_GET);
    case 'proxy': {
      const kind = entry.kind === 'Node' ? 'NodeProxyOptions' : entry.kind === 'Service' ? 'ServiceProxyOptions' : 'PodProxyOptions';
      return same(kind, PROXY_VERBS);
    }
    case 'ephemeralcontainers':
    case 'resize':
    case 'approval':
      return same(entry.kind, GET_PATCH_UPDATE);
    case 'finalize':
      return same(entry.kind, ['update']);
    case 'token':
      return other('authentication.k8s.io', 'v1', 'TokenRequest', ['create']);
    default:
      return same(entry.kind, ['get']);
  }
}

/** Every subresource of an entry, in name order (upstream sorts paths). */
export function subresourcesOf(entry: ResourceEntry): SubresourceInfo[] {
  const out: SubresourceInfo[] = [];
  const sub = entry.subresources;
  if (!sub) return out;
  if (sub.status) out.push({ name: 'status', kind: entry.kind, group: '', version: '', verbs: GET_PATCH_UPDATE });
  if (sub.scale) out.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: GET_PATCH_UPDATE });
  for (const name of sub.others ?? []) {
    if (name === 'status' || name === 'scale') continue;
    out.push(otherSubresource(entry, name));
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
