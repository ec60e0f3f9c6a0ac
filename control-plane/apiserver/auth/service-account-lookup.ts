/**
 * The ObjectLookup the ServiceAccount authenticator and TokenRequest read
 * through: store reads of ServiceAccounts, Pods and Secrets, each answer
 * kept for a short time (default 2 s) so a pod hammering the API with its
 * token costs one store read per object every couple of seconds, not one
 * per request.
 *
 * Why a TTL and not a watch: upstream reads informer caches, which are
 * eventually consistent too; a bounded TTL gives the same "a deleted pod's
 * token stops working within seconds" without a watch per kind.
 */
import type { Clock, KubeObject } from '../../api/meta.js';
import type { ResourceTable } from '../../api/resource-table.js';
import type { Store } from '../../storage/store.js';
import type { LookupKind, ObjectLookup } from './service-account-authenticator.js';

const MAX_ENTRIES = 10_000;

export function cachedStoreLookup(deps: { store: Store; table: ResourceTable; clock: Clock }, ttlMs = 2000): ObjectLookup {
  const cache = new Map<string, { at: number; value: Promise<KubeObject | undefined> }>();
  const prefix = (kind: LookupKind): string => deps.table.resolve('', 'v1', kind)?.entry.storagePrefix ?? `/registry/${kind}/`;

  const read = async (key: string): Promise<KubeObject | undefined> => {
    const e = await deps.store.get(key);
    return e ? (JSON.parse(e.value) as KubeObject) : undefined;
  };

  return {
    get(kind, namespace, name) {
      const key = `${prefix(kind)}${namespace}/${name}`;
      const now = deps.clock.now().getTime();
      const hit = cache.get(key);
      if (hit && now - hit.at < ttlMs) return hit.value;
      if (cache.size >= MAX_ENTRIES) {
        for (const [k, v] of cache) if (now - v.at >= ttlMs) cache.delete(k);
        if (cache.size >= MAX_ENTRIES) cache.clear();
      }
      const value = read(key);
      cache.set(key, { at: now, value });
      // A failed read is not remembered.
      value.catch(() => cache.delete(key));
      return value;
    },
  };
}
