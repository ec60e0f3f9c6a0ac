/**
 * A caching ObjectSource in front of apiObjectSource, so the sync loop
 * can call VolumeManager.setUp and ResolveEnv on every sync without a
 * GET per volume per pod per sync:
 * - ConfigMaps and Secrets are cached per object for `ttlMs` (default
 *   5 s; absent objects too), with concurrent reads of one object sharing
 *   one request (upstream's TTL-based configMap/secret manager; a node
 *   reads only the objects its pods name, which the node authorizer of a
 *   later issue will insist on);
 * - Services come from a Service informer when one is given and synced
 *   (upstream's kubelet watches all Services), else from a TTL cache;
 * - TokenRequests pass through (the TokenManager caches tokens).
 * Failures are not cached. Clock injected.
 */
import { systemClock, type Clock, type KubeObject } from '../../control-plane/api/meta.js';
import type { ObjectSource } from './pod-deps.js';

export interface CachedObjectSourceOptions {
  clock?: Clock;
  ttlMs?: number;
  /** A started list+watch cache of all Services (agent/common/informer.ts). */
  serviceInformer?: { values(): IterableIterator<KubeObject>; hasSynced: Promise<void> };
}

interface Slot<T> {
  at: number;
  value?: T;
  pending?: Promise<T>;
}

export interface CachedObjectSource extends ObjectSource {
  /** Drops every cached entry (e.g. after a reconnect). */
  invalidate(): void;
}

export function cachedObjectSource(inner: ObjectSource, opts: CachedObjectSourceOptions = {}): CachedObjectSource {
  const clock = opts.clock ?? systemClock;
  const ttl = opts.ttlMs ?? 5000;
  const slots = new Map<string, Slot<unknown>>();
  let servicesSynced = false;
  void opts.serviceInformer?.hasSynced.then(() => (servicesSynced = true));

  function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = clock.now().getTime();
    const slot = slots.get(key) as Slot<T> | undefined;
    if (slot?.pending) return slot.pending;
    if (slot && 'value' in slot && now - slot.at < ttl) return Promise.resolve(slot.value as T);
    const pending = load().then(
      (value) => {
        slots.set(key, { at: clock.now().getTime(), value });
        return value;
      },
      (err: unknown) => {
        slots.delete(key);
        throw err;
      },
    );
    slots.set(key, { at: now, pending });
    return pending;
  }

  return {
    getConfigMap: (ns, name) => cached(`cm/${ns}/${name}`, () => inner.getConfigMap(ns, name)),
    getSecret: (ns, name) => cached(`secret/${ns}/${name}`, () => inner.getSecret(ns, name)),
    listServices: async (ns) => {
      if (opts.serviceInformer && servicesSynced) return [...opts.serviceInformer.values()].filter((s) => s.metadata.namespace === ns);
      return cached(`svc/${ns}`, () => inner.listServices(ns));
    },
    requestServiceAccountToken: (ns, sa, req) => inner.requestServiceAccountToken(ns, sa, req),
    invalidate: () => slots.clear(),
  };
}
