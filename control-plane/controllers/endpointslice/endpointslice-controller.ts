/**
 * The EndpointSlice controller: keeps the discovery.k8s.io/v1
 * EndpointSlices of every Service with a selector (upstream's
 * pkg/controller/endpointslice). Slices carry the labels
 * `kubernetes.io/service-name` and `endpointslice.kubernetes.io/managed-by`,
 * a controller ownerReference to the Service (so the garbage collector
 * removes them with it), addressType IPv4, and at most 100 endpoints each;
 * planSlices decides their content, this loop writes the difference.
 */
import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { Controller, ControllerContext } from '../framework/controller.js';
import { newControllerRef } from '../framework/controller-ref.js';
import type { Informer } from '../framework/informer.js';
import type { Pod } from '../framework/pod-util.js';
import { inNamespace, objectKey, refs, splitKey } from '../framework/refs.js';
import { WorkQueue, type WorkResult } from '../framework/work-queue.js';
import { servicesForPod } from '../endpoints/endpoints-controller.js';
import { selectsPods, serviceEndpoints, type EndpointPort, type Service } from '../endpoints/service-endpoints.js';
import { planSlices, type PlannedSlice, type SliceEndpoint } from './slice-plan.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';

const EXPECTATION_TIMEOUT_MS = 5_000;

type EndpointSlice = KubeObject & { addressType?: string; endpoints?: SliceEndpoint[] | null; ports?: EndpointPort[] | null };

export class EndpointSliceController implements Controller {
  readonly name = 'endpointslice';
  private ctx!: ControllerContext;
  private services!: Informer<Service>;
  private pods!: Informer<Pod>;
  private slices!: Informer<EndpointSlice>;
  private queue!: WorkQueue;
  /**
   * What this controller wrote per Service and the informer has not shown
   * yet (name → resourceVersion, '' for a deletion): planning from a cache
   * that lags its own writes would create duplicate slices (upstream's
   * EndpointSliceTracker).
   */
  private readonly expected = new Map<string, Map<string, string>>();
  private readonly expectedAt = new Map<string, number>();

  setup(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.services = ctx.informers.informer<Service>(refs.services);
    this.pods = ctx.informers.informer<Pod>(refs.pods);
    this.slices = ctx.informers.informer<EndpointSlice>(refs.endpointSlices);
    this.slices.addIndex('service', (s) => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      return svc && s.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY ? [`${s.metadata.namespace ?? ''}/${svc}`] : [];
    });
    this.queue = new WorkQueue((k) => this.sync(k), { name: this.name, workers: 4, onError: (k, e) => ctx.log(`endpointslice ${k}: ${String(e)}`) });
    const enqueueSvc = (s: Service): void => this.queue.add(objectKey(s));
    this.services.addHandler({ add: enqueueSvc, update: (_o, n) => enqueueSvc(n), delete: enqueueSvc });
    this.pods.addHandler({
      add: (p) => this.podChanged(p),
      update: (o, n) => {
        if (o.metadata.resourceVersion !== n.metadata.resourceVersion) this.podChanged(n, o.metadata.labels);
      },
      delete: (p) => this.podChanged(p),
    });
    const enqueueSlice = (s: EndpointSlice): void => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc && s.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY) this.queue.add(`${s.metadata.namespace ?? ''}/${svc}`);
    };
    this.slices.addHandler({ delete: enqueueSlice });
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

  private cacheCaughtUp(key: string, existing: EndpointSlice[]): boolean {
    const want = this.expected.get(key);
    if (!want) return true;
    // Someone else may have changed them meanwhile: trust the cache after a while.
    if (Date.now() - (this.expectedAt.get(key) ?? 0) > EXPECTATION_TIMEOUT_MS) want.clear();
    for (const [name, rv] of want) {
      const s = existing.find((e) => e.metadata.name === name);
      if (rv === '' ? s !== undefined : s === undefined || Number(s.metadata.resourceVersion) < Number(rv)) return false;
    }
    this.expected.delete(key);
    return true;
  }

  private async sync(key: string): Promise<WorkResult | void> {
    const { namespace } = splitKey(key);
    const ref = inNamespace(refs.endpointSlices, namespace);
    const svc = this.services.get(key);
    const existing = this.slices.byIndex('service', key);
    if (!this.cacheCaughtUp(key, existing)) return { requeueAfterMs: 50 };
    const wrote = new Map<string, string>();
    this.expected.set(key, wrote);
    this.expectedAt.set(key, Date.now());
    if (!svc || !selectsPods(svc)) {
      // The garbage collector would also remove them through the owner
      // reference; deleting here keeps a selector change prompt too.
      for (const s of existing) await this.remove(ref, s, wrote);
      return;
    }
    const desired = serviceEndpoints(svc, this.pods.list(namespace));
    const plan = planSlices(
      desired,
      existing.map((s) => ({ name: s.metadata.name ?? '', ports: s.ports ?? [], endpoints: s.endpoints ?? [] })),
    );
    for (const p of plan.write) await this.write(ref, svc, p, existing, wrote);
    for (const name of plan.delete) {
      const s = existing.find((e) => e.metadata.name === name);
      if (s) await this.remove(ref, s, wrote);
    }
  }

  private async write(ref: typeof refs.endpointSlices, svc: Service, p: PlannedSlice, existing: EndpointSlice[], wrote: Map<string, string>): Promise<void> {
    const labels = { ...(svc.metadata.labels ?? {}), [SERVICE_NAME_LABEL]: svc.metadata.name ?? '', [MANAGED_BY_LABEL]: MANAGED_BY };
    const current = p.name ? existing.find((e) => e.metadata.name === p.name) : undefined;
    const body: EndpointSlice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        ...(current ? { name: current.metadata.name, resourceVersion: current.metadata.resourceVersion } : { generateName: `${svc.metadata.name ?? ''}-` }),
        namespace: svc.metadata.namespace,
        labels,
        ownerReferences: [newControllerRef(svc, 'v1', 'Service')],
      },
      addressType: 'IPv4',
      endpoints: p.endpoints,
      ports: p.ports,
    };
    const saved = current ? await this.ctx.client.update(ref, body) : await this.ctx.client.create(ref, body);
    wrote.set(saved.metadata.name ?? '', saved.metadata.resourceVersion ?? '0');
  }

  private async remove(ref: typeof refs.endpointSlices, s: EndpointSlice, wrote: Map<string, string>): Promise<void> {
    try {
      await this.ctx.client.delete(ref, s.metadata.name ?? '', { preconditions: { uid: s.metadata.uid } });
      wrote.set(s.metadata.name ?? '', '');
    } catch (err) {
      if (!isApiError(err) || (err.code !== 'SKIFF_NOT_FOUND' && err.code !== 'SKIFF_CONFLICT')) throw err;
    }
  }
}
