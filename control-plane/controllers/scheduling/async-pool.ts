/**
 * Bounded concurrency for the scheduler's API writes (bindings, status
 * patches, deletions): at most `limit` calls in flight, the rest wait in
 * FIFO order. submit() never blocks the caller — the scheduling loop keeps
 * deciding while earlier decisions are being written, as upstream's
 * binding goroutines do — and each task reports its own outcome.
 */

export class AsyncPool {
  private readonly waiting: (() => Promise<void>)[] = [];
  private head = 0;
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly limit: number) {}

  /** Calls in flight plus calls waiting. */
  get pending(): number {
    return this.running + this.waiting.length - this.head;
  }

  /** Runs task when a slot frees up; a task must handle its own errors. */
  submit(task: () => Promise<void>): void {
    if (this.closed) return;
    this.waiting.push(task);
    this.pump();
  }

  /** Drops waiting tasks; running ones finish. */
  close(): void {
    this.closed = true;
    this.waiting.length = 0;
    this.head = 0;
  }

  /** Resolves once nothing runs or waits. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private pump(): void {
    while (this.running < this.limit && this.head < this.waiting.length) {
      const task = this.waiting[this.head++] as () => Promise<void>;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      this.running++;
      void task()
        .catch(() => undefined)
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
    if (this.pending === 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const r of w) r();
    }
  }
}
