/**
 * The ProberManager (pod-deps.ts) as upstream's prober_manager.go: one
 * ProbeWorker per container probe of every pod the sync loop reports,
 * results kept per container ID so a restarted container starts over.
 * - update() stores the pod, its running containers and IP, creates the
 *   missing workers (containers and restartable init containers) and,
 *   like upstream's UpdatePodStatus, triggers the readiness probe of a
 *   running container not yet probed (at most once a second), so it turns
 *   ready right after its initial delay rather than up to a period later;
 * - isReady/isStarted answer undefined for a container without that probe,
 *   otherwise whether its latest result for that container ID is Success
 *   (readiness starts false, startup starts false);
 * - onUnhealthy fires when a liveness or startup probe reaches its failure
 *   threshold, with upstream's event text (`Liveness probe failed: HTTP
 *   probe failed with statuscode: 500`); onResult fires when a readiness
 *   or startup result changes, so the kubelet recomputes the pod status;
 * - onProbe counts every probe run for prober_probe_total
 *   {probe_type, result: successful|failed|unknown}.
 */
import type { ContainerSpec, Pod, ProberManager } from '../pod-deps.js';
import type { ExecSync, ProbeEventRecorder, ProberDeps } from './prober.js';
import { probeSpecOf, type ProbeType } from './probe-target.js';
import { ProbeWorker, type ProbeResult, type RunningContainer, type WorkerHost } from './probe-worker.js';
import { systemTimers, type Timers } from './timers.js';

export interface ProbeMetricLabels {
  namespace: string;
  pod: string;
  container: string;
  podUid: string;
}

export interface ProberManagerOptions {
  /** The runtime's ExecSync (pass `runtime.execSync.bind(runtime)`). */
  exec: ExecSync;
  /** The kubelet's version, e.g. `v1.33.0+skiff.0.1.0` (User-Agent kube-probe/1.33). */
  kubeVersion: string;
  timers?: Timers;
  random?: () => number;
  /** Warning events for the container: Unhealthy, ProbeWarning. */
  recordEvent?: ProbeEventRecorder;
  onProbe?: (probeType: ProbeType, result: 'successful' | 'failed' | 'unknown', labels: ProbeMetricLabels) => void;
}

interface PodState {
  pod: Pod;
  running: Map<string, RunningContainer>;
  podIP: string | undefined;
}

const probeTypes: ProbeType[] = ['Startup', 'Readiness', 'Liveness'];

function probedContainers(pod: Pod): ContainerSpec[] {
  const spec = pod.spec ?? {};
  const list = (v: unknown): ContainerSpec[] => (Array.isArray(v) ? v.filter((c): c is ContainerSpec => !!c && typeof c === 'object' && typeof (c as { name?: unknown }).name === 'string') : []);
  // Restartable init containers (sidecars) are probed like containers.
  return [...list(spec.initContainers).filter((c) => c.restartPolicy === 'Always'), ...list(spec.containers)];
}

export class ProbeManager implements ProberManager {
  private readonly pods = new Map<string, PodState>();
  private readonly workers = new Map<string, ProbeWorker>();
  /** Keys of workers that ended on their own (terminal pod, container gone for good): not recreated. */
  private readonly finished = new Set<string>();
  private readonly results: Record<ProbeType, Map<string, ProbeResult>> = { Startup: new Map(), Readiness: new Map(), Liveness: new Map() };
  private readonly unhealthyCbs: ((podUid: string, containerName: string, containerId: string, message: string) => void)[] = [];
  private readonly resultCbs: ((podUid: string) => void)[] = [];
  private readonly host: WorkerHost;
  private readonly timers: Timers;

  constructor(opts: ProberManagerOptions) {
    this.timers = opts.timers ?? systemTimers;
    const deps: ProberDeps = { exec: opts.exec, kubeVersion: opts.kubeVersion, timers: this.timers, recordEvent: opts.recordEvent };
    this.host = {
      deps,
      startedAtMs: this.timers.now(),
      random: opts.random ?? Math.random,
      podState: (uid) => this.pods.get(uid),
      isStartedFor: (uid, name, id) => this.startedFor(uid, name, id),
      setResult: (w, id, result, output, probed) => this.setResult(w, id, result, output, probed),
      removeResult: (w, id) => {
        this.results[w.type].delete(id);
      },
      workerDone: (w) => {
        if (this.workers.get(w.key) === w) {
          this.workers.delete(w.key);
          if (this.pods.has(w.podUid)) this.finished.add(w.key);
        }
      },
      onProbe: opts.onProbe
        ? (type, result, w) => {
            const p = this.pods.get(w.podUid)?.pod;
            opts.onProbe?.(type, result, { namespace: p?.metadata.namespace ?? '', pod: p?.metadata.name ?? '', container: w.container.name, podUid: w.podUid });
          }
        : undefined,
    };
  }

  update(pod: Pod, running: Map<string, { id: string; startedAt: Date }>, podIP: string | undefined): void {
    const uid = pod.metadata.uid;
    if (!uid) return;
    this.pods.set(uid, { pod, running: new Map(running), podIP });
    const phase = pod.status?.phase;
    const terminal = phase === 'Failed' || phase === 'Succeeded';
    for (const c of probedContainers(pod)) {
      for (const type of probeTypes) {
        const spec = probeSpecOf(c, type);
        if (!spec) continue;
        const key = `${uid}/${c.name}/${type}`;
        if (terminal || this.workers.has(key) || this.finished.has(key)) continue;
        const w = new ProbeWorker(this.host, uid, c, type, spec);
        this.workers.set(key, w);
        w.start();
      }
    }
    const now = this.timers.now();
    for (const [name, rc] of running) {
      const w = this.workers.get(`${uid}/${name}/Readiness`);
      if (w && this.results.Readiness.get(rc.id) !== 'Success' && w.probedContainerId !== rc.id && now - w.lastRunAtMs >= 1000) w.trigger();
    }
  }

  removePod(podUid: string): void {
    this.pods.delete(podUid);
    for (const w of [...this.workers.values()]) if (w.podUid === podUid) w.stop();
    for (const k of [...this.finished]) if (k.startsWith(`${podUid}/`)) this.finished.delete(k);
  }

  isReady(podUid: string, containerName: string, containerId: string): boolean | undefined {
    if (!this.workers.has(`${podUid}/${containerName}/Readiness`)) return undefined;
    return this.results.Readiness.get(containerId) === 'Success';
  }

  isStarted(podUid: string, containerName: string, containerId: string): boolean | undefined {
    if (!this.workers.has(`${podUid}/${containerName}/Startup`)) return undefined;
    return this.results.Startup.get(containerId) === 'Success';
  }

  onUnhealthy(cb: (podUid: string, containerName: string, containerId: string, message: string) => void): void {
    this.unhealthyCbs.push(cb);
  }

  onResult(cb: (podUid: string) => void): void {
    this.resultCbs.push(cb);
  }

  stop(): void {
    for (const w of [...this.workers.values()]) w.stop();
    this.pods.clear();
    this.finished.clear();
  }

  /** Resolves when no probe is in flight (for tests and orderly shutdown). */
  async whenIdle(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const busy = [...this.workers.values()].filter((w) => w.busy);
      if (busy.length === 0) return;
      await Promise.all(busy.map((w) => w.whenIdle()));
    }
  }

  /** Number of live workers (for tests and metrics). */
  get workerCount(): number {
    return this.workers.size;
  }

  private startedFor(uid: string, name: string, id: string): boolean {
    if (!this.workers.has(`${uid}/${name}/Startup`)) return true;
    return this.results.Startup.get(id) === 'Success';
  }

  private setResult(w: ProbeWorker, id: string, result: ProbeResult, output: string, probed: boolean): void {
    const map = this.results[w.type];
    const prev = map.get(id);
    map.set(id, result);
    if (probed && result === 'Failure' && (w.type === 'Liveness' || w.type === 'Startup')) {
      const message = `${w.type} probe failed: ${output}`;
      for (const cb of this.unhealthyCbs) cb(w.podUid, w.container.name, id, message);
    }
    if (prev === result || w.type === 'Liveness') return;
    for (const cb of this.resultCbs) cb(w.podUid);
    // A container that just started gets its readiness probed at once (upstream: the status update triggers it).
    if (w.type === 'Startup' && result === 'Success') this.workers.get(`${w.podUid}/${w.container.name}/Readiness`)?.trigger();
  }
}

/** Factory with the production defaults. */
export function createProberManager(opts: ProberManagerOptions): ProbeManager {
  return new ProbeManager(opts);
}
