/**
 * The agent's core/v1 Event recorder: what the kubelet, the prober and the
 * image puller use to write Events (Pulling, Created,
 * Started, Killing, BackOff, Unhealthy…) against pods, as client-go's
 * record.EventRecorder does for the upstream kubelet.
 *
 * Why not the control plane's recorder: the agent may import only
 * control-plane/api. Semantics follow client-go's EventCorrelator:
 * - aggregation: once 10 events with the same object, type and reason but
 *   different messages are seen within 10 minutes, further ones are recorded
 *   as one "(combined from similar events): <message>" series;
 * - series: an event identical to one seen within the last 10 minutes (same
 *   source, object uid, fieldPath, type, reason, message) PATCHes the
 *   existing Event's count, lastTimestamp and message instead of creating a
 *   new one (4,096 series remembered, LRU); a PATCH that finds the Event gone
 *   creates it again under the same name;
 * - spam filter: one token bucket per involved object (burst 25, one token
 *   per 5 minutes); events beyond it are dropped.
 * Contract: event() never throws and never waits. Writes go through one
 * bounded queue (a series waits in it at most once, so repeats only bump
 * its count) written one at a time; connection failures and 429/5xx are
 * retried a few times with jittered backoff, other API errors are logged.
 * stop() stops accepting events and drains the queue for a bounded time.
 */
import type { ApiClient, ResourceRef } from '../../control-plane/api/client/api-client.js';
import { isApiError } from '../../control-plane/api/errors.js';
import { formatTime, type Clock, type KubeObject } from '../../control-plane/api/meta.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  client: Pick<ApiClient, 'create' | 'patch'>;
  /** source.component and reportingComponent, e.g. 'kubelet'. */
  component: string;
  /** source.host and reportingInstance: the node name. */
  host: string;
  clock: Clock;
  /** [0, 1): the sub-millisecond part of Event names and retry jitter. */
  random?: () => number;
  log: (msg: string) => void;
  /** Writes waiting at most (default 1,000); new series beyond it are dropped. */
  maxQueue?: number;
  /** Attempts per write (default 3) and the first retry delay (default 1 s, doubling). */
  maxTries?: number;
  retryDelayMs?: number;
}

const events: ResourceRef = { group: '', version: 'v1', resource: 'events' };
const WINDOW_MS = 10 * 60_000;
const MAX_SIMILAR = 10;
const BURST = 25;
const REFILL_MS = 5 * 60_000;
const LRU_SIZE = 4096;
const COMBINED = '(combined from similar events): ';

interface Series {
  name: string;
  namespace: string;
  involvedObject: Record<string, unknown>;
  type: EventType;
  reason: string;
  message: string;
  first: Date;
  last: Date;
  count: number;
  /** The count the server has; 0 until created. */
  written: number;
  queued: boolean;
}

interface Similar {
  messages: Set<string>;
  lastMs: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** A Map used as an LRU: get() refreshes, set() evicts the oldest beyond `max`. */
class Lru<V> {
  private readonly m = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(k: string): V | undefined {
    const v = this.m.get(k);
    if (v !== undefined) {
      this.m.delete(k);
      this.m.set(k, v);
    }
    return v;
  }
  set(k: string, v: V): void {
    this.m.delete(k);
    this.m.set(k, v);
    if (this.m.size > this.max) this.m.delete(this.m.keys().next().value!);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class EventRecorder {
  private readonly series = new Lru<Series>(LRU_SIZE);
  private readonly similar = new Lru<Similar>(LRU_SIZE);
  private readonly buckets = new Lru<Bucket>(LRU_SIZE);
  private queue: Series[] = [];
  private draining: Promise<void> | undefined;
  private stopped = false;
  private dropped = 0;
  private lastNanos = 0n;
  private readonly random: () => number;

  constructor(private readonly o: EventRecorderOptions) {
    this.random = o.random ?? Math.random;
  }

  /** Writes waiting (for tests and metrics). */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Records an event about `obj`. Objects without kind/apiVersion (list
   * items, as the informer hands pods over) are taken as v1 Pods, the only
   * kind the kubelet records against without them.
   */
  event(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): void {
    try {
      this.observe(obj, type, reason, message, fieldPath);
    } catch (e) {
      this.o.log(`event ${reason} not recorded: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Resolves once every queued write has been attempted. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Stops accepting events and waits up to `timeoutMs` for queued writes. */
  async stop(timeoutMs = 2000): Promise<void> {
    this.stopped = true;
    if (!this.draining) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.draining, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    this.queue = [];
  }

  private observe(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath: string | undefined): void {
    if (this.stopped) return;
    const m = obj.metadata;
    const involvedObject: Record<string, unknown> = {
      kind: obj.kind ?? 'Pod',
      namespace: m.namespace,
      name: m.name,
      uid: m.uid,
      apiVersion: obj.apiVersion ?? 'v1',
      resourceVersion: m.resourceVersion,
      ...(fieldPath ? { fieldPath } : {}),
    };
    const objectKey = [involvedObject.kind, m.namespace ?? '', m.name ?? '', m.uid ?? '', involvedObject.apiVersion].join('\u0000');
    if (!this.allow(objectKey)) return;

    const now = this.o.clock.now();
    const nowMs = now.getTime();
    // EventAggregator: similar events (differing only in message) collapse after 10.
    const aggKey = `${objectKey}\u0000${type}\u0000${reason}`;
    let sim = this.similar.get(aggKey);
    if (!sim || nowMs - sim.lastMs > WINDOW_MS) sim = { messages: new Set(), lastMs: nowMs };
    sim.lastMs = nowMs;
    let key = `${aggKey}\u0000${fieldPath ?? ''}\u0000${message}`;
    sim.messages.add(message);
    if (sim.messages.size >= MAX_SIMILAR) {
      // As upstream: forget one message so the set stays bounded, and record
      // this one in the aggregate series, keyed without message or fieldPath.
      sim.messages.delete(sim.messages.values().next().value!);
      key = `${aggKey}\u0000combined`;
      message = COMBINED + message;
    }
    this.similar.set(aggKey, sim);

    // EventLogger: an identical event within the window bumps its series.
    const existing = this.series.get(key);
    if (existing && nowMs - existing.last.getTime() <= WINDOW_MS) {
      existing.count++;
      existing.last = now;
      existing.message = message;
      this.enqueue(existing);
      return;
    }
    const s: Series = {
      name: `${m.name ?? 'unknown'}.${this.nanos(nowMs).toString(16)}`,
      namespace: m.namespace || 'default',
      involvedObject,
      type,
      reason,
      message,
      first: now,
      last: now,
      count: 1,
      written: 0,
      queued: false,
    };
    if (this.enqueue(s)) this.series.set(key, s);
  }

  /**
   * Unix nanoseconds for the name: Date has milliseconds, the rest is random
   * (other recorders) and strictly increasing here (this one never repeats a name).
   */
  private nanos(ms: number): bigint {
    let n = BigInt(ms) * 1_000_000n + BigInt(Math.floor(this.random() * 1_000_000));
    if (n <= this.lastNanos) n = this.lastNanos + 1n;
    this.lastNanos = n;
    return n;
  }

  /** EventSourceObjectSpamFilter: a token bucket per involved object. */
  private allow(objectKey: string): boolean {
    const now = this.o.clock.now().getTime();
    let b = this.buckets.get(objectKey);
    if (!b) b = { tokens: BURST, at: now };
    const refill = Math.floor((now - b.at) / REFILL_MS);
    if (refill > 0) {
      b.tokens = Math.min(BURST, b.tokens + refill);
      b.at += refill * REFILL_MS;
    }
    if (b.tokens === BURST) b.at = now;
    this.buckets.set(objectKey, b);
    if (b.tokens <= 0) return false;
    b.tokens--;
    return true;
  }

  private enqueue(s: Series): boolean {
    if (s.queued) return true;
    if (this.queue.length >= (this.o.maxQueue ?? 1000)) {
      if (this.dropped++ % 1000 === 0) this.o.log(`event queue full: dropped ${this.dropped} event(s) so far (latest ${s.reason})`);
      return false;
    }
    s.queued = true;
    this.queue.push(s);
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
    return true;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const s = this.queue.shift()!;
      s.queued = false;
      await this.write(s);
    }
  }

  /** One write of a series' current state, retried on transient failures. */
  private async write(s: Series): Promise<void> {
    const tries = this.o.maxTries ?? 3;
    for (let attempt = 1; ; attempt++) {
      const count = s.count;
      try {
        await this.send(s);
        s.written = count;
        return;
      } catch (e) {
        const transient = !isApiError(e) || e.status === 429 || e.status >= 500;
        const msg = e instanceof Error ? e.message : String(e);
        if (isApiError(e) && e.status === 409) return; // AlreadyExists: an earlier attempt landed.
        if (!transient || attempt >= tries || this.stopped) {
          this.o.log(`event ${s.namespace}/${s.name} (${s.reason}) not written${transient && attempt >= tries ? ' (retry limit exceeded)' : ''}: ${msg}`);
          return;
        }
        const base = (this.o.retryDelayMs ?? 1000) * 2 ** (attempt - 1);
        await sleep(base * (1 + this.random()));
      }
    }
  }

  private async send(s: Series): Promise<void> {
    const ref = { ...events, namespace: s.namespace };
    if (s.written > 0) {
      try {
        await this.o.client.patch(ref, s.name, { count: s.count, lastTimestamp: formatTime(s.last), message: s.message });
        return;
      } catch (e) {
        if (!(isApiError(e) && e.status === 404)) throw e;
        // Deleted meanwhile (TTL): create it again, as client-go does.
      }
    }
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: s.name, namespace: s.namespace },
      involvedObject: s.involvedObject,
      reason: s.reason,
      message: s.message,
      source: { component: this.o.component, host: this.o.host },
      firstTimestamp: formatTime(s.first),
      lastTimestamp: formatTime(s.last),
      count: s.count,
      type: s.type,
      reportingComponent: this.o.component,
      reportingInstance: this.o.host,
    };
    await this.o.client.create(ref, event);
  }
}
