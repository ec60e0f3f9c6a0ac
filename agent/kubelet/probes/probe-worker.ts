/**
 * One probe worker per (pod, container, probe type), as upstream's
 * pkg/kubelet/prober/worker.go:
 * - starts after a random part of the period when the kubelet started
 *   less than one period ago (restart storm spreading), then runs on a
 *   fixed-rate ticker of periodSeconds (a tick missed while a probe runs
 *   fires at once, further missed ticks are dropped) and on manual
 *   triggers (readiness);
 * - a new container ID resets the result to the initial value (readiness
 *   Failure, liveness Success, startup Unknown) and the hold;
 * - a container that is not running gets Failure; with restartPolicy
 *   Never the worker then ends; a terminal pod phase ends it too;
 * - a pod being deleted ends liveness and startup workers with Success;
 * - nothing is probed before initialDelaySeconds (whole seconds since the
 *   container started); liveness and readiness wait for the container to
 *   have started (startup probe succeeded), startup stops once it has;
 * - successThreshold/failureThreshold consecutive results change the
 *   state; a liveness or startup failure puts the worker on hold until
 *   the container ID changes (the kubelet restarts the container).
 * The worker reads its inputs and stores results through `WorkerHost`.
 */
import type { ContainerSpec, Pod } from '../pod-deps.js';
import { probe, type ProberDeps } from './prober.js';
import type { ProbeSpec, ProbeType } from './probe-target.js';
import type { TimerHandle } from './timers.js';

export type ProbeResult = 'Success' | 'Failure' | 'Unknown';

export interface RunningContainer {
  id: string;
  startedAt: Date;
}

/** What a worker needs from its manager. */
export interface WorkerHost {
  deps: ProberDeps;
  /** The pod, its running containers and IP as last reported; undefined once removed. */
  podState(uid: string): { pod: Pod; running: Map<string, RunningContainer>; podIP: string | undefined } | undefined;
  isStartedFor(uid: string, containerName: string, containerId: string): boolean;
  /** `probed`: the result comes from running the probe (not from a reset or a stopped container). */
  setResult(w: ProbeWorker, containerId: string, result: ProbeResult, output: string, probed: boolean): void;
  removeResult(w: ProbeWorker, containerId: string): void;
  workerDone(w: ProbeWorker): void;
  /** Start time of the manager (ms), for the initial jitter. */
  startedAtMs: number;
  random(): number;
  onProbe?(type: ProbeType, result: 'successful' | 'failed' | 'unknown', w: ProbeWorker): void;
}

const initialValue: Record<ProbeType, ProbeResult> = { Readiness: 'Failure', Liveness: 'Success', Startup: 'Unknown' };

export class ProbeWorker {
  containerId = '';
  /** When doProbe last ran (probing or not), and the container it last actually probed. */
  lastRunAtMs = -Infinity;
  probedContainerId = '';
  private lastResult: ProbeResult | undefined;
  private resultRun = 0;
  private onHold = false;
  private stopped = false;
  private running = false;
  private triggered = false;
  private timer: TimerHandle | undefined;
  private tickBase = 0;
  private ticking = false;
  private lastTick = 0;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly host: WorkerHost,
    readonly podUid: string,
    readonly container: ContainerSpec,
    readonly type: ProbeType,
    readonly spec: ProbeSpec,
  ) {}

  get key(): string {
    return `${this.podUid}/${this.container.name}/${this.type}`;
  }

  /** Resolves when no probe of this worker is in flight. */
  whenIdle(): Promise<void> {
    return this.idle;
  }

  get busy(): boolean {
    return this.running;
  }

  start(): void {
    const t = this.host.deps.timers;
    const period = this.spec.periodSeconds * 1000;
    const jitter = period > t.now() - this.host.startedAtMs ? Math.floor(this.host.random() * period) : 0;
    this.timer = t.setTimeout(() => {
      this.timer = undefined;
      this.tickBase = t.now();
      this.lastTick = 0;
      this.ticking = true;
      this.run();
    }, jitter);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) this.host.deps.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running) this.cleanup();
  }

  /** Runs the probe now (upstream's manualTriggerCh); coalesces while one runs. */
  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.triggered = true;
      return;
    }
    // During the initial jitter the first run comes soon anyway.
    if (this.timer && this.ticking) {
      this.host.deps.timers.clearTimeout(this.timer);
      this.timer = undefined;
      this.run();
    }
  }

  private cleanup(): void {
    if (this.containerId) this.host.removeResult(this, this.containerId);
    this.host.workerDone(this);
  }

  private run(): void {
    this.running = true;
    this.idle = this.doProbe()
      .catch(() => true)
      .then((keepGoing) => {
        this.running = false;
        if (this.stopped || !keepGoing) {
          this.stopped = true;
          this.cleanup();
          return;
        }
        this.scheduleNext();
      });
  }

  private scheduleNext(): void {
    const t = this.host.deps.timers;
    if (this.triggered) {
      this.triggered = false;
      this.run();
      return;
    }
    const period = this.spec.periodSeconds * 1000;
    const now = t.now();
    const next = this.lastTick + 1;
    const nextAt = this.tickBase + next * period;
    if (nextAt <= now) {
      // One missed tick is buffered (Go's ticker channel); the rest are dropped.
      this.lastTick = Math.floor((now - this.tickBase) / period);
      this.run();
      return;
    }
    this.timer = t.setTimeout(() => {
      this.timer = undefined;
      this.lastTick = next;
      this.run();
    }, nextAt - now);
  }

  private async doProbe(): Promise<boolean> {
    this.lastRunAtMs = this.host.deps.timers.now();
    const st = this.host.podState(this.podUid);
    if (!st) return true;
    const phase = st.pod.status?.phase;
    if (phase === 'Failed' || phase === 'Succeeded') return false;
    const name = this.container.name;
    const c = st.running.get(name);
    if (c && c.id !== this.containerId) {
      if (this.containerId) this.host.removeResult(this, this.containerId);
      this.containerId = c.id;
      this.lastResult = undefined;
      this.resultRun = 0;
      this.host.setResult(this, c.id, initialValue[this.type], '', false);
      this.onHold = false;
    }
    if (this.onHold) return true;
    if (!c) {
      if (this.containerId) this.host.setResult(this, this.containerId, 'Failure', '', false);
      // A container that ran and is gone will not come back under restartPolicy Never.
      return !(this.containerId && st.pod.spec?.restartPolicy === 'Never');
    }
    if (st.pod.metadata.deletionTimestamp && (this.type === 'Liveness' || this.type === 'Startup')) {
      this.host.setResult(this, this.containerId, 'Success', '', false);
      return false;
    }
    const now = this.host.deps.timers.now();
    if (Math.trunc((now - c.startedAt.getTime()) / 1000) < this.spec.initialDelaySeconds) return true;
    const started = this.host.isStartedFor(this.podUid, name, c.id);
    if (started ? this.type === 'Startup' : this.type !== 'Startup') return true;

    this.probedContainerId = c.id;
    const verdict = await probe(this.host.deps, this.type, this.spec, { pod: st.pod, container: this.container, containerId: c.id, podIP: st.podIP });
    if (this.stopped) return false;
    if ('error' in verdict) return true;
    // The container may have been replaced while the probe ran.
    if (this.host.podState(this.podUid)?.running.get(name)?.id !== this.containerId) return true;
    const result = verdict.result;
    this.host.onProbe?.(this.type, result === 'Success' ? 'successful' : 'failed', this);
    if (this.lastResult === result) this.resultRun++;
    else {
      this.lastResult = result;
      this.resultRun = 1;
    }
    if ((result === 'Failure' && this.resultRun < this.spec.failureThreshold) || (result === 'Success' && this.resultRun < this.spec.successThreshold)) return true;
    this.host.setResult(this, this.containerId, result, verdict.output, true);
    if ((this.type === 'Liveness' || this.type === 'Startup') && result === 'Failure') {
      this.onHold = true;
      this.resultRun = 0;
    }
    return true;
  }
}
