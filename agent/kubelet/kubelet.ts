/**
 * The kubelet: watches the pods bound to this node (fieldSelector
 * spec.nodeName=NODE) and keeps the runtime in line with them, one
 * serialized worker per pod (pod-workers.ts) running pod-sync.ts.
 *
 * What triggers a pod's sync: a watch event; a relist of CRI state every
 * ~1 s (containerd 1.6 has no container events) that finds the pod's
 * sandboxes or containers changed; a resync of every pod every 10 s; probe
 * results; backoff ends. Housekeeping (cleanup.ts) runs every 10 s once
 * the informer has synced: what belongs to no pod here is removed.
 *
 * Restart safety: nothing is remembered across restarts but what the
 * runtime holds. A restarted kubelet lists its sandboxes and containers by
 * label and adopts them (the spec hash annotation is stable), so running
 * containers are not restarted. stop() leaves every container running.
 *
 * The accessors at the bottom serve the agent's HTTPS server (logs, exec,
 * port-forward) and the stats/metrics.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ApiClient } from '../../control-plane/api/client/api-client.js';
import { systemClock, type Clock } from '../../control-plane/api/meta.js';
import { Informer, objectKey } from '../common/informer.js';
import type { DnsConfig, Runtime } from '../cri/runtime.js';
import { cleanupOrphans } from './cleanup.js';
import { PodCgroups } from './pod-cgroups.js';
import type { BuildContainerConfig, ImagePuller, Pod, ProberManager, ResolveEnv, RunHook, VolumeManager } from './pod-deps.js';
import type { PodEventSink } from './pod-killer.js';
import { PodSyncer, type KubeletMetrics } from './pod-sync.js';
import { PodWorkers } from './pod-workers.js';
import { fingerprint, RuntimeObserver } from './runtime-observer.js';
import { containersNamed, type PodRuntimeState } from './runtime-state.js';
import { parseResolvConf, podLogDirectory } from './sandbox-config.js';
import { StatusManager } from './status-manager.js';

export type { KubeletMetrics, PodEventSink };

export interface KubeletOptions {
  client: ApiClient;
  runtime: Runtime;
  nodeName: string;
  /** The agent's --data-dir: pods live in DIR/agent/pods/<uid>, logs in DIR/agent/logs/pods. */
  dataDir: string;
  clock?: Clock;
  log?: (msg: string) => void;
  resolveEnv: ResolveEnv;
  volumes: VolumeManager;
  imagePuller: ImagePuller;
  buildContainerConfig: BuildContainerConfig;
  prober?: ProberManager;
  runHook?: RunHook;
  clusterDns?: string[];
  clusterDomain?: string;
  /** The node's hostname for hostNetwork pods (default: os.hostname()). */
  nodeHostname?: string;
  /** The node's IPs (hostIP/hostIPs, hostNetwork pod IPs). */
  hostIPs?: () => string[];
  /** Path of the host's resolv.conf (default /etc/resolv.conf). */
  resolvConf?: string;
  /** Pod cgroup manager; false disables pod cgroups (tests on fakes). */
  cgroups?: PodCgroups | false;
  /** The pods' parent cgroup (upstream's --cgroup-root; default `skiff`). */
  cgroupRoot?: string;
  relistMs?: number;
  resyncMs?: number;
  housekeepingMs?: number;
  metrics?: KubeletMetrics;
  /** Where events go (the agent wires an event recorder); none when absent. */
  event?: PodEventSink;
}

export interface RunningPod {
  uid: string;
  namespace: string;
  name: string;
  sandboxId: string;
  /** Running containers: name → CRI id. */
  containers: Map<string, string>;
  /** The pod's status.startTime, when known. */
  startTime?: string;
}

const PODS = { group: '', version: 'v1', resource: 'pods' };

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export class Kubelet {
  readonly statuses: StatusManager;
  private readonly informer: Informer<Pod>;
  private readonly observer: RuntimeObserver;
  private readonly syncer: PodSyncer;
  private readonly workers: PodWorkers;
  private readonly pods = new Map<string, Pod>();
  /** Pods deleted from the server that may still have containers here. */
  private readonly gone = new Map<string, Pod>();
  private readonly finished = new Set<string>();
  private readonly prints = new Map<string, string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly log: (msg: string) => void;
  private readonly logRoot: string;
  private readonly podsDir: string;
  private synced = false;
  private relisting = false;
  private relistFailures = 0;
  private lastHousekeeping = 0;
  private stopped = false;
  private readonly cleanupDeps: Parameters<typeof cleanupOrphans>[0];

  constructor(private readonly o: KubeletOptions) {
    this.log = o.log ?? ((m) => process.stderr.write(`kubelet: ${m}\n`));
    this.podsDir = join(o.dataDir, 'agent', 'pods');
    this.logRoot = join(o.dataDir, 'agent', 'logs', 'pods');
    const clock = o.clock ?? systemClock;
    this.informer = new Informer<Pod>(o.client, PODS, { fieldSelector: `spec.nodeName=${o.nodeName}`, log: this.log });
    this.observer = new RuntimeObserver(o.runtime);
    this.statuses = new StatusManager({ client: o.client, log: this.log, onWritten: (p) => this.informer.observe(p as Pod) });
    const resolvConf = o.resolvConf ?? '/etc/resolv.conf';
    let hostDns: DnsConfig | undefined;
    const cgroups = o.cgroups === false ? undefined : (o.cgroups ?? new PodCgroups({ log: this.log, ...(o.cgroupRoot ? { parent: o.cgroupRoot } : {}) }));
    this.workers = new PodWorkers((uid) => this.work(uid), this.log);
    this.syncer = new PodSyncer({
      runtime: o.runtime,
      observer: this.observer,
      statuses: this.statuses,
      clock,
      log: this.log,
      resolveEnv: o.resolveEnv,
      volumes: o.volumes,
      imagePuller: o.imagePuller,
      buildContainerConfig: o.buildContainerConfig,
      prober: o.prober,
      runHook: o.runHook,
      cgroups,
      podsDir: this.podsDir,
      logRoot: this.logRoot,
      nodeHostname: o.nodeHostname ?? hostname(),
      hostIPs: o.hostIPs ?? (() => []),
      clusterDns: o.clusterDns ?? [],
      clusterDomain: o.clusterDomain ?? 'cluster.local',
      hostDns: () => {
        if (!hostDns) {
          try {
            hostDns = parseResolvConf(readFileSync(resolvConf, 'utf8'));
          } catch {
            hostDns = { servers: [], searches: [], options: [] };
          }
        }
        return hostDns;
      },
      metrics: o.metrics,
      event: o.event,
      requeue: (uid, ms) => this.workers.enqueueAfter(uid, ms),
    });
    this.cleanupDeps = { syncer: this.syncer, volumes: o.volumes, cgroups, podsDir: this.podsDir, logRoot: this.logRoot, log: this.log };
  }

  /** Starts watching and syncing; resolves once the pod list has been read. */
  async start(): Promise<void> {
    this.o.prober?.onUnhealthy((uid, name, id) => {
      // A container not yet started failed its startup probe; a started one its liveness probe.
      this.syncer.markUnhealthy(uid, id, this.o.prober?.isStarted(uid, name, id) === false ? 'startup' : 'liveness');
      this.workers.enqueue(uid);
    });
    this.o.prober?.onResult((uid) => this.workers.enqueue(uid));
    this.informer.on((type, pod, old) => this.onPod(type, pod, old));
    this.informer.start();
    await this.informer.hasSynced;
    this.synced = true;
    const relistMs = this.o.relistMs ?? 1000;
    const resyncMs = this.o.resyncMs ?? 10_000;
    this.timers.push(setInterval(() => void this.relist(), relistMs));
    this.timers.push(
      setInterval(() => {
        for (const uid of this.pods.keys()) this.workers.enqueue(uid);
      }, resyncMs),
    );
    for (const t of this.timers) t.unref();
    await this.relist();
  }

  /** Stops watching and syncing; containers keep running. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.informer.stop();
    this.workers.stop();
    await Promise.race([this.workers.idle(), new Promise((r) => setTimeout(r, 5000).unref())]);
    this.statuses.stop();
  }

  private onPod(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: Pod, old: Pod | undefined): void {
    const uid = pod.metadata.uid ?? '';
    if (old && old.metadata.uid && old.metadata.uid !== uid) this.forgetPod(old);
    if (type === 'DELETED') {
      this.pods.delete(uid);
      if (!this.finished.has(uid)) this.gone.set(uid, pod);
      this.workers.enqueue(uid);
      return;
    }
    if (!this.pods.has(uid)) {
      const phase = pod.status?.phase;
      if (phase !== 'Running' && phase !== 'Succeeded' && phase !== 'Failed') this.syncer.noteSeen(pod);
    }
    this.pods.set(uid, pod);
    this.workers.enqueue(uid);
  }

  private forgetPod(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    this.pods.delete(uid);
    if (!this.finished.has(uid)) this.gone.set(uid, pod);
    this.workers.enqueue(uid);
  }

  private async work(uid: string): Promise<void> {
    if (this.stopped) return;
    const pod = this.pods.get(uid);
    if (pod) {
      if (this.finished.has(uid)) return;
      if (pod.metadata.deletionTimestamp) {
        await this.syncer.terminate(pod, true);
        this.finished.add(uid);
        return;
      }
      await this.syncer.sync(pod);
      return;
    }
    const last = this.gone.get(uid);
    if (last) {
      if (!this.finished.has(uid)) await this.syncer.terminate(last, false);
      this.gone.delete(uid);
      this.finished.delete(uid);
      this.workers.forget(uid);
      return;
    }
    this.finished.delete(uid);
  }

  /** Lists CRI state, queues syncs of pods whose state changed, and does housekeeping now and then. */
  private async relist(): Promise<void> {
    if (this.relisting || this.stopped) return;
    this.relisting = true;
    try {
      const states = await this.observer.relist();
      const uids = new Set([...states.keys(), ...this.prints.keys()]);
      for (const uid of uids) {
        const st = states.get(uid);
        const fp = fingerprint(st);
        if (fp !== (this.prints.get(uid) ?? '')) {
          if (this.pods.has(uid) || this.gone.has(uid)) this.workers.enqueue(uid);
        }
        if (st) {
          this.prints.set(uid, fp);
          if (!this.workers.isBusy(uid)) this.syncer.states.set(uid, st);
        } else {
          this.prints.delete(uid);
          if (!this.pods.has(uid)) this.syncer.states.delete(uid);
        }
      }
      const now = Date.now();
      if (this.synced && now - this.lastHousekeeping >= (this.o.housekeepingMs ?? 10_000)) {
        this.lastHousekeeping = now;
        const known = new Set([...this.pods.keys(), ...this.gone.keys()]);
        await cleanupOrphans(this.cleanupDeps, states, known, (uid) => this.workers.isBusy(uid));
        this.syncer.backoff.gc(now);
      }
      this.relistFailures = 0;
    } catch (e) {
      // The runtime being down fails every relist: say so once, then every minute or so.
      if (this.relistFailures++ % 60 === 0) this.log(`relist: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.relisting = false;
    }
  }

  // ---- accessors for the HTTPS server and stats ----

  private podByName(namespace: string, name: string): Pod | undefined {
    return this.informer.get(objectKey({ metadata: { namespace, name } }));
  }

  private stateOf(namespace: string, name: string): { pod: Pod; state: PodRuntimeState } | undefined {
    const pod = this.podByName(namespace, name);
    const st = pod ? this.syncer.states.get(pod.metadata.uid ?? '') : undefined;
    return pod && st ? { pod, state: st } : undefined;
  }

  /** The CRI log file of a container (the previous instance with `previous`). */
  async containerLogPath(namespace: string, podName: string, container: string, previous: boolean): Promise<{ path: string; containerId: string; running: boolean } | undefined> {
    const pod = this.podByName(namespace, podName);
    if (!pod) return undefined;
    const uid = pod.metadata.uid ?? '';
    const state = this.syncer.states.get(uid) ?? (await this.observer.podState(uid));
    const instances = containersNamed(state, container);
    const newest = instances[0];
    // A container waiting to restart shows its last run as lastState: that is "previous".
    const waiting = this.syncer.waitingReason(uid, container) !== undefined && newest?.state === 'exited';
    const c = previous ? (waiting ? newest : instances[1]) : newest;
    if (!c) return undefined;
    const path = c.logPath.startsWith('/') ? c.logPath : join(podLogDirectory(this.logRoot, pod), c.logPath || `${container}/${c.restartCount}.log`);
    return { path, containerId: c.id, running: c.state === 'running' };
  }

  containerId(namespace: string, podName: string, container: string): string | undefined {
    const s = this.stateOf(namespace, podName);
    return s ? containersNamed(s.state, container)[0]?.id : undefined;
  }

  sandboxId(namespace: string, podName: string): string | undefined {
    return this.stateOf(namespace, podName)?.state.sandboxes[0]?.id;
  }

  runningPods(): RunningPod[] {
    const out: RunningPod[] = [];
    for (const pod of this.pods.values()) {
      const uid = pod.metadata.uid ?? '';
      const st = this.syncer.states.get(uid);
      const sb = st?.sandboxes[0];
      if (!st || !sb || !sb.ready) continue;
      const containers = new Map<string, string>();
      for (const c of st.containers) if (c.state === 'running' && !containers.has(c.name)) containers.set(c.name, c.id);
      const rp: RunningPod = { uid, namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name ?? '', sandboxId: sb.id, containers };
      const startTime = this.statuses.latest(uid)?.startTime ?? pod.status?.startTime;
      if (typeof startTime === 'string') rp.startTime = startTime;
      out.push(rp);
    }
    return out;
  }

  /** The pod bound here by namespace and name. */
  pod(namespace: string, name: string): Pod | undefined {
    return this.podByName(namespace, name);
  }

  /** The waiting reason the kubelet reports for a container (ContainerCreating, CrashLoopBackOff, ErrImagePull…), if it is waiting. */
  waitingReason(namespace: string, podName: string, container: string): string | undefined {
    const pod = this.podByName(namespace, podName);
    if (!pod) return undefined;
    const status = this.statuses.latest(pod.metadata.uid ?? '') ?? pod.status ?? {};
    const all = [...arr(status.initContainerStatuses), ...arr(status.containerStatuses)] as { name?: string; state?: { waiting?: { reason?: string } } }[];
    const w = all.find((c) => c.name === container)?.state?.waiting;
    return w ? (w.reason ?? 'Waiting') : undefined;
  }

  /** Whether a container (by CRI id) was running at the last look. */
  isRunning(containerId: string): boolean {
    for (const st of this.syncer.states.values()) {
      const c = st.containers.find((x) => x.id === containerId);
      if (c) return c.state === 'running';
    }
    return false;
  }

  /** The running containers and their live CRI log files (for log rotation). */
  async containerLogs(): Promise<{ containerId: string; logPath: string }[]> {
    const out: { containerId: string; logPath: string }[] = [];
    for (const [uid, st] of this.syncer.states) {
      const pod = this.pods.get(uid);
      for (const c of st.containers) {
        if (c.state !== 'running') continue;
        const logPath = c.logPath.startsWith('/') ? c.logPath : pod ? join(podLogDirectory(this.logRoot, pod), c.logPath || `${c.name}/${c.restartCount}.log`) : '';
        if (logPath) out.push({ containerId: c.id, logPath });
      }
    }
    return out;
  }

  /** Waits until no pod worker runs (tests). */
  idle(): Promise<void> {
    return this.workers.idle();
  }
}
