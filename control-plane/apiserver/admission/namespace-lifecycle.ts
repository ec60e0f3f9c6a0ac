/**
 * Validating admission plug-in `NamespaceLifecycle`, as upstream's:
 * - writes (not deletes) of namespaced objects into a namespace that does
 *   not exist fail with 404 `namespaces "x" not found`;
 * - creates in a terminating namespace fail with 403
 *   `… is forbidden: unable to create new content in namespace x because it is being terminated`;
 * - the namespaces default, kube-system and kube-public cannot be deleted.
 * The namespace is read from the store on every check (no cache to go stale).
 */
import { ApiError, forbidden, notFound, qualified } from '../../api/errors.js';
import { isPlainObject, type KubeObject } from '../../api/meta.js';
import type { ResourceTable } from '../../api/resource-table.js';
import type { Store } from '../../storage/store.js';
import type { AdmissionAttributes, ValidatingPlugin } from './admission.js';

export const IMMORTAL_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public'];

export function namespaceLifecyclePlugin(deps: { store: Store; table: ResourceTable }): ValidatingPlugin {
  const nsPrefix = (): string => deps.table.resolve('', 'v1', 'namespaces')?.entry.storagePrefix ?? '/registry/namespaces/';
  return {
    name: 'NamespaceLifecycle',
    async validate(attrs: AdmissionAttributes): Promise<void> {
      const entry = attrs.resource.entry;
      const gr = { group: entry.group, resource: entry.resource };
      if (entry.group === '' && entry.resource === 'namespaces') {
        if (attrs.operation === 'DELETE' && IMMORTAL_NAMESPACES.includes(attrs.name)) {
          throw forbidden(gr, attrs.name, 'this namespace may not be deleted');
        }
        return;
      }
      if (!entry.namespaced || attrs.operation === 'DELETE' || !attrs.namespace) return;
      const got = await deps.store.get(nsPrefix() + attrs.namespace);
      if (!got) throw notFound({ group: '', resource: 'namespaces' }, attrs.namespace);
      if (attrs.operation !== 'CREATE') return;
      const ns = JSON.parse(got.value) as KubeObject;
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
