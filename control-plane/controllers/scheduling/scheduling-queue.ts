/**
 * The scheduling queue, as upstream's PriorityQueue
 * (pkg/scheduler/backend/queue/scheduling_queue.go), without queueing hints:
 *
 * - activeQ: pods ready for an attempt, highest spec.priority first, then
 *   oldest first (creation time at first; after a failed attempt the time
 *   of that failure, as upstream refreshes podInfo.Timestamp), then arrival.
 * - backoffQ: pods that failed and wait out their backoff:
 *   initial * 2^(attempts-1), capped (upstream podInitialBackoff 1 s,
 *   podMaxBackoff 10 s). flush() moves those whose backoff ended to activeQ.
 * - unschedulable pool: pods no node fits. A cluster change that may help
 *   (moveAll: node added/updated, a pod deleted or terminated…) sends them
 *   to activeQ, or to backoffQ while still backing off; flush() also
 *   retries any that sat there longer than maxUnschedulableMs (upstream's
 *   podMaxInUnschedulablePodsDuration, 5 min).
 * - in flight: popped pods until done() (bound) or requeue(). A pod
 *   updated meanwhile keeps its newest object for the next attempt; one
 *   deleted meanwhile is not requeued. If a move happened after the pod
 *   was popped (moveRequestCycle >= its cycle), an unschedulable pod goes
 *   to backoffQ instead of the pool, so it does not miss that change.
 *
 * Pure: time comes from the injected clock; the caller runs flush() on a
 * timer (nextBackoffAt() says when) and pops in batches.
 */
import type { Clock, KubeObject } from '../../api/meta.js';
import { KeyedHeap } from './keyed-heap.js';

export interface QueueOptions {
  initialBackoffMs: number;
  maxBackoffMs: number;
  maxUnschedulableMs: number;
}

export const QUEUE_DEFAULTS: QueueOptions = { initialBackoffMs: 1000, maxBackoffMs: 10_000, maxUnschedulableMs: 5 * 60_000 };

export interface QueuedPod {
  readonly key: string;
  /** The newest object seen for the pod. */
  pod: KubeObject;
  priority: number;
  /** Ordering among equal priorities (ms). */
  timestamp: number;
  seq: number;
  /** Attempts so far; each pop counts one. */
  attempts: number;
  /** The queue's scheduling cycle when last popped. */
  cycle: number;
  /** When the last attempt failed (ms); backoff runs from here. */
  failedAt: number;
  /** When it entered the unschedulable pool (ms). */
  unschedulableSince: number;
}

/** Upstream's calculateBackoffDuration: initial doubled per further attempt, capped. */
export function backoffDuration(attempts: number, initialMs: number, maxMs: number): number {
  let d = initialMs;
  for (let i = 1; i < attempts; i++) {
    if (d > maxMs - d) return maxMs;
    d += d;
  }
  return Math.min(d, maxMs);
}

function priorityOf(pod: KubeObject): number {
  const p = (pod as { spec?: { priority?: unknown } }).spec?.priority;
  return typeof p === 'number' ? p : 0;
}

function createdAt(pod: KubeObject): number {
  const t = pod.metadata.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

export function queueKey(pod: KubeObject): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}

const byPriority = (a: QueuedPod, b: QueuedPod): boolean =>
  a.priority > b.priority || (a.priority === b.priority && (a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.seq < b.seq)));

export class SchedulingQueue {
  private readonly opts: QueueOptions;
  private readonly active = new KeyedHeap<QueuedPod>((p) => p.key, byPriority);
  private readonly backoff: KeyedHeap<QueuedPod>;
  private readonly unschedulable = new Map<string, QueuedPod>();
  private readonly inFlight = new Map<string, { info: QueuedPod; deleted: boolean }>();
  private schedulingCycle = 0;
  private moveRequestCycle = -1;
  private seq = 0;

  /** onActive: called whenever a pod enters activeQ (to wake the scheduling loop). */
  constructor(
    private readonly clock: Clock,
    opts: Partial<QueueOptions> = {},
    private readonly onActive: () => void = () => undefined,
  ) {
    this.opts = { ...QUEUE_DEFAULTS, ...opts };
    this.backoff = new KeyedHeap<QueuedPod>((p) => p.key, (a, b) => this.backoffEnd(a) < this.backoffEnd(b) || (this.backoffEnd(a) === this.backoffEnd(b) && a.seq < b.seq));
  }

  get sizes(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size, inFlight: this.inFlight.size };
  }

  /** Where the pod is: 'active' | 'backoff' | 'unschedulable' | 'inFlight' | undefined. */
  where(key: string): 'active' | 'backoff' | 'unschedulable' | 'inFlight' | undefined {
    if (this.active.has(key)) return 'active';
    if (this.backoff.has(key)) return 'backoff';
    if (this.unschedulable.has(key)) return 'unschedulable';
    if (this.inFlight.has(key)) return 'inFlight';
    return undefined;
  }

  /** A pod that needs scheduling was seen (informer add), or seen again. */
  add(pod: KubeObject): void {
    const key = queueKey(pod);
    if (this.where(key) !== undefined) {
      // Deleted and created again under the same name while in flight.
      const f = this.inFlight.get(key);
      if (f) f.deleted = false;
      this.refresh(key, pod);
      return;
    }
    const info: QueuedPod = {
      key,
      pod,
      priority: priorityOf(pod),
      timestamp: createdAt(pod),
      seq: this.seq++,
      attempts: 0,
      cycle: 0,
      failedAt: 0,
      unschedulableSince: 0,
    };
    this.pushActive(info);
  }

  /**
   * A queued pod changed. `changed` says whether the change may make it
   * schedulable (its spec or labels, not just its status): only then does
   * it leave the unschedulable pool.
   */
  update(pod: KubeObject, changed: boolean): void {
    const key = queueKey(pod);
    const where = this.where(key);
    if (where === undefined) return this.add(pod);
    this.refresh(key, pod);
    if (where === 'unschedulable' && changed) {
      const info = this.unschedulable.get(key) as QueuedPod;
      this.unschedulable.delete(key);
      this.moveOut(info, this.clock.now().getTime());
    }
  }

  delete(key: string): void {
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    const f = this.inFlight.get(key);
    if (f) f.deleted = true;
  }

  /** Takes up to `max` pods from activeQ, most important first; they are in flight until done() or requeue(). */
  pop(max: number): QueuedPod[] {
    const out: QueuedPod[] = [];
    while (out.length < max) {
      const info = this.active.pop();
      if (!info) break;
      info.attempts++;
      info.cycle = ++this.schedulingCycle;
      this.inFlight.set(info.key, { info, deleted: false });
      out.push(info);
    }
    return out;
  }

  /** The in-flight pod was bound (or needs no more scheduling). */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * The in-flight pod's attempt failed: `unschedulable` (no node fits) parks
   * it in the pool, anything else (a failed binding) backs it off. Returns
   * false when it was deleted meanwhile (nothing requeued).
   */
  requeue(key: string, unschedulable: boolean): boolean {
    const f = this.inFlight.get(key);
    if (!f) return false;
    this.inFlight.delete(key);
    if (f.deleted) return false;
    const info = f.info;
    const now = this.clock.now().getTime();
    info.failedAt = now;
    info.timestamp = now;
    if (unschedulable && this.moveRequestCycle < info.cycle) {
      info.unschedulableSince = now;
      this.unschedulable.set(info.key, info);
    } else {
      this.backoff.push(info);
    }
    return true;
  }

  /** A cluster change that may make unschedulable pods fit: retry them all. */
  moveAll(): void {
    this.moveRequestCycle = this.schedulingCycle;
    if (this.unschedulable.size === 0) return;
    const now = this.clock.now().getTime();
    const infos = [...this.unschedulable.values()];
    this.unschedulable.clear();
    for (const info of infos) this.moveOut(info, now);
  }

  /** Moves pods whose backoff ended to activeQ, and pods unschedulable for too long out of the pool. */
  flush(): void {
    const now = this.clock.now().getTime();
    for (let head = this.backoff.peek(); head && this.backoffEnd(head) <= now; head = this.backoff.peek()) {
      this.backoff.pop();
      this.pushActive(head);
    }
    for (const info of [...this.unschedulable.values()]) {
      if (now - info.unschedulableSince >= this.opts.maxUnschedulableMs) {
        this.unschedulable.delete(info.key);
        this.moveOut(info, now);
      }
    }
  }

  /** When the earliest backoff ends (ms), if any pod is backing off. */
  nextBackoffAt(): number | undefined {
    const head = this.backoff.peek();
    return head ? this.backoffEnd(head) : undefined;
  }

  private backoffEnd(info: QueuedPod): number {
    return info.failedAt + backoffDuration(info.attempts, this.opts.initialBackoffMs, this.opts.maxBackoffMs);
  }

  private moveOut(info: QueuedPod, now: number): void {
    if (this.backoffEnd(info) > now) this.backoff.push(info);
    else this.pushActive(info);
  }

  private pushActive(info: QueuedPod): void {
    this.active.push(info);
    this.onActive();
  }

  private refresh(key: string, pod: KubeObject): void {
    const f = this.inFlight.get(key);
    if (f) {
      f.info.pod = pod;
      f.info.priority = priorityOf(pod);
      return;
    }
    const info = this.active.get(key) ?? this.backoff.get(key) ?? this.unschedulable.get(key);
    if (!info) return;
    info.pod = pod;
    const priority = priorityOf(pod);
    if (priority !== info.priority && this.active.has(key)) {
      info.priority = priority;
      this.active.push(info);
    } else {
      info.priority = priority;
    }
  }
}
