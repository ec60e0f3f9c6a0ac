/**
 * A bounded map of the latest row of recently used keys, least recently
 * used first out. The SQLite store is the only writer of its file, so it
 * can answer reads of hot keys, and the lookups of its own write path, from
 * memory: a busy server reads every object it updates, and the write path
 * reads the row again to check revisions and keep the previous value for
 * watchers (about 8 % of the server's CPU went to those SQLite lookups).
 *
 * It also knows every key the file holds a row of (given at open, then
 * each key set()), so that the lookup of a key never written, which every
 * create makes, needs no query: a key's string costs far less than a row.
 *
 * Contract: get() answers what set() last stored for the key (a tombstone
 * included), or undefined when the key is not held; the caller then asks
 * SQLite, unless mayExist(key) is false, and may set() the answer. Only
 * committed rows are set(). mayExist() is false only for keys that were
 * never set() nor given at open; keys whose rows compaction removed may
 * still answer true (a superset is safe: SQLite then answers none).
 */
export class LatestRows<R> {
  private readonly rows = new Map<string, R>();
  private readonly keys: Set<string>;

  constructor(
    private readonly capacity: number,
    existingKeys: Iterable<string> = [],
  ) {
    this.keys = new Set(existingKeys);
  }

  /** False when no row of the key was ever committed (see the contract). */
  mayExist(key: string): boolean {
    return this.keys.has(key);
  }

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
    this.keys.add(key);
    this.rows.delete(key);
    this.rows.set(key, row);
    if (this.rows.size > this.capacity) {
      const oldest = this.rows.keys().next();
      if (!oldest.done) this.rows.delete(oldest.value);
    }
  }
}
