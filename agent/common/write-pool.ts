/**
 * A bound on concurrent API writes, shared by every simulated node. Tasks
 * wait in one queue per priority: 'heartbeat' (Lease renewals) before
 * 'status' (node status reports) before 'normal' (registration, pod status,
 * deletions), so a burst of thousands of pod updates never delays a
 * heartbeat past its lease.
 *
 * Contract: run() resolves or rejects with the task's own result; at most
 * `limit` tasks are in flight at once; within a priority, FIFO. A task
 * still unsettled after `timeoutMs` is rejected (WriteTimeoutError) and
 * frees its slot, so a request lost on the way cannot wedge the pool.
 */

export type Priority = 'heartbeat' | 'status' | 'normal';

const ORDER: readonly Priority[] = ['heartbeat', 'status', 'normal'];

interface Job {
  task: () => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** A FIFO with an advancing head, compacted now and then (shift() is O(n)). */
class Fifo {
  private items: Job[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(j: Job): void {
    this.items.push(j);
  }

  shift(): Job | undefined {
    if (this.head >= this.items.length) return undefined;
    const j = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return j;
  }
}

export class WriteTimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'WriteTimeoutError';
  }
}

export class WritePool {
  private inFlight = 0;
  private readonly queues = new Map<Priority, Fifo>(ORDER.map((p) => [p, new Fifo()] as const));

  constructor(
    readonly limit: number,
    readonly timeoutMs = 30_000,
  ) {
    if (!(limit >= 1)) throw new Error(`invalid write concurrency ${limit}`);
  }

  get active(): number {
    return this.inFlight;
  }

  get queued(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  run<T>(task: () => Promise<T>, priority: Priority = 'normal'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queues.get(priority)!.push({ task, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  private next(): Job | undefined {
    for (const p of ORDER) {
      const j = this.queues.get(p)!.shift();
      if (j) return j;
    }
    return undefined;
  }

  private pump(): void {
    while (this.inFlight < this.limit) {
      const job = this.next();
      if (!job) return;
      this.inFlight++;
      let p: Promise<unknown>;
      try {
        p = job.task();
      } catch (e) {
        p = Promise.reject(e);
      }
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        this.inFlight--;
        this.pump();
        return true;
      };
      const timer = setTimeout(() => {
        if (settle()) job.reject(new WriteTimeoutError(this.timeoutMs));
      }, this.timeoutMs);
      p.then(
        (v) => {
          if (settle()) job.resolve(v);
        },
        (e: unknown) => {
          if (settle()) job.reject(e);
        },
      );
    }
  }
}

/** Exponential backoff with jitter: base·2^attempt capped at max, times a factor in [0.5, 1). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const d = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(d * (0.5 + random() * 0.5));
}

/** Network-level failures and server overload are retried; API answers such as 404 or 422 are not. */
export function isTransient(e: unknown): boolean {
  const status = (e as { status?: unknown } | null)?.status;
  if (typeof status === 'number') return status === 429 || status >= 500;
  return true;
}
