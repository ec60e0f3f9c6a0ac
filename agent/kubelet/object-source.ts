/**
 * ObjectSource over the API: what env and volumes read (ConfigMaps,
 * Secrets, Services) and the TokenRequest for projected
 * serviceAccountToken volumes (POST serviceaccounts/NAME/token with a
 * Pod-bound TokenRequest, as upstream's token manager sends). A 404 reads
 * as undefined; every other failure propagates.
 *
 * Reads go straight to the API (upstream's configMapManager default,
 * "Watch", caches; the sync loop's cadence keeps our load small). The
 * caller may wrap this in a cache.
 */
import type { ApiClient, ResourceRef } from '../../control-plane/api/client/api-client.js';
import { isApiError } from '../../control-plane/api/errors.js';
import type { KubeObject } from '../../control-plane/api/meta.js';
import { rec, str } from '../../control-plane/api/resources/fields.js';
import type { ObjectSource } from './pod-deps.js';

const core = (resource: string, namespace: string): ResourceRef => ({ group: '', version: 'v1', resource, namespace });

async function getOrUndefined(client: ApiClient, ref: ResourceRef, name: string): Promise<KubeObject | undefined> {
  try {
    return await client.get(ref, name);
  } catch (err) {
    if (isApiError(err) && err.status === 404) return undefined;
    throw err;
  }
}

export function apiObjectSource(client: ApiClient): ObjectSource {
  return {
    getConfigMap: (namespace, name) => getOrUndefined(client, core('configmaps', namespace), name),
    getSecret: (namespace, name) => getOrUndefined(client, core('secrets', namespace), name),
    listServices: async (namespace) => (await client.list(core('services', namespace))).items,
    requestServiceAccountToken: async (namespace, serviceAccount, req) => {
      const body = {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        metadata: { name: serviceAccount, namespace },
        spec: {
          audiences: req.audiences,
          expirationSeconds: req.expirationSeconds,
          boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: req.podName, uid: req.podUid },
        },
      };
      const res = await client.postSubresource<KubeObject>(core('serviceaccounts', namespace), serviceAccount, 'token', body);
      const status = rec(res.status);
      const token = str(status?.token);
      if (!token) throw new Error(`TokenRequest for serviceaccount "${serviceAccount}" returned no token`);
      return { token, expirationTimestamp: str(status?.expirationTimestamp) ?? '' };
    },
  };
}
