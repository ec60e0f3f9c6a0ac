/**
 * Path → resource: what `/api/v1/namespaces/ns/pods/web-0/status` or
 * `/apis/apps/v1/deployments` names. `/api/v1/namespaces/x` is the
 * namespace itself and `/api/v1/namespaces/x/status` (or another
 * namespaces subresource) its subresource; `/api/v1/namespaces/x/<r>` is
 * resource r in namespace x. The legacy `/watch/` segment is accepted.
 */
import { ApiError, type StatusDetails } from '../../api/errors.js';
import type { ResolvedResource, ResourceTable } from '../../api/resource-table.js';

export interface RequestTarget {
  resolved: ResolvedResource;
  /** '' for cluster-scoped resources and all-namespace collections. */
  namespace: string;
  /** '' for a collection. */
  name: string;
  subresource: string;
  /** The path had the legacy `watch/` segment. */
  legacyWatch: boolean;
}

export function resourceNotFound(details?: StatusDetails): ApiError {
  return new ApiError('SKIFF_NOT_FOUND', 'the server could not find the requested resource', details);
}

function subresourcesOf(r: ResolvedResource): string[] {
  const s = r.entry.subresources;
  const out = [...(s?.others ?? [])];
  if (s?.status) out.push('status');
  if (s?.scale) out.push('scale');
  return out;
}

/** Resolves the segments after `/api/v1` or `/apis/<group>/<version>`. */
export function parseTarget(table: ResourceTable, group: string, version: string, rawSegs: string[]): RequestTarget {
  let segs = rawSegs.filter((s, i) => s !== '' || i < rawSegs.length - 1);
  if (segs.some((s) => s === '')) throw resourceNotFound();
  let legacyWatch = false;
  if (segs[0] === 'watch') {
    legacyWatch = true;
    segs = segs.slice(1);
  }
  if (segs.length === 0) throw resourceNotFound();
  let namespace = '';
  let rest = segs;
  if (segs[0] === 'namespaces' && segs.length >= 3) {
    const nsEntry = table.resolve(group, version, 'namespaces');
    const third = segs[2] as string;
    const isNsSub = segs.length === 3 && nsEntry !== undefined && !nsEntry.entry.namespaced && subresourcesOf(nsEntry).includes(third);
    if (!isNsSub) {
      namespace = segs[1] as string;
      rest = segs.slice(2);
    }
  }
  if (rest.length > 3) throw resourceNotFound();
  const [resource, name = '', subresource = ''] = rest as [string, string?, string?];
  const resolved = table.resolve(group, version, resource);
  if (!resolved) throw resourceNotFound();
  if (namespace && !resolved.entry.namespaced) throw resourceNotFound();
  if (resolved.entry.namespaced && !namespace && name) throw resourceNotFound();
  if (legacyWatch && subresource) throw resourceNotFound();
  return { resolved, namespace, name, subresource, legacyWatch };
}
