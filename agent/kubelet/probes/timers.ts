/**
 * Timers for the probe workers, injected so unit tests are deterministic:
 * production uses `systemTimers` (the real clock and setTimeout), tests
 * use `ManualTimers`, whose time moves only when the test advances it.
 *
 * Contract: `setTimeout(fn, ms)` runs fn once, no earlier than `now()+ms`;
 * `clearTimeout` of a fired or cleared handle is a no-op. ManualTimers
 * fires due timers in due-time order (FIFO for equal times) and lets the
 * promise jobs a callback starts settle before the next one fires.
 */

export interface TimerHandle {
  readonly id: number;
}

export interface Timers {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

class RealHandle implements TimerHandle {
  constructor(
    readonly id: number,
    readonly timer: NodeJS.Timeout,
  ) {}
}

let nextRealId = 1;

export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return new RealHandle(nextRealId++, t);
  },
  clearTimeout(handle) {
    if (handle instanceof RealHandle) clearTimeout(handle.timer);
  },
};

interface Pending {
  id: number;
  at: number;
  fn: () => void;
}

/** Settles pending promise jobs and I/O callbacks a few times over. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

/** A manual clock for tests: time advances only through `advance`. */
export class ManualTimers implements Timers {
  private time: number;
  private seq = 1;
  private pending: Pending[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.seq++;
    this.pending.push({ id, at: this.time + Math.max(0, ms), fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending = this.pending.filter((p) => p.id !== handle.id);
  }

  /** Number of timers not yet fired. */
  get size(): number {
    return this.pending.length;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the
   * way, in order; `afterEach` (e.g. waiting for in-flight I/O the timer
   * started) runs after each fired timer, before time moves on.
   */
  async advance(ms: number, afterEach?: () => Promise<void>): Promise<void> {
    const end = this.time + ms;
    await settle();
    for (;;) {
      let next: Pending | undefined;
      for (const p of this.pending) if (p.at <= end && (!next || p.at < next.at || (p.at === next.at && p.id < next.id))) next = p;
      if (!next) break;
      const due = next;
      this.pending = this.pending.filter((p) => p !== due);
      this.time = Math.max(this.time, due.at);
      due.fn();
      await settle();
      if (afterEach) await afterEach();
    }
    this.time = end;
    await settle();
  }
}
