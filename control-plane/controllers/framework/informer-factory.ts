/**
 * One informer per collection for every controller in the process, so that
 * ten controllers interested in pods cost one pod watch and one cache.
 *
 * Contract: informer() may be called while controllers set up; startAll()
 * starts every informer requested so far and resolves when all are synced.
 * Informers requested later start at once (and callers await start()).
 * Shared by several managers, handlers are attributed to their owner
 * (withOwner) and removed with it (removeOwner).
 */
import type { ApiClient, ResourceRef } from '../../api/client/api-client.js';
import type { KubeObject } from '../../api/meta.js';
import { Informer, type InformerOptions } from './informer.js';

export class InformerFactory {
  private readonly informers = new Map<string, Informer>();
  private started = false;
  private owner: object | undefined;

  constructor(
    private readonly client: ApiClient,
    private readonly opts: Pick<InformerOptions, 'log' | 'retryMs'> = {},
  ) {}

  informer<T extends KubeObject = KubeObject>(ref: ResourceRef, selectors: { labelSelector?: string; fieldSelector?: string } = {}): Informer<T> {
    const key = `${ref.group}/${ref.version}/${ref.resource}/${ref.namespace ?? ''}?${selectors.labelSelector ?? ''}&${selectors.fieldSelector ?? ''}`;
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new Informer(this.client, ref, { ...this.opts, ...selectors });
      inf.currentOwner = () => this.owner;
      this.informers.set(key, inf);
      if (this.started) void inf.start();
    }
    return inf as unknown as Informer<T>;
  }

  async startAll(): Promise<void> {
    this.started = true;
    await Promise.all([...this.informers.values()].map((i) => i.start()));
  }

  /**
   * Runs fn (a controller's synchronous setup) with handlers it registers
   * attributed to owner, so that removeOwner can drop them when a term of
   * leadership ends while the shared informers live on.
   */
  withOwner<R>(owner: object, fn: () => R): R {
    const before = this.owner;
    this.owner = owner;
    try {
      return fn();
    } finally {
      this.owner = before;
    }
  }

  removeOwner(owner: object): void {
    for (const i of this.informers.values()) i.removeHandlersOf(owner);
  }

  stopAll(): void {
    for (const i of this.informers.values()) i.stop();
  }
}
