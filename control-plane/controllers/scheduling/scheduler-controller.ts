/**
 * The scheduler's loop (kube-scheduler, schedulerName "default-scheduler"):
 * informers feed a ClusterSnapshot and a SchedulingQueue; a loop pops
 * batches of pods, runs the pure schedule() for each, assumes every
 * placement into the snapshot at once and hands the binding to a bounded
 * pool of POST pods/binding calls, so deciding never waits for writing.
 *
 * - Snapshot: nodes as they come and go; bound, non-terminal pods count
 *   against their node (an assumed placement is replaced when the informer
 *   shows the binding); terminated and deleted pods release resources.
 * - A failed binding forgets the assumption and backs the pod off.
 * - No node fits: preemption (preemption.ts, PDBs from their informer);
 *   victims get DisruptionTarget and are deleted with their grace period
 *   and a Preempted event; the preemptor gets status.nominatedNodeName and
 *   waits in the queue. Pods nominated to a node are counted there while
 *   scheduling pods of lower or equal priority (upstream's
 *   addNominatedPods), so others do not take the room freed for them.
 * - Every failure: PodScheduled False/Unschedulable with the FitError
 *   message (patched only when it changes) and a FailedScheduling event;
 *   success: a Scheduled event. Events are fire-and-forget; status patches
 *   and victim deletions go through pod-writes.ts.
 * - Cluster changes (node added or changed, an assigned pod deleted or
 *   terminated) move unschedulable pods back, coalesced once per loop turn.
 */
import type { KubeObject } from '../../api/meta.js';
import { isApiError } from '../../api/errors.js';
import { failedSchedulingMessage, isPreemptionFailure, NOT_ELIGIBLE_NEVER, preempt } from '../../scheduler/preemption.js';
import { newSamplingState } from '../../scheduler/sampling.js';
import { isScheduled, schedule, type Unschedulable } from '../../scheduler/schedule.js';
import { ClusterSnapshot } from '../../scheduler/snapshot.js';
import type { Controller, ControllerContext } from '../framework/controller.js';
import type { EventRecorder } from '../framework/event-recorder.js';
import type { Informer } from '../framework/informer.js';
import { inNamespace, refs } from '../framework/refs.js';
import { AsyncPool } from './async-pool.js';
import { DEFAULT_SCHEDULER_NAME, isAssigned, isTerminal, needsScheduling, nodeChanged, podChanged } from './cluster-changes.js';
import { notEligibleToPreempt, unschedulablePatch } from './pod-status-patches.js';
import { disruptionBudgets, PodWrites } from './pod-writes.js';
import { queueKey, SchedulingQueue, type QueuedPod, type QueueOptions } from './scheduling-queue.js';

export interface SchedulerOptions {
  schedulerName: string;
  /** Pods popped per batch. */
  batchSize: number;
  /** How long one turn of the loop may run before yielding to I/O (ms). */
  sliceMs: number;
  /**
   * Bindings in flight at once (upstream binds each pod in a goroutine of
   * its own). Throughput is this over a binding's round trip: at 64, with
   * round trips of 100–150 ms through a busy server, binding capped the
   * rate near 500 pods/s and pods queued for a second; at 256 the queue
   * stays short (bench:scheduler, 5,000 nodes: p50 500–1,000 → 240 ms).
   */
  bindConcurrency: number;
  /** Status patches, deletions in flight at once. */
  writeConcurrency: number;
  /** How often backoffs and the unschedulable pool are flushed (ms). */
  flushIntervalMs: number;
  percentageOfNodesToScore: number;
  queue: Partial<QueueOptions>;
}

export const SCHEDULER_DEFAULTS: SchedulerOptions = {
  schedulerName: DEFAULT_SCHEDULER_NAME,
  batchSize: 64,
  sliceMs: 20,
  bindConcurrency: 256,
  writeConcurrency: 32,
  flushIntervalMs: 1000,
  percentageOfNodesToScore: 0,
  queue: {},
};

interface Nomination {
  pod: KubeObject;
  node: string;
  priority: number;
}

function priorityOf(pod: KubeObject): number {
  const p = (pod as { spec?: { priority?: number } }).spec?.priority;
  return typeof p === 'number' ? p : 0;
}

function nominatedNodeOf(pod: KubeObject): string | undefined {
  return (pod as { status?: { nominatedNodeName?: string } }).status?.nominatedNodeName || undefined;
}

export class SchedulerController implements Controller {
  readonly name = 'scheduler';
  private readonly opts: SchedulerOptions;
  private ctx!: ControllerContext;
  private recorder!: EventRecorder;
  private queue!: SchedulingQueue;
  private pdbs!: Informer;
  private readonly snapshot = new ClusterSnapshot();
  private readonly sampling = newSamplingState();
  /** Pods placed by us whose binding the informer has not shown yet: key → uid. */
  private readonly assumed = new Map<string, string | undefined>();
  private readonly nominated = new Map<string, Nomination>();
  private binds!: AsyncPool;
  private writes!: PodWrites;
  private moveRequested = false;
  private running = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private loopDone: Promise<void> | undefined;
  /** Counters for logs and benchmarks. */
  readonly stats = { attempts: 0, bound: 0, unschedulable: 0, bindErrors: 0, preemptions: 0 };

  constructor(opts: Partial<SchedulerOptions> = {}) {
    this.opts = { ...SCHEDULER_DEFAULTS, ...opts };
  }

  setup(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.recorder = ctx.recorder(this.opts.schedulerName);
    this.binds = new AsyncPool(this.opts.bindConcurrency);
    this.writes = new PodWrites(ctx.client, ctx.clock, this.recorder, this.opts.schedulerName, ctx.log, this.opts.writeConcurrency);
    this.queue = new SchedulingQueue(ctx.clock, this.opts.queue, () => this.kick());
    ctx.informers.informer(refs.nodes).addHandler({
      add: (n) => {
        this.snapshot.addNode(n);
        this.requestMove();
      },
      update: (o, n) => {
        this.snapshot.updateNode(n);
        if (nodeChanged(o, n)) this.requestMove();
      },
      delete: (n) => this.snapshot.removeNode(n.metadata.name ?? ''),
    });
    ctx.informers.informer(refs.pods).addHandler({
      add: (p) => this.onPod(undefined, p),
      update: (o, p) => this.onPod(o, p),
      delete: (p) => this.onPodDeleted(p),
    });
    this.pdbs = ctx.informers.informer(refs.podDisruptionBudgets);
  }

  run(): void {
    this.running = true;
    this.flushTimer = setInterval(() => this.queue.flush(), this.opts.flushIntervalMs);
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.flushTimer);
    this.binds?.close();
    this.writes?.close();
    this.kick();
    await this.loopDone;
  }

  private kick(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private requestMove(): void {
    this.moveRequested = true;
    this.kick();
  }

  // ---- informer events -------------------------------------------------

  private onPod(old: KubeObject | undefined, pod: KubeObject): void {
    const key = queueKey(pod);
    if (isAssigned(pod)) {
      this.assumed.delete(key);
      this.nominated.delete(key);
      this.queue.delete(key);
      if (!isTerminal(pod)) this.snapshot.updatePod(pod);
      else if (this.snapshot.nodeOf(pod) !== undefined) {
        this.snapshot.removePod(pod);
        this.requestMove();
      }
      return;
    }
    if (this.assumed.has(key) && this.assumed.get(key) === pod.metadata.uid) return;
    if (!needsScheduling(pod, this.opts.schedulerName)) {
      this.queue.delete(key);
      this.nominated.delete(key);
      return;
    }
    const nnn = nominatedNodeOf(pod);
    if (nnn) this.nominated.set(key, { pod, node: nnn, priority: priorityOf(pod) });
    else this.nominated.delete(key);
    if (old) this.queue.update(pod, podChanged(old, pod));
    else this.queue.add(pod);
  }

  private onPodDeleted(pod: KubeObject): void {
    const key = queueKey(pod);
    this.assumed.delete(key);
    this.nominated.delete(key);
    this.queue.delete(key);
    if (this.snapshot.nodeOf(pod) !== undefined) {
      this.snapshot.removePod(pod);
      this.requestMove();
    }
  }

  // ---- the loop --------------------------------------------------------

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (this.moveRequested) {
        this.moveRequested = false;
        this.queue.moveAll();
      }
      const started = performance.now();
      let popped = 0;
      do {
        const batch = this.queue.pop(this.opts.batchSize);
        popped += batch.length;
        for (const info of batch) this.scheduleOne(info);
        if (batch.length < this.opts.batchSize) break;
      } while (performance.now() - started < this.opts.sliceMs && !this.stopped);
      if (this.stopped) return;
      if (popped === 0 && !this.moveRequested) await new Promise<void>((r) => (this.wake = r));
      else await new Promise<void>((r) => setImmediate(r));
    }
  }

  private scheduleOne(info: QueuedPod): void {
    const pod = info.pod;
    if (!needsScheduling(pod, this.opts.schedulerName)) {
      this.queue.done(info.key);
      return;
    }
    this.stats.attempts++;
    const undo = this.addNominated(info.key, priorityOf(pod));
    const decision = schedule(this.snapshot, pod, {
      clock: this.ctx.clock,
      rng: this.ctx.random,
      sampling: this.sampling,
      percentageOfNodesToScore: this.opts.percentageOfNodesToScore,
    });
    if (isScheduled(decision)) {
      undo();
      this.snapshot.assume(pod, decision.node);
      this.assumed.set(info.key, pod.metadata.uid);
      this.nominated.delete(info.key);
      this.binds.submit(() => this.bind(info.key, pod, decision.node));
      return;
    }
    // Preemption sees the cluster as it is, without other nominations.
    undo();
    this.unschedulable(info.key, pod, decision);
  }

  /** Counts pods nominated to a node with priority >= `priority` there; returns the undo. */
  private addNominated(self: string, priority: number): () => void {
    if (this.nominated.size === 0) return () => undefined;
    const added: KubeObject[] = [];
    for (const [key, n] of this.nominated) {
      if (key === self || n.priority < priority || this.snapshot.nodeOf(n.pod) !== undefined) continue;
      this.snapshot.assume(n.pod, n.node);
      added.push(n.pod);
    }
    return () => {
      for (const p of added) this.snapshot.removePod(p);
    };
  }

  private async bind(key: string, pod: KubeObject, node: string): Promise<void> {
    const { namespace, name = '' } = pod.metadata;
    try {
      await this.ctx.client.postSubresource(inNamespace(refs.pods, namespace), name, 'binding', {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace },
        target: { apiVersion: 'v1', kind: 'Node', name: node },
      });
      this.stats.bound++;
      this.queue.done(key);
      this.recorder.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace ?? ''}/${name} to ${node}`);
    } catch (err) {
      this.stats.bindErrors++;
      // Forget the assumption unless the informer already shows the real placement.
      if (this.assumed.get(key) === pod.metadata.uid) {
        this.assumed.delete(key);
        this.snapshot.removePod(pod);
        this.requestMove();
      }
      const gone = isApiError(err) && err.code === 'SKIFF_NOT_FOUND';
      if (gone || !this.queue.requeue(key, false)) return;
      this.ctx.log(`scheduler: binding ${namespace ?? ''}/${name} to ${node} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  // ---- unschedulable and preemption -----------------------------------

  private unschedulable(key: string, pod: KubeObject, decision: Unschedulable): void {
    this.stats.unschedulable++;
    let message: string;
    let nominate: string | undefined;
    const nnn = nominatedNodeOf(pod);
    const waiting = notEligibleToPreempt(pod, nnn ? this.snapshot.node(nnn)?.pods.values() : undefined);
    if (this.snapshot.nodes().length === 0) {
      // Upstream's ErrNoNodesAvailable: no PostFilter, the nomination is cleared.
      message = decision.message;
      nominate = '';
    } else if (waiting) {
      message = `${decision.message} ${waiting}`;
    } else {
      const result = preempt(this.snapshot, pod, { clock: this.ctx.clock, pdbs: disruptionBudgets(this.pdbs.list()), rng: this.ctx.random });
      message = failedSchedulingMessage(decision, result);
      if (!isPreemptionFailure(result)) {
        nominate = result.nodeName;
        this.stats.preemptions++;
        this.writes.preemptVictims(pod, result);
      } else if (result.message !== `preemption: ${NOT_ELIGIBLE_NEVER}`) {
        // No candidate: upstream's PostFilter result clears the nomination.
        nominate = '';
      }
    }
    if (nominate) this.nominated.set(key, { pod, node: nominate, priority: priorityOf(pod) });
    else if (nominate === '') this.nominated.delete(key);
    this.queue.requeue(key, true);
    this.recorder.record(pod, 'Warning', 'FailedScheduling', message);
    const patch = unschedulablePatch(pod, message, this.ctx.clock.now(), nominate);
    if (patch) this.writes.patchStatus(pod, patch);
  }

  /** For tests and benchmarks: resolves once no write is pending. */
  async settled(): Promise<void> {
    await Promise.all([this.binds.idle(), this.writes.idle()]);
  }

  get isRunning(): boolean {
    return this.running && !this.stopped;
  }
}
