/**
 * The root CA certificate publisher, as upstream's
 * (pkg/controller/certificates/rootcacertpublisher): every Active
 * namespace has a ConfigMap `kube-root-ca.crt` whose data is exactly
 * {"ca.crt": <the cluster CA PEM>} with upstream's description annotation.
 * Pods read it through the projected API access volume the ServiceAccount
 * admission adds, to verify the API server.
 * - a namespace added or updated is synced; a kube-root-ca.crt changed or
 *   deleted syncs its namespace, so edits are undone and deletes recreated;
 * - creates racing a terminating namespace (403) or another create
 *   (AlreadyExists) are not errors.
 * Without config.rootCaCertPem (a server without a CA) it does nothing.
 */
import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { Controller, ControllerContext } from '../framework/controller.js';
import type { Informer } from '../framework/informer.js';
import { inNamespace, refs } from '../framework/refs.js';
import { WorkQueue } from '../framework/work-queue.js';

export const ROOT_CA_CONFIG_MAP_NAME = 'kube-root-ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
export const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

type Namespace = KubeObject & { status?: { phase?: string } };
type ConfigMap = KubeObject & { data?: Record<string, string> };

/** The ConfigMap as it must be, from what exists (undefined: create it). Pure. */
export function desiredRootCaConfigMap(namespace: string, caPem: string, existing: ConfigMap | undefined): ConfigMap | undefined {
  if (!existing) {
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: ROOT_CA_CONFIG_MAP_NAME, namespace, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } },
      data: { 'ca.crt': caPem },
    };
  }
  const data = existing.data ?? {};
  const dataOk = Object.keys(data).length === 1 && data['ca.crt'] === caPem;
  const annotationOk = existing.metadata.annotations?.[DESCRIPTION_ANNOTATION] === DESCRIPTION;
  if (dataOk && annotationOk) return undefined;
  const next = structuredClone(existing);
  next.data = { 'ca.crt': caPem };
  next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [DESCRIPTION_ANNOTATION]: DESCRIPTION };
  return next;
}

export class RootCaCertPublisher implements Controller {
  readonly name = 'root-ca-cert-publisher';
  private ctx!: ControllerContext;
  private namespaces!: Informer<Namespace>;
  private configMaps!: Informer<ConfigMap>;
  private queue!: WorkQueue;
  private caPem = '';

  setup(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.caPem = ctx.config.rootCaCertPem ?? '';
    if (this.caPem === '') return;
    this.namespaces = ctx.informers.informer<Namespace>(refs.namespaces);
    this.configMaps = ctx.informers.informer<ConfigMap>(refs.configMaps, { fieldSelector: `metadata.name=${ROOT_CA_CONFIG_MAP_NAME}` });
    this.queue = new WorkQueue((ns) => this.sync(ns), {
      name: 'root_ca_cert_publisher',
      workers: 1,
      onError: (key, err) => ctx.log(`root-ca-cert-publisher: namespace ${key}: ${err instanceof Error ? err.message : String(err)}`),
    });
    const enqueueNs = (ns: Namespace): void => this.queue.add(ns.metadata.name ?? '');
    const enqueueCm = (cm: ConfigMap): void => this.queue.add(cm.metadata.namespace ?? '');
    this.namespaces.addHandler({ add: enqueueNs, update: (_o, n) => enqueueNs(n) });
    this.configMaps.addHandler({ update: (_o, n) => enqueueCm(n), delete: enqueueCm });
  }

  run(): void {
    this.queue?.start();
  }

  stop(): void {
    this.queue?.stop();
  }

  private async sync(namespace: string): Promise<void> {
    const ns = this.namespaces.getByName(undefined, namespace);
    if (!ns || ns.metadata.deletionTimestamp || (ns.status?.phase ?? 'Active') !== 'Active') return;
    const existing = this.configMaps.getByName(namespace, ROOT_CA_CONFIG_MAP_NAME);
    const want = desiredRootCaConfigMap(namespace, this.caPem, existing);
    if (!want) return;
    const ref = inNamespace(refs.configMaps, namespace);
    try {
      if (existing) await this.ctx.client.update(ref, want);
      else await this.ctx.client.create(ref, want);
    } catch (err) {
      if (isApiError(err) && (err.code === 'SKIFF_ALREADY_EXISTS' || err.code === 'SKIFF_FORBIDDEN' || err.code === 'SKIFF_NOT_FOUND')) return;
      if (isApiError(err) && err.code === 'SKIFF_CONFLICT') {
        this.queue.add(namespace);
        return;
      }
      throw err;
    }
  }
}
