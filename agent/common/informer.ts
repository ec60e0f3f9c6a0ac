/**
 * One list+watch cache of a collection, optionally narrowed by field and
 * label selectors: the sim shares one for all its nodes (it never opens a
 * watch per node); the kubelet watches the pods bound to its node.
 *
 * It lists (in pages), then watches from the list's resourceVersion with
 * bookmarks. When the stream ends it re-watches from the last version it
 * saw; when the server answers 410 (Expired/Gone, in the response or as an
 * ERROR event) it lists again and reports the difference (objects gone
 * while it was away come as deletions). Connection failures (the server
 * restarting) are retried with backoff, forever, until stop().
 *
 * Handlers see events after the cache was updated: (type, object, old).
 */
import type { ApiClient, ResourceRef, Watch, WatchEvent } from '../../control-plane/api/client/api-client.js';
import type { KubeObject } from '../../control-plane/api/meta.js';
import { backoffDelay } from './write-pool.js';

export type InformerEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export type InformerHandler<T extends KubeObject> = (type: InformerEventType, obj: T, old: T | undefined) => void;

export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  return ns ? `${ns}/${obj.metadata.name ?? ''}` : (obj.metadata.name ?? '');
}

function rvNumber(obj: KubeObject | undefined): number {
  const n = Number(obj?.metadata.resourceVersion);
  return Number.isFinite(n) ? n : 0;
}

export interface InformerOptions {
  pageSize?: number;
  /** Restricts list and watch, e.g. `spec.nodeName=n1` for a kubelet's pods. */
  fieldSelector?: string;
  labelSelector?: string;
  log?: (msg: string) => void;
}

export class Informer<T extends KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly handlers: InformerHandler<T>[] = [];
  private rv = '';
  private watch: Watch | undefined;
  private stopped = false;
  private failures = 0;
  private synced!: () => void;
  private timer: NodeJS.Timeout | undefined;
  readonly hasSynced: Promise<void> = new Promise((r) => (this.synced = r));

  constructor(
    private readonly client: ApiClient,
    private readonly ref: ResourceRef,
    private readonly opts: InformerOptions = {},
  ) {}

  on(handler: InformerHandler<T>): void {
    this.handlers.push(handler);
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  values(): IterableIterator<T> {
    return this.items.values();
  }

  get size(): number {
    return this.items.size;
  }

  /** Puts the answer of our own write into the cache when it is newer, so a stale copy is not acted on. */
  observe(obj: T): void {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old && old.metadata.uid === obj.metadata.uid && rvNumber(obj) > rvNumber(old)) this.items.set(key, obj);
  }

  start(): void {
    void this.loop(true);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.watch?.close();
  }

  private selectors(): { fieldSelector?: string; labelSelector?: string } {
    const out: { fieldSelector?: string; labelSelector?: string } = {};
    if (this.opts.fieldSelector) out.fieldSelector = this.opts.fieldSelector;
    if (this.opts.labelSelector) out.labelSelector = this.opts.labelSelector;
    return out;
  }

  private emit(type: InformerEventType, obj: T, old: T | undefined): void {
    for (const h of this.handlers) {
      try {
        h(type, obj, old);
      } catch (e) {
        this.opts.log?.(`informer handler failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private async relist(): Promise<void> {
    const fresh = new Map<string, T>();
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.client.list<T>(this.ref, { limit: this.opts.pageSize ?? 500, continue: cont, ...this.selectors() });
      for (const o of page.items) fresh.set(objectKey(o), o);
      cont = page.metadata.continue || undefined;
      rv = page.metadata.resourceVersion ?? rv;
    } while (cont);
    for (const [k, old] of this.items) {
      if (!fresh.has(k)) {
        this.items.delete(k);
        this.emit('DELETED', old, old);
      }
    }
    for (const [k, o] of fresh) {
      const old = this.items.get(k);
      if (old && old.metadata.resourceVersion === o.metadata.resourceVersion) continue;
      if (old && old.metadata.uid !== o.metadata.uid) {
        this.items.delete(k);
        this.emit('DELETED', old, old);
      }
      const prev = this.items.get(k);
      this.items.set(k, o);
      this.emit(prev ? 'MODIFIED' : 'ADDED', o, prev);
    }
    this.rv = rv;
  }

  private apply(e: WatchEvent<T>): 'ok' | 'expired' | 'error' {
    if (e.type === 'ERROR') {
      const code = (e.object as unknown as { code?: number }).code;
      return code === 410 ? 'expired' : 'error';
    }
    const obj = e.object;
    if (obj.metadata?.resourceVersion) this.rv = obj.metadata.resourceVersion;
    if (e.type === 'BOOKMARK') return 'ok';
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (e.type === 'DELETED') {
      this.items.delete(key);
      this.emit('DELETED', obj, old);
    } else {
      this.items.set(key, obj);
      this.emit(old ? 'MODIFIED' : 'ADDED', obj, old);
    }
    return 'ok';
  }

  private async loop(needList: boolean): Promise<void> {
    while (!this.stopped) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
          this.synced();
        }
        const st: { outcome: 'ok' | 'expired' | 'error' } = { outcome: 'ok' };
        const began = Date.now();
        let events = 0;
        const w = await this.client.watch<T>(
          this.ref,
          { ...this.selectors(), resourceVersion: this.rv, allowWatchBookmarks: true, timeoutSeconds: 300 + Math.floor(Math.random() * 300) },
          (e) => {
            if (st.outcome !== 'ok') return;
            events++;
            st.outcome = this.apply(e);
            if (st.outcome !== 'ok') w.close();
          },
        );
        this.watch = w;
        if (this.stopped) w.close();
        await w.done;
        this.watch = undefined;
        if (st.outcome === 'expired') needList = true;
        else if (st.outcome === 'error' || (events === 0 && Date.now() - began < 1000)) {
          // An ERROR event, or a stream the server ended at once: do not spin.
          await this.sleep(backoffDelay(this.failures++, 200, 5000));
        } else this.failures = 0;
      } catch (e) {
        if (this.stopped) return;
        const status = (e as { status?: number }).status;
        if (status === 410) needList = true;
        else {
          if (this.failures % 10 === 0) this.opts.log?.(`${this.ref.resource} watch: ${e instanceof Error ? e.message : String(e)}; retrying`);
          await this.sleep(backoffDelay(this.failures++, 200, 5000));
        }
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      this.timer = setTimeout(r, ms);
    });
  }
}
