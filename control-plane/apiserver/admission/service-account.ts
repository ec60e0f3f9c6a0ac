/**
 * Mutating admission plug-in `ServiceAccount`, as upstream's
 * (plugin/pkg/admission/serviceaccount/admission.go), for a Pod created
 * (not updated, not a subresource, not a mirror pod):
 * - spec.serviceAccountName defaults to `default` (and the deprecated
 *   spec.serviceAccount follows it);
 * - unless automounting is off — the pod's automountServiceAccountToken
 *   wins, else the ServiceAccount's, else on — every container and init
 *   container without a mount at /var/run/secrets/kubernetes.io/serviceaccount
 *   gets a read-only mount of a projected volume `kube-api-access-<5
 *   random chars>` holding the token (serviceAccountToken, 3607 s, path
 *   `token`), the CA (configMap kube-root-ca.crt, key ca.crt) and the
 *   namespace (downwardAPI metadata.namespace); an existing
 *   `kube-api-access-*` volume is reused;
 * - a pod without imagePullSecrets gets the ServiceAccount's.
 *
 * Not done (yet): rejecting pods whose ServiceAccount does not exist —
 * upstream forbids them, which needs the ServiceAccounts controller to
 * have run first in every namespace; Skiff admits them and the token
 * request on the node fails instead.
 */
import { isPlainObject, type KubeObject } from '../../api/meta.js';
import type { ResourceTable } from '../../api/resource-table.js';
import type { Store } from '../../storage/store.js';
import type { AdmissionAttributes, MutatingPlugin } from './admission.js';

export const DEFAULT_SERVICE_ACCOUNT_NAME = 'default';
export const DEFAULT_API_TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const SERVICE_ACCOUNT_VOLUME_NAME = 'kube-api-access';
export const ROOT_CA_CONFIG_MAP = 'kube-root-ca.crt';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
const PROJECTED_DEFAULT_MODE = 0o644;
const TOKEN_EXPIRATION_SECONDS = 3607;

type Obj = Record<string, unknown>;

/** upstream's TokenVolumeSource(): the projected source of the API access volume. */
export function tokenVolumeSource(): Obj {
  return {
    defaultMode: PROJECTED_DEFAULT_MODE,
    sources: [
      { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
      { configMap: { name: ROOT_CA_CONFIG_MAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  };
}

function objs(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isPlainObject) : [];
}

function shouldAutomount(sa: KubeObject | undefined, spec: Obj): boolean {
  if (typeof spec.automountServiceAccountToken === 'boolean') return spec.automountServiceAccountToken;
  if (sa && typeof sa.automountServiceAccountToken === 'boolean') return sa.automountServiceAccountToken;
  return true;
}

/** Adds the token volume and its mounts (upstream's mountServiceAccountToken). */
export function mountServiceAccountToken(spec: Obj, randomSuffix: (n: number) => string): void {
  const volumes = objs(spec.volumes);
  const existing = volumes.find((v) => typeof v.name === 'string' && v.name.startsWith(`${SERVICE_ACCOUNT_VOLUME_NAME}-`));
  const volumeName = typeof existing?.name === 'string' ? existing.name : `${SERVICE_ACCOUNT_VOLUME_NAME}-${randomSuffix(5)}`;
  let needsVolume = false;
  for (const list of ['initContainers', 'containers']) {
    for (const c of objs(spec[list])) {
      const mounts = objs(c.volumeMounts);
      if (mounts.some((m) => m.mountPath === DEFAULT_API_TOKEN_MOUNT_PATH)) continue;
      c.volumeMounts = [...mounts, { name: volumeName, readOnly: true, mountPath: DEFAULT_API_TOKEN_MOUNT_PATH }];
      needsVolume = true;
    }
  }
  if (!existing && needsVolume) spec.volumes = [...volumes, { name: volumeName, projected: tokenVolumeSource() }];
}

export function serviceAccountPlugin(deps: { store: Store; table: ResourceTable; randomSuffix: (n: number) => string }): MutatingPlugin {
  const prefix = (): string => deps.table.resolve('', 'v1', 'serviceaccounts')?.entry.storagePrefix ?? '/registry/serviceaccounts/';
  const getServiceAccount = async (namespace: string, name: string): Promise<KubeObject | undefined> => {
    const e = await deps.store.get(`${prefix()}${namespace}/${name}`);
    return e ? (JSON.parse(e.value) as KubeObject) : undefined;
  };
  return {
    name: 'ServiceAccount',
    async admit(attrs: AdmissionAttributes): Promise<void> {
      if (attrs.operation !== 'CREATE' || attrs.subresource !== '') return;
      if (attrs.resource.entry.group !== '' || attrs.resource.entry.resource !== 'pods') return;
      const pod = attrs.object;
      if (!pod || !isPlainObject(pod.spec)) return;
      if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return;
      const spec = pod.spec;
      // v1 conversion: the deprecated field names the account when the new one does not.
      let name = typeof spec.serviceAccountName === 'string' ? spec.serviceAccountName : '';
      if (name === '' && typeof spec.serviceAccount === 'string') name = spec.serviceAccount;
      if (name === '') name = DEFAULT_SERVICE_ACCOUNT_NAME;
      spec.serviceAccountName = name;
      spec.serviceAccount = name;
      const sa = await getServiceAccount(attrs.namespace, name);
      if (shouldAutomount(sa, spec)) mountServiceAccountToken(spec, deps.randomSuffix);
      const pullSecrets = objs(sa?.imagePullSecrets);
      if (objs(spec.imagePullSecrets).length === 0 && pullSecrets.length > 0) {
        spec.imagePullSecrets = pullSecrets.map((s) => ({ name: s.name }));
      }
    },
  };
}
