/**
 * A shared informer: one list+watch of a collection, a local cache of its
 * objects, secondary indexes, and add/update/delete callbacks, as
 * client-go's SharedIndexInformer.
 *
 * Contract:
 * - start() lists, fills the cache, calls `add` for every object, and
 *   resolves once synced; then it watches from the list's resourceVersion.
 * - A watch that ends is resumed from the last resourceVersion seen
 *   (bookmarks included); 410 Expired relists and reconciles the cache,
 *   calling add/update/delete for what changed meanwhile, so handlers never
 *   miss a transition's end state.
 * - Cached objects are shared: callers must not mutate them (copy with
 *   structuredClone before changing).
 * - Cached objects carry no managedFields (upstream's informers strip them
 *   with TransformStripManagedFields): no controller reads them, and they
 *   are often half of a pod. A write of a cached copy keeps the live set,
 *   since the server keeps managedFields that an update leaves out.
 * - Handlers run synchronously in event order; they should only enqueue.
 */
import type { ApiClient, ResourceRef, WatchEvent } from '../../api/client/api-client.js';
import type { KubeObject } from '../../api/meta.js';
import { objectKey } from './refs.js';

export interface InformerHandler<T extends KubeObject = KubeObject> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

export type IndexFunc<T extends KubeObject = KubeObject> = (obj: T) => string[];

export interface InformerOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Delay before re-watching after a failure (ms). */
  retryMs?: number;
  /** Called with failures worth a log line. */
  log?: (msg: string) => void;
}

const NAMESPACE_INDEX = 'namespace';

export class Informer<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, T>();
  private handlers: InformerHandler<T>[] = [];
  private readonly owners = new Map<InformerHandler<T>, object>();
  /** Set by a shared factory: who is registering handlers right now. */
  currentOwner: () => object | undefined = () => undefined;
  private readonly indexFuncs = new Map<string, IndexFunc<T>>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private resourceVersion = '';
  private synced = false;
  private stopped = false;
  private starting: Promise<void> | undefined;
  private markSynced: () => void = () => undefined;
  private closeWatch: (() => void) | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: ApiClient,
    readonly ref: ResourceRef,
    private readonly opts: InformerOptions = {},
  ) {
    this.addIndex(NAMESPACE_INDEX, (o) => [o.metadata.namespace ?? '']);
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  /** Registers callbacks; if already synced, replays the cache as adds. */
  addHandler(h: InformerHandler<T>): void {
    this.handlers.push(h);
    const owner = this.currentOwner();
    if (owner) this.owners.set(h, owner);
    if (this.synced) for (const o of this.items.values()) h.add?.(o);
  }

  /** Drops the handlers registered on behalf of owner (a controller manager's term that ended). */
  removeHandlersOf(owner: object): void {
    this.handlers = this.handlers.filter((h) => this.owners.get(h) !== owner);
    for (const [h, o] of this.owners) if (o === owner) this.owners.delete(h);
  }

  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.indexFuncs.has(name)) return;
    this.indexFuncs.set(name, fn);
    const idx = new Map<string, Set<string>>();
    this.indexes.set(name, idx);
    for (const [k, o] of this.items) for (const v of fn(o)) addTo(idx, v, k);
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  /** Every cached object, or those of one namespace. */
  list(namespace?: string): T[] {
    if (namespace === undefined) return [...this.items.values()];
    return this.byIndex(NAMESPACE_INDEX, namespace);
  }

  byIndex(name: string, value: string): T[] {
    const keys = this.indexes.get(name)?.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) {
      const o = this.items.get(k);
      if (o) out.push(o);
    }
    return out;
  }

  get size(): number {
    return this.items.size;
  }

  start(): Promise<void> {
    if (!this.starting) {
      this.starting = new Promise((resolve) => (this.markSynced = resolve));
      void this.listAndWatch();
    }
    return this.starting;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.closeWatch?.();
  }

  private async listAndWatch(): Promise<void> {
    let failures = 0;
    for (;;) {
      if (this.stopped) return;
      try {
        await this.relist();
        break;
      } catch (err) {
        if (failures++ === 0) this.opts.log?.(`informer ${this.ref.resource}: list failed (retrying): ${message(err)}`);
        // A resource this server does not serve must not hold every
        // controller back: report synced (empty) and keep trying.
        if ((err as { code?: string }).code === 'SKIFF_NOT_FOUND') this.markSynced();
        await sleep(this.opts.retryMs ?? 1000);
      }
    }
    this.synced = true;
    this.markSynced();
    void this.watchLoop();
  }

  /** Lists everything and reconciles the cache with it. */
  private async relist(): Promise<void> {
    const list = await this.client.list<T>(this.ref, { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector });
    const seen = new Set<string>();
    for (const o of list.items) {
      const k = objectKey(o);
      seen.add(k);
      const old = this.items.get(k);
      if (!old) this.apply('ADDED', o);
      else if (old.metadata.resourceVersion !== o.metadata.resourceVersion) this.apply('MODIFIED', o);
    }
    for (const [k, o] of [...this.items]) if (!seen.has(k)) this.apply('DELETED', o);
    this.resourceVersion = list.metadata.resourceVersion ?? '';
  }

  private async watchLoop(): Promise<void> {
    while (!this.stopped) {
      let expired = false;
      try {
        const w = await this.client.watch<T>(
          this.ref,
          {
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            labelSelector: this.opts.labelSelector,
            fieldSelector: this.opts.fieldSelector,
            timeoutSeconds: 300 + Math.floor(Math.random() * 300),
          },
          (e) => {
            if (e.type === 'ERROR') {
              const code = (e.object as unknown as { code?: number }).code;
              if (code === 410) expired = true;
              return;
            }
            this.onEvent(e);
          },
        );
        this.closeWatch = () => w.close();
        if (this.stopped) w.close();
        await w.done;
      } catch (err) {
        if ((err as { code?: string }).code === 'SKIFF_EXPIRED' || (err as { code?: string }).code === 'SKIFF_GONE') expired = true;
        else if (!this.stopped) {
          this.opts.log?.(`informer ${this.ref.resource}: watch failed: ${message(err)}`);
          await this.pause();
        }
      }
      if (this.stopped) return;
      if (expired) {
        try {
          await this.relist();
        } catch (err) {
          this.opts.log?.(`informer ${this.ref.resource}: relist failed: ${message(err)}`);
          await this.pause();
        }
      }
    }
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      this.retryTimer = setTimeout(resolve, this.opts.retryMs ?? 1000);
    });
  }

  private onEvent(e: WatchEvent<T>): void {
    const rv = e.object.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (e.type === 'BOOKMARK' || e.type === 'ERROR') return;
    this.apply(e.type, e.object);
  }

  private apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void {
    const k = objectKey(obj);
    const old = this.items.get(k);
    if (old) this.unindex(k, old);
    if (type === 'DELETED') {
      this.items.delete(k);
      for (const h of this.handlers) h.delete?.(obj);
      return;
    }
    // Assigned, not deleted, so that every cached object keeps one shape.
    if (obj.metadata.managedFields !== undefined) obj.metadata.managedFields = undefined;
    this.items.set(k, obj);
    this.index(k, obj);
    if (old) for (const h of this.handlers) h.update?.(old, obj);
    else for (const h of this.handlers) h.add?.(obj);
  }

  private index(k: string, o: T): void {
    for (const [name, fn] of this.indexFuncs) {
      const idx = this.indexes.get(name)!;
      for (const v of fn(o)) addTo(idx, v, k);
    }
  }

  private unindex(k: string, o: T): void {
    for (const [name, fn] of this.indexFuncs) {
      const idx = this.indexes.get(name)!;
      for (const v of fn(o)) {
        const s = idx.get(v);
        if (!s) continue;
        s.delete(k);
        if (s.size === 0) idx.delete(v);
      }
    }
  }
}

function addTo(idx: Map<string, Set<string>>, v: string, k: string): void {
  let s = idx.get(v);
  if (!s) idx.set(v, (s = new Set()));
  s.add(k);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
