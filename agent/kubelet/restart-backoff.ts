/**
 * Container restart backoff, as the kubelet's flowcontrol.Backoff with the
 * kubelet's settings: 10 s, doubling per restart, capped at 5 min, no
 * jitter; an entry whose last restart is more than 2 × 5 min = 10 min
 * before the container's finish time starts over at 10 s (so a container
 * that ran for 10 minutes is restarted at once again). Keyed by pod UID and
 * container name. Pure: times are passed in as epoch milliseconds.
 *
 * The sync loop asks `restartDelay(key, finishedAt, now)` before starting
 * a container that exited before: 0 means "start now" (and the restart is
 * recorded, doubling the next delay); a positive number means the
 * container is in CrashLoopBackOff for that many more milliseconds.
 */

export const INITIAL_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 300_000;

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export function backoffKey(podUid: string, containerName: string): string {
  return `${podUid}/${containerName}`;
}

/** A duration as Go's time.Duration.String() prints whole seconds: `10s`, `1m20s`, `5m0s`. */
export function formatGoDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** The CrashLoopBackOff waiting message, as upstream words it. */
export function crashLoopMessage(backoffMs: number, containerName: string, pod: { name: string; namespace: string; uid: string }): string {
  return `back-off ${formatGoDuration(backoffMs)} restarting failed container=${containerName} pod=${pod.name}_${pod.namespace}(${pod.uid})`;
}

export class RestartBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly initialMs = INITIAL_BACKOFF_MS,
    readonly maxMs = MAX_BACKOFF_MS,
  ) {}

  private expired(eventTime: number, e: Entry): boolean {
    return eventTime - e.lastUpdate > 2 * this.maxMs;
  }

  /** The current backoff period of a key (0 when none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Whether a restart for an exit at `eventTime` must still wait at `now`. */
  isInBackOffSince(key: string, eventTime: number, now: number): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    if (this.expired(eventTime, e)) return false;
    return now - eventTime < e.backoffMs;
  }

  /** Records a restart at `now` for an exit at `eventTime`: the first, or one after a quiet 10 min, waits initialMs next time. */
  next(key: string, eventTime: number, now: number): void {
    const e = this.entries.get(key);
    if (!e || this.expired(eventTime, e)) this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: now });
    else this.entries.set(key, { backoffMs: Math.min(e.backoffMs * 2, this.maxMs), lastUpdate: now });
  }

  /**
   * 0 when the container (which exited at `finishedAt`) may start now, in
   * which case the restart is recorded; otherwise the milliseconds left.
   */
  restartDelay(key: string, finishedAt: number, now: number): number {
    if (this.isInBackOffSince(key, finishedAt, now)) {
      return Math.max(1, finishedAt + this.get(key) - now);
    }
    this.next(key, finishedAt, now);
    return 0;
  }

  /** Forgets entries untouched for 2 × max (upstream's GC). */
  gc(now: number): void {
    for (const [k, e] of this.entries) if (now - e.lastUpdate > 2 * this.maxMs) this.entries.delete(k);
  }

  /** Forgets every container of a pod. */
  removePod(podUid: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(`${podUid}/`)) this.entries.delete(k);
  }

  get size(): number {
    return this.entries.size;
  }
}
