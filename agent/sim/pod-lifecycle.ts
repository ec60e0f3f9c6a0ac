/**
 * Pods bound to simulated nodes, from Pending to Running to gone. Driven by
 * the one shared pod informer: every event for a pod whose spec.nodeName is
 * a sim node reconciles that pod (one at a time per pod, writes through the
 * shared pool) towards what the pod's simulated run says:
 *
 * - a new pod gets an IP (node podCIDR, else the fallback range) and its
 *   containers start; its status goes Running through pods/status;
 * - exit-after ends its containers once (pod-runtime decides what follows);
 * - a pod with a deletionTimestamp waits out deletionGracePeriodSeconds,
 *   then its containers are marked terminated and it is deleted with grace
 *   period 0 and a uid precondition;
 * - on a stopped node nothing happens until it resumes, then every pod of
 *   that node is reconciled again.
 *
 * A status the server already holds is not written again. A conflict
 * re-reads the pod; transient failures retry with backoff.
 */
import type { ApiClient, ResourceRef } from '../../control-plane/api/client/api-client.js';
import { isApiError } from '../../control-plane/api/errors.js';
import type { Clock, KubeObject } from '../../control-plane/api/meta.js';
import { objectKey, type Informer } from '../common/informer.js';
import { Ipv4Pool } from './ip-allocator.js';
import { EXIT_AFTER_ANNOTATION, nodeInternalIP } from './node-object.js';
import type { NodeRegistry } from './node-registry.js';
import { adoptPodRun, exitAfterSeconds, exitContainers, restartPolicy, startPodRun, terminateForDeletion, type PodRun } from './pod-runtime.js';
import { podStatusEqual, renderPodStatus, type PodStatus } from './pod-status.js';
import { sameValue } from './same-value.js';
import { backoffDelay, isTransient, type WritePool } from '../common/write-pool.js';

export const FALLBACK_POD_RANGE = '172.16.0.0/12';

const podsIn = (namespace: string): ResourceRef => ({ group: '', version: 'v1', resource: 'pods', namespace });

interface Entry {
  key: string;
  uid: string;
  node: string;
  run?: PodRun;
  pool?: Ipv4Pool;
  busy: boolean;
  dirty: boolean;
  failures: number;
  timer?: NodeJS.Timeout;
  timerAt?: number;
  deleteAt?: number;
  lastWrittenRV?: string;
  lastWritten?: PodStatus;
  done?: boolean;
}

export interface PodLifecycleDeps {
  client: ApiClient;
  pool: WritePool;
  clock: Clock;
  pods: Informer<KubeObject>;
  registry: NodeRegistry;
  newId: () => string;
  log: (msg: string) => void;
  isClosed: () => boolean;
}

export class PodLifecycle {
  private readonly entries = new Map<string, Entry>();
  private readonly byNode = new Map<string, Set<string>>();
  private readonly fallback = new Ipv4Pool(FALLBACK_POD_RANGE);
  private readonly cidrPools = new Map<string, Ipv4Pool>();
  /** Status writes and deletions that succeeded (for logs and checks). */
  writes = 0;

  constructor(private readonly d: PodLifecycleDeps) {
    d.pods.on((type, pod) => {
      const key = objectKey(pod);
      if (type === 'DELETED') return this.forget(key, pod.metadata.uid);
      const node = nodeNameOf(pod);
      if (!node || !d.registry.has(node)) return;
      let e = this.entries.get(key);
      if (e && e.uid !== pod.metadata.uid) {
        this.forget(key, e.uid);
        e = undefined;
      }
      if (!e) {
        e = { key, uid: pod.metadata.uid ?? '', node, busy: false, dirty: false, failures: 0 };
        this.entries.set(key, e);
        let set = this.byNode.get(node);
        if (!set) this.byNode.set(node, (set = new Set()));
        set.add(key);
      }
      this.kick(e);
    });
    d.registry.onResume((node) => {
      for (const key of this.byNode.get(node) ?? []) {
        const e = this.entries.get(key);
        if (e) this.kick(e);
      }
    });
  }

  stop(): void {
    for (const e of this.entries.values()) if (e.timer) clearTimeout(e.timer);
  }

  /** Pods currently tracked on sim nodes. */
  get tracked(): number {
    return this.entries.size;
  }

  private forget(key: string, uid: string | undefined): void {
    const e = this.entries.get(key);
    if (!e || (uid && e.uid !== uid)) return;
    e.done = true;
    if (e.timer) clearTimeout(e.timer);
    if (e.run && e.pool) e.pool.release(e.run.podIP);
    this.entries.delete(key);
    this.byNode.get(e.node)?.delete(key);
  }

  /** Reconciles e soon; one reconcile per pod at a time, a kick while busy runs it again after. */
  private kick(e: Entry): void {
    if (e.done) return;
    if (e.busy) {
      e.dirty = true;
      return;
    }
    e.busy = true;
    this.reconcile(e)
      .then(
        () => {
          e.failures = 0;
        },
        (err: unknown) => {
          if (e.done || this.d.isClosed()) return;
          if (isApiError(err) && err.code === 'SKIFF_NOT_FOUND') return;
          if (!isTransient(err) || e.failures % 10 === 0) this.d.log(`pod ${e.key}: ${err instanceof Error ? err.message : String(err)}`);
          this.wakeAt(e, this.d.clock.now().getTime() + backoffDelay(e.failures++, 200, 10_000));
        },
      )
      .finally(() => {
        e.busy = false;
        if (e.dirty) {
          e.dirty = false;
          this.kick(e);
        }
      });
  }

  /** Arranges a reconcile at time `at` (ms), keeping the earliest wake-up. */
  private wakeAt(e: Entry, at: number): void {
    if (e.done) return;
    if (e.timer && e.timerAt !== undefined && e.timerAt <= at) return;
    if (e.timer) clearTimeout(e.timer);
    e.timerAt = at;
    e.timer = setTimeout(
      () => {
        e.timer = undefined;
        e.timerAt = undefined;
        this.kick(e);
      },
      Math.max(0, at - this.d.clock.now().getTime()),
    );
  }

  private poolFor(node: string): Ipv4Pool {
    const cidr = this.d.registry.podCIDR(node);
    if (!cidr) return this.fallback;
    let p = this.cidrPools.get(node);
    if (!p || p.cidrText !== cidr) {
      try {
        p = new Ipv4Pool(cidr);
      } catch {
        return this.fallback; // an IPv6 podCIDR: the fallback range serves
      }
      this.cidrPools.set(node, p);
    }
    return p;
  }

  private hostIP(node: string): string {
    const i = this.d.registry.indexOf(node) ?? 0;
    return nodeInternalIP(i);
  }

  private ensureRun(e: Entry, pod: KubeObject, now: Date): PodRun | undefined {
    if (e.run) return e.run;
    const status = (pod.status ?? {}) as Record<string, unknown>;
    const phase = status.phase;
    const podIP = typeof status.podIP === 'string' ? status.podIP : '';
    if (phase === 'Succeeded' || phase === 'Failed') return undefined; // ended before we saw it: nothing runs
    if (phase === 'Running' && podIP) {
      const cidrPool = this.poolFor(e.node);
      const pool = cidrPool.contains(podIP) ? cidrPool : this.fallback.contains(podIP) ? this.fallback : undefined;
      if (pool?.reserve(podIP)) e.pool = pool;
      e.run = adoptPodRun(pod, podIP, this.hostIP(e.node), now, this.d.newId);
      return e.run;
    }
    let pool = this.poolFor(e.node);
    let ip = pool.allocate();
    if (ip === undefined && pool !== this.fallback) {
      pool = this.fallback;
      ip = pool.allocate();
    }
    if (ip === undefined) throw new Error(`no pod IP left for node ${e.node}`);
    e.pool = pool;
    e.run = startPodRun(pod, ip, this.hostIP(e.node), now, this.d.newId);
    return e.run;
  }

  private async reconcile(e: Entry): Promise<void> {
    const pod = this.d.pods.get(e.key);
    if (!pod || pod.metadata.uid !== e.uid || this.d.registry.isStopped(e.node)) return;
    const now = this.d.clock.now();
    const nowMs = now.getTime();
    if (pod.metadata.deletionTimestamp) return this.reconcileDeletion(e, pod, nowMs);
    const run = this.ensureRun(e, pod, now);
    if (!run) return;
    const exitAfter = exitAfterSeconds(pod, EXIT_AFTER_ANNOTATION);
    if (exitAfter !== undefined && !run.exited && run.phase === 'Running') {
      const started = Math.max(...run.containers.map((c) => c.startedAt.getTime()), run.startTime.getTime());
      const due = started + exitAfter * 1000;
      if (due <= nowMs) exitContainers(run, restartPolicy(pod), now, this.d.newId);
      else this.wakeAt(e, due);
    }
    await this.writeStatus(e, pod, run, now);
  }

  private async writeStatus(e: Entry, pod: KubeObject, run: PodRun, now: Date): Promise<void> {
    const desired = renderPodStatus(pod, run, now);
    const rv = pod.metadata.resourceVersion;
    if (rv !== undefined && rv === e.lastWrittenRV && sameValue(desired, e.lastWritten)) return;
    if (podStatusEqual(pod.status, desired)) return;
    const body: KubeObject = { ...pod, metadata: { ...pod.metadata }, status: desired };
    delete body.metadata.managedFields;
    try {
      const out = await this.d.pool.run(() => this.d.client.update(podsIn(pod.metadata.namespace ?? 'default'), body, { subresource: 'status' }));
      this.writes++;
      e.lastWrittenRV = out.metadata.resourceVersion;
      e.lastWritten = desired;
      this.d.pods.observe(out);
    } catch (err) {
      if (isApiError(err) && err.code === 'SKIFF_CONFLICT') {
        // Someone else wrote the pod: read it again and go on from there.
        const fresh = await this.d.client.get(podsIn(pod.metadata.namespace ?? 'default'), pod.metadata.name ?? '');
        this.d.pods.observe(fresh);
        e.dirty = true;
        return;
      }
      throw err;
    }
  }

  private async reconcileDeletion(e: Entry, pod: KubeObject, nowMs: number): Promise<void> {
    const grace = Math.max(0, pod.metadata.deletionGracePeriodSeconds ?? 0);
    let at = nowMs + grace * 1000;
    // Seen only long after its deadline (the sim was down): no second wait.
    const deadline = Date.parse(pod.metadata.deletionTimestamp ?? '');
    if (Number.isFinite(deadline) && deadline + 1000 < nowMs) at = nowMs;
    if (e.deleteAt === undefined || at < e.deleteAt) e.deleteAt = at;
    if (e.deleteAt > nowMs) return this.wakeAt(e, e.deleteAt);
    const ns = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name ?? '';
    if (e.run && e.run.phase === 'Running') {
      terminateForDeletion(e.run, this.d.clock.now());
      await this.writeStatus(e, pod, e.run, this.d.clock.now());
    }
    try {
      await this.d.pool.run(() => this.d.client.delete(podsIn(ns), name, { gracePeriodSeconds: 0, preconditions: { uid: e.uid } }));
      this.writes++;
    } catch (err) {
      // Gone already, or a new pod of the same name (the uid precondition failed): nothing left to do.
      if (isApiError(err) && (err.code === 'SKIFF_NOT_FOUND' || err.code === 'SKIFF_CONFLICT')) return;
      throw err;
    }
  }
}

function nodeNameOf(pod: KubeObject): string | undefined {
  const n = (pod.spec as Record<string, unknown> | undefined)?.nodeName;
  return typeof n === 'string' && n !== '' ? n : undefined;
}

