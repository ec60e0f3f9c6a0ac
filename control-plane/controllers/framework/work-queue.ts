/**
 * A controller's work queue, as client-go's rate-limited workqueue:
 * - a key added while queued is not queued twice;
 * - a key added while being processed is processed again afterwards, never
 *   by two workers at once;
 * - a failed key is retried with per-key exponential backoff (5 ms doubling
 *   up to maxDelayMs); success forgets its failures;
 * - the handler may ask to be called again after a delay (requeueAfterMs),
 *   e.g. when minReadySeconds or a deadline will pass.
 *
 * Nothing is processed until start() (controllers start workers only once
 * their informers have synced); stop() drops pending work and timers.
 */

export interface WorkResult {
  requeueAfterMs?: number;
}

export type WorkHandler = (key: string) => Promise<WorkResult | void>;

export interface WorkQueueOptions {
  name: string;
  workers?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called when a handler throws (before the retry is scheduled). */
  onError?: (key: string, err: unknown) => void;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private head = 0;
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; at: number }>();
  private running = 0;
  private started = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly handler: WorkHandler,
    private readonly opts: WorkQueueOptions,
  ) {}

  get length(): number {
    return this.queue.length - this.head;
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  /** Adds key after ms; an earlier pending addAfter for the key wins. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    this.timers.set(key, { timer, at });
  }

  /** Retries key with its backoff. */
  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const delay = Math.min((this.opts.baseDelayMs ?? 5) * 2 ** n, this.opts.maxDelayMs ?? 60_000);
    this.addAfter(key, delay);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  start(): void {
    this.started = true;
    this.pump();
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    this.queue.length = 0;
    this.head = 0;
    this.queued.clear();
    this.resolveIdle();
  }

  /** Resolves when nothing is queued or being processed (timers aside). */
  idle(): Promise<void> {
    if (this.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private pump(): void {
    if (!this.started || this.stopped) return;
    const workers = this.opts.workers ?? 1;
    while (this.running < workers && this.head < this.queue.length) {
      const key = this.queue[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.queued.delete(key);
      this.processing.add(key);
      this.running++;
      void this.process(key);
    }
    if (this.running === 0 && this.length === 0) this.resolveIdle();
  }

  private async process(key: string): Promise<void> {
    try {
      const r = await this.handler(key);
      this.forget(key);
      if (r?.requeueAfterMs !== undefined) this.addAfter(key, r.requeueAfterMs);
    } catch (err) {
      if (!this.stopped) {
        this.opts.onError?.(key, err);
        this.addRateLimited(key);
      }
    } finally {
      this.processing.delete(key);
      this.running--;
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
    }
  }

  private resolveIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const r of w) r();
  }
}
