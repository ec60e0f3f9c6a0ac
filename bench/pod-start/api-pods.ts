/**
 * Pods started through the API for bench/pod-start: POST a busybox pod,
 * and see it Running on one watch of the namespace (the way a user or a
 * controller would learn it). A pod's creationTimestamp is whole seconds,
 * so latency is measured on this process's clock: from just before the
 * POST to the watch event that first shows phase Running. The watch also
 * records when the pod was first seen bound (spec.nodeName) and first
 * seen with a kubelet status (containerStatuses), for the breakdown.
 */
import type { ApiClient, Watch } from '../../control-plane/api/client/api-client.js';
import type { KubeObject } from '../../control-plane/api/meta.js';

/** One start; times in ms on the performance.now() clock. */
export interface ApiStart {
  name: string;
  uid: string;
  t0: number;
  /** The POST's response arrived. */
  created: number;
  bound: number;
  /** First watch event carrying the kubelet's containerStatuses. */
  firstStatus: number;
  running: number;
}

type PodView = KubeObject & { spec?: { nodeName?: string }; status?: { phase?: string; containerStatuses?: unknown[] } };

export interface PodTemplate {
  image: string;
  command: string[];
}

export class ApiPods {
  private readonly starts = new Map<string, ApiStart>();
  private readonly waiters = new Map<string, () => void>();
  private readonly present = new Set<string>();
  private goneWaiter: (() => void) | undefined;
  private watch: Watch | undefined;

  private constructor(
    private readonly client: ApiClient,
    private readonly namespace: string,
    private readonly template: PodTemplate,
  ) {}

  private get ref() {
    return { group: '', version: 'v1', resource: 'pods', namespace: this.namespace };
  }

  static async open(client: ApiClient, namespace: string, template: PodTemplate): Promise<ApiPods> {
    const p = new ApiPods(client, namespace, template);
    const list = await client.list(p.ref);
    for (const item of list.items) p.present.add(item.metadata.name ?? '');
    p.watch = await client.watch<PodView>(p.ref, { resourceVersion: list.metadata.resourceVersion }, (e) => p.onEvent(e.type, e.object));
    return p;
  }

  private onEvent(type: string, pod: PodView): void {
    const now = performance.now();
    const name = pod.metadata.name ?? '';
    if (type === 'DELETED') {
      this.present.delete(name);
      if (this.present.size === 0) this.goneWaiter?.();
      return;
    }
    if (type !== 'ADDED' && type !== 'MODIFIED') return;
    this.present.add(name);
    const s = this.starts.get(name);
    if (!s) return;
    if (!s.uid) s.uid = pod.metadata.uid ?? '';
    if (Number.isNaN(s.bound) && pod.spec?.nodeName) s.bound = now;
    if (Number.isNaN(s.firstStatus) && (pod.status?.containerStatuses?.length ?? 0) > 0) s.firstStatus = now;
    if (Number.isNaN(s.running) && pod.status?.phase === 'Running') {
      s.running = now;
      this.waiters.get(name)?.();
      this.waiters.delete(name);
    }
  }

  /** POSTs the pod and resolves once the watch shows it Running. */
  async start(name: string, timeoutMs = 120_000): Promise<ApiStart> {
    const s: ApiStart = { name, uid: '', t0: NaN, created: NaN, bound: NaN, firstStatus: NaN, running: NaN };
    this.starts.set(name, s);
    const running = new Promise<void>((resolve) => this.waiters.set(name, resolve));
    s.t0 = performance.now();
    const obj = await this.client.create(this.ref, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { bench: 'pod-start' } },
      spec: {
        terminationGracePeriodSeconds: 0,
        containers: [{ name: 'c', image: this.template.image, imagePullPolicy: 'IfNotPresent', command: this.template.command }],
      },
    } as KubeObject);
    s.created = performance.now();
    if (!s.uid) s.uid = obj.metadata.uid ?? '';
    let timer: NodeJS.Timeout | undefined;
    const ok = await Promise.race([running.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)))]);
    clearTimeout(timer);
    if (!ok) throw new Error(`pod ${this.namespace}/${name} not Running after ${timeoutMs / 1000} s`);
    return s;
  }

  /** Deletes every pod of the namespace and waits until the watch saw them all go. */
  async deleteAll(timeoutMs = 120_000): Promise<void> {
    const gone = new Promise<void>((resolve) => (this.goneWaiter = resolve));
    const names = [...this.present];
    await Promise.all(names.map((n) => this.client.delete(this.ref, n).catch((e: unknown) => ((e as { status?: number }).status === 404 ? undefined : Promise.reject(e)))));
    if (this.present.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const ok = await Promise.race([gone.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)))]);
    clearTimeout(timer);
    this.goneWaiter = undefined;
    if (!ok) throw new Error(`pods still present after ${timeoutMs / 1000} s: ${[...this.present].join(', ')}`);
  }

  close(): void {
    this.watch?.close();
  }
}
