/**
 * One serialized worker per pod (upstream's pod workers): work for a key
 * never runs twice at once; a request while it runs is remembered and runs
 * once more afterwards (any number of requests coalesce into one). Timed
 * requests (backoff ends, resyncs) keep only the earliest per key.
 *
 * Contract: enqueue() never throws; a failing run is logged and the key is
 * retried after `retryMs`. idle() resolves when nothing runs or is queued.
 */

interface Slot {
  running: Promise<void> | undefined;
  again: boolean;
  timer: NodeJS.Timeout | undefined;
  timerAt: number;
}

export class PodWorkers {
  private readonly slots = new Map<string, Slot>();
  private stopped = false;

  constructor(
    private readonly work: (key: string) => Promise<void>,
    private readonly log: (msg: string) => void = () => undefined,
    private readonly retryMs = 2000,
  ) {}

  enqueue(key: string): void {
    if (this.stopped) return;
    const slot = this.slot(key);
    if (slot.running) {
      slot.again = true;
      return;
    }
    slot.running = this.run(key, slot);
  }

  /** Runs the key's work after `ms` (the earliest of several such requests wins). */
  enqueueAfter(key: string, ms: number): void {
    if (this.stopped) return;
    const slot = this.slot(key);
    const at = Date.now() + ms;
    if (slot.timer && slot.timerAt <= at) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timerAt = at;
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      this.enqueue(key);
    }, Math.max(0, ms));
    slot.timer.unref();
  }

  /** Forgets a key's timers (its work may still finish). */
  forget(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    if (!slot.running) this.slots.delete(key);
  }

  isBusy(key: string): boolean {
    return this.slots.get(key)?.running !== undefined;
  }

  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.slots.values()].map((s) => s.running).filter((p): p is Promise<void> => p !== undefined);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.slots.values()) if (s.timer) clearTimeout(s.timer);
  }

  private slot(key: string): Slot {
    let s = this.slots.get(key);
    if (!s) this.slots.set(key, (s = { running: undefined, again: false, timer: undefined, timerAt: 0 }));
    return s;
  }

  private async run(key: string, slot: Slot): Promise<void> {
    try {
      do {
        slot.again = false;
        try {
          await this.work(key);
        } catch (e) {
          this.log(`sync ${key}: ${e instanceof Error ? e.message : String(e)}`);
          this.enqueueAfter(key, this.retryMs);
        }
      } while (slot.again && !this.stopped);
    } finally {
      slot.running = undefined;
      if (!slot.timer && !slot.again) this.slots.delete(key);
    }
  }
}
