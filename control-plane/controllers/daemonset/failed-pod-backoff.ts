/**
 * Per-(DaemonSet, node) backoff for deleting failed daemon pods, as the
 * daemon controller's flowcontrol.Backoff (1 s doubling to 15 min): a node
 * whose kubelet keeps rejecting the pod must not make the controller
 * delete and recreate it in a hot loop. An entry idle for twice the
 * maximum starts over. Clock injected.
 */
import type { Clock } from '../../api/meta.js';

const INITIAL_MS = 1_000;
const MAX_MS = 15 * 60_000;

export class FailedPodBackoff {
  private readonly entries = new Map<string, { delayMs: number; at: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly initialMs = INITIAL_MS,
    private readonly maxMs = MAX_MS,
  ) {}

  /** Milliseconds left before `key` may act again, or 0 (IsInBackOffSinceUpdate/Get). */
  remaining(key: string): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    const left = e.at + e.delayMs - this.clock.now().getTime();
    return left > 0 ? left : 0;
  }

  /** Records an action for `key` and doubles its delay (Next). */
  next(key: string): void {
    const now = this.clock.now().getTime();
    const e = this.entries.get(key);
    if (!e || now - e.at > 2 * this.maxMs) this.entries.set(key, { delayMs: this.initialMs, at: now });
    else this.entries.set(key, { delayMs: Math.min(e.delayMs * 2, this.maxMs), at: now });
  }

  /** The current delay of `key` (0 when none). */
  delay(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }
}
