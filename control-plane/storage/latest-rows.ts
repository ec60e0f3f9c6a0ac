/**
 * A bounded map of the latest row of recently used keys, least recently
 * used first out. The SQLite store is the only writer of its file, so it
 * can answer reads of hot keys, and the lookups of its own write path, from
 * memory: a busy server reads every object it updates, and the write path
 * reads the row again to check revisions and keep the previous value for
 * watchers (about 8 % of the server's CPU went to those SQLite lookups).
 *
 * Contract: get() answers what set() last stored for the key (a tombstone
 * included), or undefined when the key is not held; the caller then asks
 * SQLite and may set() the answer. Only committed rows are set().
 */
export class LatestRows<R> {
  private readonly rows = new Map<string, R>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.rows.size;
  }

  get(key: string): R | undefined {
    const row = this.rows.get(key);
    if (row !== undefined) {
      // Refresh its place: Map iteration order is insertion order.
      this.rows.delete(key);
      this.rows.set(key, row);
    }
    return row;
  }

  set(key: string, row: R): void {
    this.rows.delete(key);
    this.rows.set(key, row);
    if (this.rows.size > this.capacity) {
      const oldest = this.rows.keys().next();
      if (!oldest.done) this.rows.delete(oldest.value);
    }
  }
}
