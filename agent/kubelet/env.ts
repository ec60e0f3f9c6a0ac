/**
 * The container's final environment (upstream kubelet_pods.go
 * makeEnvironmentVariables):
 * 1. envFrom in order (configMapRef/secretRef, with prefix; optional
 *    sources that are missing are skipped; keys that are not valid
 *    variable names are skipped);
 * 2. env in order, later entries overriding: a non-empty `value` has its
 *    `$(VAR)` references expanded against the variables so far, then the
 *    Service variables; otherwise valueFrom (configMapKeyRef,
 *    secretKeyRef, fieldRef, resourceFieldRef) is resolved;
 * 3. the Service variables not already defined.
 * A missing non-optional ConfigMap/Secret or key throws
 * ContainerStartError('CreateContainerConfigError', upstream's message:
 * `configmap "x" not found`, `couldn't find key k in ConfigMap ns/x`).
 */
import type { KubeObject } from '../../control-plane/api/meta.js';
import { objs, rec, str } from '../../control-plane/api/resources/fields.js';
import type { KeyValue } from '../cri/runtime.js';
import { expand, mappingFor } from './env-expansion.js';
import { podFieldValue, resourceFieldValue, type Allocatable } from './env-field-path.js';
import { fromServices, selectServices } from './env-services.js';
import { ContainerStartError, type ContainerSpec, type NodeFacts, type ObjectSource, type Pod, type ResolveEnv } from './pod-deps.js';

export interface ResolveEnvOptions {
  /** Service links when the pod does not say (the server defaults spec.enableServiceLinks to true). */
  enableServiceLinks?: boolean;
  /** Where the `kubernetes` Service lives (upstream --master-service-namespace). */
  masterServiceNamespace?: string;
  /** Node allocatable, the default for unset limits in resourceFieldRef. */
  allocatable?: Allocatable;
}

const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const CONFIG_ERROR = 'CreateContainerConfigError';

function configError(message: string): ContainerStartError {
  return new ContainerStartError(CONFIG_ERROR, message);
}

/** Decoded Secret data (base64 in the API). */
export function secretData(secret: KubeObject): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(rec(secret.data) ?? {})) {
    if (typeof v === 'string') out.set(k, Buffer.from(v, 'base64').toString('utf8'));
  }
  return out;
}

export function configMapData(cm: KubeObject): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(rec(cm.data) ?? {})) if (typeof v === 'string') out.set(k, v);
  return out;
}

type Kind = 'configmap' | 'secret';

export function makeResolveEnv(source: ObjectSource, node: NodeFacts, opts: ResolveEnvOptions = {}): ResolveEnv {
  const masterNamespace = opts.masterServiceNamespace ?? 'default';

  async function serviceEnv(pod: Pod): Promise<Map<string, string>> {
    const ns = pod.metadata.namespace ?? 'default';
    const links = typeof pod.spec?.enableServiceLinks === 'boolean' ? pod.spec.enableServiceLinks : (opts.enableServiceLinks ?? true);
    const namespaces = new Set<string>([masterNamespace]);
    if (links) namespaces.add(ns);
    const all: KubeObject[] = [];
    for (const n of namespaces) {
      for (const s of await source.listServices(n)) all.push({ ...s, metadata: { ...s.metadata, namespace: s.metadata.namespace ?? n } });
    }
    return new Map(fromServices(selectServices(ns, links, masterNamespace, all)));
  }

  return async (pod: Pod, container: ContainerSpec, podIPs: string[]): Promise<KeyValue[]> => {
    const ns = pod.metadata.namespace ?? 'default';
    const cache = new Map<string, Map<string, string> | undefined>();
    /** The data of a ConfigMap/Secret; undefined when missing and optional; throws when missing otherwise. */
    const load = async (kind: Kind, name: string, optional: boolean): Promise<Map<string, string> | undefined> => {
      const key = `${kind}/${name}`;
      if (!cache.has(key)) {
        const obj = kind === 'configmap' ? await source.getConfigMap(ns, name) : await source.getSecret(ns, name);
        cache.set(key, obj === undefined ? undefined : kind === 'configmap' ? configMapData(obj) : secretData(obj));
      }
      const data = cache.get(key);
      if (data === undefined && !optional) throw configError(`${kind} "${name}" not found`);
      return data;
    };

    const services = await serviceEnv(pod);
    const env = new Map<string, string>();
    for (const from of objs(container.envFrom)) {
      const prefix = str(from.prefix) ?? '';
      const cmRef = rec(from.configMapRef);
      const secRef = rec(from.secretRef);
      const ref = cmRef ?? secRef;
      if (!ref) continue;
      const data = await load(cmRef ? 'configmap' : 'secret', str(ref.name) ?? '', ref.optional === true);
      for (const [k, v] of data ?? []) {
        const name = prefix + k;
        if (ENV_VAR_NAME.test(name)) env.set(name, v);
      }
    }

    const mapping = mappingFor(env, services);
    for (const e of objs(container.env)) {
      const name = str(e.name) ?? '';
      const value = str(e.value) ?? '';
      const from = rec(e.valueFrom);
      if (value !== '' || !from) {
        env.set(name, expand(value, mapping));
        continue;
      }
      const fieldRef = rec(from.fieldRef);
      const resRef = rec(from.resourceFieldRef);
      const cmKey = rec(from.configMapKeyRef);
      const secKey = rec(from.secretKeyRef);
      try {
        if (fieldRef) env.set(name, podFieldValue(pod, str(fieldRef.fieldPath) ?? '', node, podIPs));
        else if (resRef) env.set(name, resourceFieldValue(pod, container, resRef, opts.allocatable));
        else if (cmKey || secKey) {
          const ref = (cmKey ?? secKey) as Record<string, unknown>;
          const kind: Kind = cmKey ? 'configmap' : 'secret';
          const optional = ref.optional === true;
          const objName = str(ref.name) ?? '';
          const key = str(ref.key) ?? '';
          const data = await load(kind, objName, optional);
          if (data === undefined) continue;
          const v = data.get(key);
          if (v === undefined) {
            if (optional) continue;
            throw configError(`couldn't find key ${key} in ${cmKey ? 'ConfigMap' : 'Secret'} ${ns}/${objName}`);
          }
          env.set(name, v);
        }
      } catch (err) {
        if (err instanceof ContainerStartError) throw err;
        throw configError((err as Error).message);
      }
    }

    const out: KeyValue[] = [...env].map(([key, value]) => ({ key, value }));
    for (const [key, value] of services) if (!env.has(key)) out.push({ key, value });
    return out;
  };
}
