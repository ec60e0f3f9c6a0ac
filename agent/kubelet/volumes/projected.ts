/**
 * projected volumes (upstream pkg/volume/projected collectData): the
 * union of configMap, secret, downwardAPI and serviceAccountToken sources
 * in one directory, written by one atomic writer. Missing non-optional
 * ConfigMaps/Secrets fail with `configmap "x" not found` /
 * `secret "x" not found`; items and modes as the single-source volumes.
 * serviceAccountToken files hold a TokenRequest token for the pod's
 * ServiceAccount (audience → audiences [audience], none → the server's
 * default), written with the volume's defaultMode.
 */
import { num, objs, rec, str } from '../../../control-plane/api/resources/fields.js';
import type { Allocatable } from '../env-field-path.js';
import type { ObjectSource, Pod } from '../pod-deps.js';
import type { Payload } from './atomic-writer.js';
import { configMapPayload } from './config-map.js';
import { downwardApiPayload } from './downward-api.js';
import { secretPayload } from './secret.js';
import type { TokenManager } from './token-manager.js';

export async function projectedPayload(
  pod: Pod,
  source: Record<string, unknown>,
  objects: ObjectSource,
  tokens: TokenManager,
  allocatable?: Allocatable,
): Promise<Payload> {
  const ns = pod.metadata.namespace ?? 'default';
  const defaultMode = num(source.defaultMode) ?? 0o644;
  const out: Payload = new Map();
  const errors: string[] = [];
  const merge = (p: Payload) => {
    for (const [k, v] of p) out.set(k, v);
  };
  for (const s of objs(source.sources)) {
    try {
      const cm = rec(s.configMap);
      const sec = rec(s.secret);
      const dapi = rec(s.downwardAPI);
      const sat = rec(s.serviceAccountToken);
      if (cm) {
        const name = str(cm.name) ?? '';
        const optional = cm.optional === true;
        const obj = await objects.getConfigMap(ns, name);
        if (!obj && !optional) throw new Error(`configmap "${name}" not found`);
        merge(configMapPayload(obj, cm.items, defaultMode, optional));
      } else if (sec) {
        const name = str(sec.name) ?? '';
        const optional = sec.optional === true;
        const obj = await objects.getSecret(ns, name);
        if (!obj && !optional) throw new Error(`secret "${name}" not found`);
        merge(secretPayload(obj, sec.items, defaultMode, optional));
      } else if (dapi) {
        merge(downwardApiPayload(pod, dapi.items, defaultMode, allocatable));
      } else if (sat) {
        const audience = str(sat.audience);
        const token = await tokens.getToken(ns, str(pod.spec?.serviceAccountName) || 'default', {
          audiences: audience ? [audience] : [],
          expirationSeconds: num(sat.expirationSeconds) ?? 3600,
          podName: pod.metadata.name ?? '',
          podUid: pod.metadata.uid ?? '',
        });
        out.set(str(sat.path) ?? 'token', { data: Buffer.from(token, 'utf8'), mode: defaultMode });
      }
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  if (errors.length > 0) throw new Error(errors.length === 1 ? (errors[0] ?? '') : `[${errors.join(', ')}]`);
  return out;
}
