/**
 * Per-key exponential backoff (upstream client-go flowcontrol.Backoff as
 * the image manager uses it: 10 s initial, doubling, capped at 5 min; an
 * entry idle for more than twice the cap starts over). No jitter: the
 * kubelet's own sync cadence already spreads retries. Clock injected.
 */
import type { Clock } from '../../control-plane/api/meta.js';

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly initialMs = 10_000,
    private readonly maxMs = 300_000,
  ) {}

  /** True while less than the current backoff has passed since the last failure. */
  isInBackOff(key: string): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    return this.clock.now().getTime() - e.lastUpdate < e.backoffMs;
  }

  /** Records a failure: starts at the initial delay, else doubles (capped). */
  next(key: string): void {
    const now = this.clock.now().getTime();
    const e = this.entries.get(key);
    if (!e || now - e.lastUpdate > 2 * this.maxMs) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: now });
      return;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdate = now;
  }

  /** Current delay for a key (0 when none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Drops entries idle for more than twice the cap. */
  gc(): void {
    const now = this.clock.now().getTime();
    for (const [k, e] of this.entries) if (now - e.lastUpdate > 2 * this.maxMs) this.entries.delete(k);
  }
}
