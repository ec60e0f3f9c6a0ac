/**
 * The namespace controller, as upstream's (pkg/controller/namespace): a
 * namespace with a deletionTimestamp is emptied, then released.
 *
 * For each terminating namespace (namespacedResourcesDeleter.Delete):
 * 1. read it live; set status.phase Terminating if it is not yet;
 * 2. if spec.finalizers is already empty, nothing is left to do;
 * 3. delete every object of every namespaced kind (propagationPolicy
 *    Background), list what remains, and record the five deletion
 *    conditions on the namespace's status;
 * 4. while content remains within its estimate (pods' grace periods, 15 s
 *    for finalizers) look again after half the estimate; an unexpected
 *    remainder or a failure is retried with backoff;
 * 5. once empty, remove the `kubernetes` finalizer through
 *    PUT namespaces/<name>/finalize, after which the apiserver removes
 *    the namespace.
 */
import type { ResourceRef } from '../../api/client/api-client.js';
import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { newBuiltinTable } from '../../api/resources/index.js';
import type { Controller, ControllerContext } from '../framework/controller.js';
import type { Informer } from '../framework/informer.js';
import { inNamespace, refs } from '../framework/refs.js';
import { WorkQueue, type WorkResult } from '../framework/work-queue.js';
import { namespacedDeletableKinds, type KindInfo } from '../garbage-collector/resource-kinds.js';
import { runLimited } from '../garbage-collector/run-limited.js';
import {
  estimatePodTermination,
  failingConditions,
  mergeConditions,
  resourceOutcome,
  type NamespaceCondition,
  type ResourceOutcome,
} from './deletion-status.js';

export const FINALIZER_KUBERNETES = 'kubernetes';
const DELETE_CONCURRENCY = 16;

type Namespace = KubeObject & { spec?: { finalizers?: string[] }; status?: { phase?: string; conditions?: NamespaceCondition[] } };

export class NamespaceController implements Controller {
  readonly name = 'namespace-controller';
  private ctx!: ControllerContext;
  private namespaces!: Informer<Namespace>;
  private kinds: KindInfo[] = [];
  private queue!: WorkQueue;

  setup(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.kinds = namespacedDeletableKinds(newBuiltinTable());
    this.namespaces = ctx.informers.informer<Namespace>(refs.namespaces);
    this.queue = new WorkQueue((key) => this.sync(key), {
      name: 'namespace',
      workers: 4,
      onError: (key, err) => ctx.log(`namespace-controller: deletion of namespace ${key} failed: ${err instanceof Error ? err.message : String(err)}`),
    });
    const enqueue = (ns: Namespace): void => {
      if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name ?? '');
    };
    this.namespaces.addHandler({ add: enqueue, update: (_o, n) => enqueue(n) });
  }

  run(): void {
    this.queue.start();
  }

  stop(): void {
    this.queue.stop();
  }

  private async getLive(name: string): Promise<Namespace | undefined> {
    try {
      return await this.ctx.client.get<Namespace>(refs.namespaces, name);
    } catch (err) {
      if (isApiError(err) && err.code === 'SKIFF_NOT_FOUND') return undefined;
      throw err;
    }
  }

  private async sync(name: string): Promise<WorkResult | void> {
    if (!this.namespaces.getByName(undefined, name)) return;
    let ns = await this.getLive(name);
    if (!ns?.metadata.deletionTimestamp) return;
    if (ns.status?.phase !== 'Terminating') {
      ns = await this.ctx.client.update<Namespace>(refs.namespaces, { ...ns, status: { ...(ns.status ?? {}), phase: 'Terminating' } }, { subresource: 'status' });
    }
    if ((ns.spec?.finalizers ?? []).length === 0) return;
    const outcomes = await this.deleteAllContent(ns);
    const estimate = Math.max(0, ...outcomes.map((o) => o.finalizerEstimateSeconds));
    const errors = outcomes.filter((o) => o.error !== undefined);
    if (errors.length > 0) throw new Error(errors.map((o) => o.error).join(', '));
    if (estimate > 0) return { requeueAfterMs: Math.max(500, Math.floor(estimate / 2) * 1000) };
    await this.finalize(name);
  }

  /** Deletes every namespaced object, records the conditions, answers each kind's outcome. */
  private async deleteAllContent(ns: Namespace): Promise<ResourceOutcome[]> {
    const name = ns.metadata.name ?? '';
    const deletedAt = new Date(ns.metadata.deletionTimestamp as string);
    const outcomes = await Promise.all(
      this.kinds.map(async (k): Promise<ResourceOutcome> => {
        const ref = inNamespace(k.ref, name);
        const gvr = { group: k.group, version: k.version, resource: k.resource };
        try {
          const items = (await this.ctx.client.list(ref)).items;
          const estimate = k.group === '' && k.resource === 'pods' ? estimatePodTermination(items, deletedAt, this.ctx.clock.now()) : 0;
          await runLimited(items, DELETE_CONCURRENCY, (o) => this.deleteItem(ref, o));
          const remaining = items.length === 0 ? [] : (await this.ctx.client.list(ref)).items;
          return resourceOutcome(gvr, name, remaining, estimate);
        } catch (err) {
          const msg = err instanceof Error ? err.message : String(err);
          return { ...gvr, finalizerEstimateSeconds: 0, numRemaining: 0, finalizersToNumRemaining: new Map(), error: msg };
        }
      }),
    );
    const { conditions, changed } = mergeConditions(ns.status?.conditions ?? [], failingConditions(outcomes), this.ctx.clock.now());
    if (changed) {
      try {
        await this.ctx.client.update(refs.namespaces, { ...ns, status: { ...(ns.status ?? {}), conditions } }, { subresource: 'status' });
      } catch (err) {
        this.ctx.log(`namespace-controller: couldn't update status condition for namespace ${JSON.stringify(name)}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return outcomes;
  }

  private async deleteItem(ref: ResourceRef, o: KubeObject): Promise<void> {
    try {
      await this.ctx.client.delete(ref, o.metadata.name ?? '', { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
    } catch (err) {
      if (isApiError(err) && (err.code === 'SKIFF_NOT_FOUND' || err.code === 'SKIFF_METHOD_NOT_ALLOWED')) return;
      throw err;
    }
  }

  /** Removes our finalizer token through the finalize subresource, re-reading on conflict. */
  private async finalize(name: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const ns = await this.getLive(name);
      if (!ns) return;
      const fins = ns.spec?.finalizers ?? [];
      if (!fins.includes(FINALIZER_KUBERNETES)) return;
      const kept = [...new Set(fins.filter((f) => f !== FINALIZER_KUBERNETES))].sort();
      try {
        await this.ctx.client.update(refs.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, resourceVersion: ns.metadata.resourceVersion }, spec: { ...(ns.spec ?? {}), finalizers: kept } }, { subresource: 'finalize' });
        return;
      } catch (err) {
        if (isApiError(err) && err.code === 'SKIFF_NOT_FOUND') return;
        if (isApiError(err) && err.code === 'SKIFF_CONFLICT' && attempt < 5) continue;
        throw err;
      }
    }
  }
}
