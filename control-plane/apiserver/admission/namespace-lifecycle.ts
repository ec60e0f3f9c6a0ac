/**
 * Validating admission plug-in `NamespaceLifecycle`, as upstream's:
 * - writes (not deletes) of namespaced objects into a namespace that does
 *   not exist fail with 404 `namespaces "x" not found`;
 * - creates in a terminating namespace fail with 403
 *   `… is forbidden: unable to create new content in namespace x because it is being terminated`;
 * - the namespaces default, kube-system and kube-public cannot be deleted.
 *
 * Every namespaced write needs its namespace, so like upstream (a lister
 * with a live lookup on a miss) a namespace read from the store is reused
 * for up to a second; a miss always reads the store. A namespace deleted
 * through this server is read live for the next 30 seconds (upstream's
 * forceLiveLookup), so creates in it are refused at once.
 */
import { ApiError, forbidden, notFound, qualified } from '../../api/errors.js';
import { isPlainObject, type KubeObject } from '../../api/meta.js';
import type { ResourceTable } from '../../api/resource-table.js';
import type { Store } from '../../storage/store.js';
import type { AdmissionAttributes, ValidatingPlugin } from './admission.js';

export const IMMORTAL_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public'];

const CACHE_MS = 1000;
const FORCE_LIVE_LOOKUP_MS = 30_000;

export function namespaceLifecyclePlugin(deps: { store: Store; table: ResourceTable; now?: () => number }): ValidatingPlugin {
  const nsPrefix = (): string => deps.table.resolve('', 'v1', 'namespaces')?.entry.storagePrefix ?? '/registry/namespaces/';
  const now = deps.now ?? Date.now;
  const cache = new Map<string, { ns: KubeObject; at: number }>();
  const forceLive = new Map<string, number>();

  const readNamespace = async (name: string): Promise<KubeObject | undefined> => {
    const t = now();
    const live = (forceLive.get(name) ?? 0) > t;
    const hit = cache.get(name);
    if (hit && !live && t - hit.at < CACHE_MS) return hit.ns;
    const got = await deps.store.get(nsPrefix() + name);
    if (!got) {
      cache.delete(name);
      return undefined;
    }
    const ns = JSON.parse(got.value) as KubeObject;
    if (cache.size > 10_000) cache.clear();
    cache.set(name, { ns, at: t });
    return ns;
  };

  return {
    name: 'NamespaceLifecycle',
    async validate(attrs: AdmissionAttributes): Promise<void> {
      const entry = attrs.resource.entry;
      const gr = { group: entry.group, resource: entry.resource };
      if (entry.group === '' && entry.resource === 'namespaces') {
        if (attrs.operation === 'DELETE' && IMMORTAL_NAMESPACES.includes(attrs.name)) {
          throw forbidden(gr, attrs.name, 'this namespace may not be deleted');
        }
        if (attrs.operation === 'DELETE') {
          cache.delete(attrs.name);
          forceLive.set(attrs.name, now() + FORCE_LIVE_LOOKUP_MS);
          for (const [n, until] of forceLive) if (until <= now()) forceLive.delete(n);
        }
        return;
      }
      if (!entry.namespaced || attrs.operation === 'DELETE' || !attrs.namespace) return;
      const ns = await readNamespace(attrs.namespace);
      if (!ns) throw notFound({ group: '', resource: 'namespaces' }, attrs.namespace);
      if (attrs.operation !== 'CREATE') return;
      const phase = isPlainObject(ns.status) ? ns.status.phase : undefined;
      if (phase === 'Terminating' || ns.metadata?.deletionTimestamp) {
        const subject = attrs.name ? `${qualified(gr)} "${attrs.name}"` : qualified(gr);
        throw new ApiError(
          'SKIFF_FORBIDDEN',
          `${subject} is forbidden: unable to create new content in namespace ${attrs.namespace} because it is being terminated`,
          {
            name: attrs.name,
            kind: entry.resource,
            ...(entry.group ? { group: entry.group } : {}),
            causes: [{ reason: 'NamespaceTerminating', message: `namespace ${attrs.namespace} is being terminated`, field: 'metadata.namespace' }],
          },
        );
      }
    },
  };
}
