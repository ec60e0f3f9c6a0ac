/**
 * The Endpoints controller: keeps one core/v1 Endpoints object per Service
 * with a selector, named like the Service, listing the pods behind it
 * (upstream's pkg/controller/endpoint). Thin loop: the content comes from
 * serviceEndpoints + endpointsSubsets; this file only decides when to look
 * (Service changes, and pod changes that touch a Service's selector) and
 * writes only when the content differs.
 */
import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { Controller, ControllerContext } from '../framework/controller.js';
import type { Informer } from '../framework/informer.js';
import type { Pod } from '../framework/pod-util.js';
import { inNamespace, objectKey, refs, splitKey } from '../framework/refs.js';
import { semanticEqual } from '../framework/semantic-equal.js';
import { WorkQueue } from '../framework/work-queue.js';
import { endpointsSubsets, OVER_CAPACITY_ANNOTATION } from './endpoints-subsets.js';
import { selectorMatches, selectsPods, serviceEndpoints, type Service } from './service-endpoints.js';

/** Upstream marks controller-managed Endpoints so the mirroring controller leaves them alone. */
const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';

type Endpoints = KubeObject & { subsets?: unknown[] };

/** Services in pod's namespace whose selector matches any of the given label sets. */
export function servicesForPod(services: Informer<Service>, pod: Pod, ...labelSets: (Record<string, string> | undefined)[]): string[] {
  const keys: string[] = [];
  for (const svc of services.list(pod.metadata.namespace ?? '')) {
    if (!selectsPods(svc)) continue;
    if (labelSets.some((l) => selectorMatches(svc.spec!.selector!, l))) keys.push(objectKey(svc));
  }
  return keys;
}

export class EndpointsController implements Controller {
  readonly name = 'endpoints';
  private ctx!: ControllerContext;
  private services!: Informer<Service>;
  private pods!: Informer<Pod>;
  private endpoints!: Informer<Endpoints>;
  private queue!: WorkQueue;

  setup(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.services = ctx.informers.informer<Service>(refs.services);
    this.pods = ctx.informers.informer<Pod>(refs.pods);
    this.endpoints = ctx.informers.informer<Endpoints>(refs.endpoints);
    this.queue = new WorkQueue((k) => this.sync(k), { name: this.name, workers: 4, onError: (k, e) => ctx.log(`endpoints ${k}: ${String(e)}`) });
    const enqueueSvc = (s: Service): void => this.queue.add(objectKey(s));
    this.services.addHandler({ add: enqueueSvc, update: (_o, n) => enqueueSvc(n), delete: enqueueSvc });
    this.pods.addHandler({
      add: (p) => this.podChanged(p),
      update: (o, n) => {
        if (o.metadata.resourceVersion === n.metadata.resourceVersion) return;
        this.podChanged(n, o.metadata.labels);
      },
      delete: (p) => this.podChanged(p),
    });
    this.endpoints.addHandler({ delete: (e) => this.queue.add(objectKey(e)) });
  }

  private podChanged(pod: Pod, oldLabels?: Record<string, string>): void {
    for (const k of servicesForPod(this.services, pod, pod.metadata.labels, oldLabels)) this.queue.add(k);
  }

  run(): void {
    for (const s of this.services.list()) this.queue.add(objectKey(s));
    this.queue.start();
  }

  stop(): void {
    this.queue.stop();
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ref = inNamespace(refs.endpoints, namespace);
    const svc = this.services.get(key);
    const current = this.endpoints.get(key);
    if (!svc) {
      // The Service is gone: so are its Endpoints (if we manage them).
      if (current?.metadata.labels?.[SKIP_MIRROR_LABEL] === 'true') await this.deleteIgnoringMissing(ref, name, current);
      return;
    }
    if (!selectsPods(svc)) return;
    const { subsets, truncated } = endpointsSubsets(svc, serviceEndpoints(svc, this.pods.list(namespace)));
    const labels = { ...(svc.metadata.labels ?? {}), [SKIP_MIRROR_LABEL]: 'true' };
    const annotations: Record<string, string> = { ...(current?.metadata.annotations ?? {}) };
    if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
    else delete annotations[OVER_CAPACITY_ANNOTATION];
    if (
      current &&
      semanticEqual(current.subsets ?? [], subsets) &&
      semanticEqual(current.metadata.labels ?? {}, labels) &&
      semanticEqual(current.metadata.annotations ?? {}, annotations)
    ) {
      return;
    }
    const body: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace, labels, annotations, ...(current ? { resourceVersion: current.metadata.resourceVersion } : {}) },
      subsets,
    };
    // A create racing an object the informer has not shown yet fails with
    // AlreadyExists; the retry then sees it and updates.
    if (current) await this.ctx.client.update(ref, body);
    else await this.ctx.client.create(ref, body);
  }

  private async deleteIgnoringMissing(ref: typeof refs.endpoints, name: string, obj: KubeObject): Promise<void> {
    try {
      await this.ctx.client.delete(ref, name, { preconditions: { uid: obj.metadata.uid } });
    } catch (err) {
      if (!isApiError(err) || (err.code !== 'SKIFF_NOT_FOUND' && err.code !== 'SKIFF_CONFLICT')) throw err;
    }
  }
}
