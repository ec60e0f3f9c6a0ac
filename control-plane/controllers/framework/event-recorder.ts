/**
 * Records core/v1 Events for what controllers do (SuccessfulCreate,
 * ScalingReplicaSet, FailedScheduling…), as client-go's EventRecorder.
 *
 * Why aggregation: a controller in a hot loop would otherwise write one
 * Event per iteration and flood the store. As upstream's EventCorrelator:
 * - an event equal to an earlier one (same source, object, type, reason and
 *   message) bumps that Event's `count` and `lastTimestamp` instead of
 *   creating a new one; bumps within a second are coalesced into one patch;
 * - each involved object has a token bucket (burst 25, one token per 5
 *   minutes) that drops events beyond it (EventSourceObjectSpamFilter);
 * - at most 4,096 series are remembered (LRU).
 * Recording never throws and never blocks the caller: writes are
 * fire-and-forget, failures go to the log.
 */
import type { ApiClient } from '../../api/client/api-client.js';
import { formatTime, type Clock, type KubeObject } from '../../api/meta.js';
import { refs, inNamespace } from './refs.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  record(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

interface Series {
  name: string;
  namespace: string;
  count: number;
  flushed: number;
  timer: NodeJS.Timeout | undefined;
  creating: Promise<boolean> | undefined;
}

interface Bucket {
  tokens: number;
  at: number;
}

const BURST = 25;
const REFILL_MS = 5 * 60_000;
const MAX_SERIES = 4096;
const COALESCE_MS = 1000;

export class EventBroadcaster {
  private readonly series = new Map<string, Series>();
  private readonly buckets = new Map<string, Bucket>();
  private stopped = false;

  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    private readonly log: (msg: string) => void = () => undefined,
    private readonly host = '',
  ) {}

  /** A recorder whose events name `component` as their source. */
  recorder(component: string): EventRecorder {
    return { record: (obj, type, reason, message) => this.record(component, obj, type, reason, message) };
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.series.values()) clearTimeout(s.timer);
  }

  private allow(uid: string): boolean {
    const now = this.clock.now().getTime();
    let b = this.buckets.get(uid);
    if (!b) {
      b = { tokens: BURST, at: now };
      this.buckets.set(uid, b);
      if (this.buckets.size > MAX_SERIES) this.buckets.delete(this.buckets.keys().next().value!);
    }
    const refill = Math.floor((now - b.at) / REFILL_MS);
    if (refill > 0) {
      b.tokens = Math.min(BURST, b.tokens + refill);
      b.at += refill * REFILL_MS;
    }
    if (b.tokens <= 0) return false;
    b.tokens--;
    return true;
  }

  private record(component: string, obj: KubeObject, type: EventType, reason: string, message: string): void {
    if (this.stopped) return;
    const m = obj.metadata;
    const uid = m.uid ?? `${m.namespace ?? ''}/${m.name ?? ''}`;
    const key = `${component}\u0000${uid}\u0000${type}\u0000${reason}\u0000${message}`;
    const existing = this.series.get(key);
    if (!this.allow(`${component}/${uid}`)) return;
    if (existing) {
      // LRU: most recent last.
      this.series.delete(key);
      this.series.set(key, existing);
      existing.count++;
      existing.timer ??= setTimeout(() => void this.flush(key, existing), COALESCE_MS);
      return;
    }
    const now = this.clock.now();
    const namespace = m.namespace || 'default';
    const name = `${m.name ?? 'unknown'}.${(now.getTime() * 1e6 + Math.floor(Math.random() * 1e6)).toString(16)}`;
    const s: Series = { name, namespace, count: 1, flushed: 1, timer: undefined, creating: undefined };
    this.series.set(key, s);
    if (this.series.size > MAX_SERIES) {
      const oldest = this.series.keys().next().value!;
      clearTimeout(this.series.get(oldest)?.timer);
      this.series.delete(oldest);
    }
    const ts = formatTime(now);
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        kind: obj.kind,
        namespace: m.namespace,
        name: m.name,
        uid: m.uid,
        apiVersion: obj.apiVersion,
        resourceVersion: m.resourceVersion,
      },
      reason,
      message,
      source: this.host ? { component, host: this.host } : { component },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type,
      reportingComponent: component,
      reportingInstance: this.host,
    };
    s.creating = this.client.create(inNamespace(refs.events, namespace), event).then(
      () => true,
      (err: unknown) => {
        this.log(`event ${reason} for ${m.namespace ?? ''}/${m.name ?? ''} not recorded: ${err instanceof Error ? err.message : String(err)}`);
        this.series.delete(key);
        return false;
      },
    );
  }

  private async flush(key: string, s: Series): Promise<void> {
    s.timer = undefined;
    if (this.stopped || !(await s.creating)) return;
    if (s.count === s.flushed) return;
    const count = s.count;
    try {
      await this.client.patch(inNamespace(refs.events, s.namespace), s.name, { count, lastTimestamp: formatTime(this.clock.now()) });
      s.flushed = count;
    } catch (err) {
      // Deleted meanwhile (TTL, namespace gone): start a new series next time.
      this.series.delete(key);
      this.log(`event series ${s.namespace}/${s.name} not updated: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
