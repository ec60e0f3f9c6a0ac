/**
 * The ServiceAccounts controller, as upstream's ServiceAccountsController:
 * every Active namespace has a `default` ServiceAccount.
 * - a namespace added or updated is synced;
 * - a ServiceAccount deleted syncs its namespace, so `default` comes back;
 * - creates that race a terminating namespace (403 NamespaceTerminating)
 *   or a concurrent create (AlreadyExists) are not errors.
 */
import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { Controller, ControllerContext } from '../framework/controller.js';
import type { Informer } from '../framework/informer.js';
import { inNamespace, refs } from '../framework/refs.js';
import { WorkQueue } from '../framework/work-queue.js';
import { missingServiceAccounts, newServiceAccount } from './ensure.js';

type Namespace = KubeObject & { status?: { phase?: string } };

export class ServiceAccountsController implements Controller {
  readonly name = 'serviceaccount-controller';
  private ctx!: ControllerContext;
  private namespaces!: Informer<Namespace>;
  private serviceAccounts!: Informer;
  private queue!: WorkQueue;

  setup(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.namespaces = ctx.informers.informer<Namespace>(refs.namespaces);
    this.serviceAccounts = ctx.informers.informer(refs.serviceAccounts);
    this.queue = new WorkQueue((ns) => this.sync(ns), {
      name: 'serviceaccount',
      workers: 2,
      onError: (key, err) => ctx.log(`serviceaccount-controller: namespace ${key}: ${err instanceof Error ? err.message : String(err)}`),
    });
    const enqueueNs = (ns: Namespace): void => this.queue.add(ns.metadata.name ?? '');
    this.namespaces.addHandler({ add: enqueueNs, update: (_o, n) => enqueueNs(n) });
    this.serviceAccounts.addHandler({ delete: (sa) => this.queue.add(sa.metadata.namespace ?? '') });
  }

  run(): void {
    this.queue.start();
  }

  stop(): void {
    this.queue.stop();
  }

  private async sync(name: string): Promise<void> {
    const ns = this.namespaces.getByName(undefined, name);
    if (!ns) return;
    const existing = new Set(this.serviceAccounts.list(name).map((sa) => sa.metadata.name ?? ''));
    for (const sa of missingServiceAccounts(ns, existing)) {
      try {
        await this.ctx.client.create(inNamespace(refs.serviceAccounts, name), newServiceAccount(name, sa));
      } catch (err) {
        if (isApiError(err) && err.code === 'SKIFF_ALREADY_EXISTS') continue;
        // Namespace terminating or gone meanwhile: nothing to ensure.
        if (isApiError(err) && (err.code === 'SKIFF_FORBIDDEN' || err.code === 'SKIFF_NOT_FOUND')) continue;
        throw err;
      }
    }
  }
}
