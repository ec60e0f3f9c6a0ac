/**
 * Which ServiceAccounts a namespace must have, as upstream's
 * ServiceAccountsController (pkg/controller/serviceaccount): `default` in
 * every Active namespace. Namespaces that are terminating (or not yet
 * Active) get nothing, so deletion is never undone. Pure.
 */
import type { KubeObject } from '../../api/meta.js';

export const SERVICE_ACCOUNTS_TO_ENSURE: readonly string[] = ['default'];

type Namespace = KubeObject & { status?: { phase?: string } };

/** The ServiceAccount names to create in `ns`, given the names it has. */
export function missingServiceAccounts(ns: Namespace, existing: ReadonlySet<string>, wanted: readonly string[] = SERVICE_ACCOUNTS_TO_ENSURE): string[] {
  if (ns.metadata.deletionTimestamp) return [];
  if ((ns.status?.phase ?? 'Active') !== 'Active') return [];
  return wanted.filter((n) => !existing.has(n));
}

/** The object created for a missing ServiceAccount (upstream sets only name and namespace). */
export function newServiceAccount(namespace: string, name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } };
}
