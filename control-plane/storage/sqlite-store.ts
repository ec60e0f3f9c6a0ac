/**
 * SqliteStore: the Store contract (store.ts) on one SQLite file.
 *
 * - Layout and durability: see sqlite-schema.ts (revision log, WAL,
 *   synchronous=FULL). The revision of a write is its row id.
 * - Group commit: writes are queued and, on the next turn of the event loop,
 *   all queued writes run inside ONE transaction (one fsync). Each write is
 *   checked on its own (AlreadyExists / NotFound / Conflict), so one failure
 *   does not fail its neighbours; a failed commit rejects the whole batch
 *   with Unavailable. Every promise settles only after the commit.
 * - Watch: better-sqlite3 is synchronous, so reading history and registering
 *   a watcher happen in one step that no commit can interleave with; commits
 *   publish their events to the WatchHub right after they are durable. That
 *   gives ordered delivery without gaps or duplicates.
 * - Hot keys: the latest row of recently used keys is held in memory
 *   (latest-rows.ts), so reads and the write path's own lookups skip
 *   SQLite; this process is the file's only writer. A failed commit clears it.
 * - Compaction deletes superseded rows at or below the revision in small
 *   transactions; the compacted revision is recorded first and persisted.
 *   Lists below it and watches from below it fail with 410 Expired.
 */
import Database from 'better-sqlite3';
import { errorMessage, isApiError, unavailable } from '../api/errors.js';
import type {
  ListOptions,
  ListResult,
  Store,
  StoreEntry,
  StoreEvent,
  WatchCallbacks,
  WatchHandle,
} from './store.js';
import { openDatabase } from './sqlite-schema.js';
import {
  checkValueSize,
  compactFuture,
  futureRevision,
  keyConflict,
  keyExists,
  keyNotFound,
  prefixEnd,
  tooOldRevision,
} from './store-errors.js';
import { WatchHub } from './watch-hub.js';
import { startAutoCompaction, type AutoCompactor } from './auto-compactor.js';
import { LatestRows } from './latest-rows.js';

interface Row {
  id: number;
  key: string;
  value: string;
  create_revision: number;
  prev_revision: number;
  deleted: number;
}

interface HistoryRow extends Row {
  prev_value: string | null;
}

type WriteOp =
  | { kind: 'create'; key: string; value: string }
  | { kind: 'update'; key: string; value: string; expected: number | undefined }
  | { kind: 'delete'; key: string; expected: number | undefined };

interface PendingWrite {
  op: WriteOp;
  resolve(entry: StoreEntry): void;
  reject(err: unknown): void;
}

type Outcome = { ok: true; entry: StoreEntry; event: StoreEvent } | { ok: false; err: unknown };

export interface SqliteStoreOptions {
  /** Compact automatically every this many ms (upstream: 5 minutes); absent: never. */
  compactionIntervalMs?: number;
  /** Rows removed per compaction transaction, so compaction never blocks the loop for long. */
  compactionChunk?: number;
  /** Keys whose latest row is held in memory (default 20,000). */
  latestRowsCached?: number;
}

export interface SqliteStoreStats {
  /** Transactions committed for writes (group commit makes this < writes). */
  commits: number;
  /** Writes applied (successful creates, updates and deletes). */
  writes: number;
}

/** No-limit value for SQLite's LIMIT clause. */
const NO_LIMIT = -1;
/** Appended to a key to get the smallest key strictly greater than it. */
const AFTER = '\u0000';

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly hub = new WatchHub();
  private readonly chunk: number;
  private readonly compactor: AutoCompactor | undefined;

  private rev: number;
  private compacted: number;
  private queue: PendingWrite[] = [];
  private flushHandle: NodeJS.Immediate | undefined;
  private compaction: Promise<void> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly counters: SqliteStoreStats = { commits: 0, writes: 0 };
  private readonly latestRows: LatestRows<Row>;

  private readonly stmt: {
    latest: Database.Statement<[string], Row>;
    insert: Database.Statement<[number, string, string, number, number, number]>;
    listAt: Database.Statement<{ start: string; end: string; rev: number; limit: number }, Row>;
    countAt: Database.Statement<{ start: string; end: string; rev: number }, { n: number }>;
    history: Database.Statement<{ from: number; start: string; end: string }, HistoryRow>;
    compactChunk: Database.Statement<{ lo: number; hi: number; rev: number }>;
    getMeta: Database.Statement<[string], { value: number }>;
    setMeta: Database.Statement<[number, string]>;
    sequence: Database.Statement<[], { seq: number }>;
  };
  private readonly applyBatch: (batch: PendingWrite[]) => Outcome[];

  /** Opens or creates the store file at `path` (refuses files from a newer schema). */
  constructor(path: string, opts: SqliteStoreOptions = {}) {
    this.db = openDatabase(path);
    this.chunk = opts.compactionChunk ?? 2000;
    this.latestRows = new LatestRows<Row>(opts.latestRowsCached ?? 20_000);
    const db = this.db;
    this.stmt = {
      latest: db.prepare('SELECT id, key, value, create_revision, prev_revision, deleted FROM kv WHERE key = ? ORDER BY id DESC LIMIT 1'),
      insert: db.prepare('INSERT INTO kv (id, key, value, create_revision, prev_revision, deleted) VALUES (?, ?, ?, ?, ?, ?)'),
      // The latest row of every key in [start, end) as of rev, minus tombstones.
      listAt: db.prepare(`
        SELECT kv.id, kv.key, kv.value, kv.create_revision, kv.prev_revision, kv.deleted
        FROM (SELECT MAX(id) AS mid FROM kv WHERE key >= @start AND key < @end AND id <= @rev GROUP BY key) AS m
        JOIN kv ON kv.id = m.mid
        WHERE kv.deleted = 0
        ORDER BY kv.key
        LIMIT @limit`),
      countAt: db.prepare(`
        SELECT COUNT(*) AS n
        FROM (SELECT MAX(id) AS mid FROM kv WHERE key >= @start AND key < @end AND id <= @rev GROUP BY key) AS m
        JOIN kv ON kv.id = m.mid
        WHERE kv.deleted = 0`),
      history: db.prepare(`
        SELECT k.id, k.key, k.value, k.create_revision, k.prev_revision, k.deleted, p.value AS prev_value
        FROM kv AS k LEFT JOIN kv AS p ON p.id = k.prev_revision
        WHERE k.id > @from AND k.key >= @start AND k.key < @end
        ORDER BY k.id`),
      // A row at or below rev is garbage if a newer row of its key is also at
      // or below rev, or if it is a tombstone (the key is simply absent).
      compactChunk: db.prepare(`
        DELETE FROM kv WHERE id > @lo AND id <= @hi AND (deleted = 1 OR EXISTS (
          SELECT 1 FROM kv AS n WHERE n.key = kv.key AND n.id > kv.id AND n.id <= @rev))`),
      getMeta: db.prepare('SELECT value FROM meta WHERE name = ?'),
      setMeta: db.prepare('UPDATE meta SET value = ? WHERE name = ?'),
      sequence: db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'kv'"),
    };
    this.rev = this.stmt.sequence.get()?.seq ?? 0;
    this.compacted = this.stmt.getMeta.get('compact_revision')?.value ?? 0;
    this.applyBatch = db.transaction((batch: PendingWrite[]) => batch.map((w) => this.applyOne(w.op)));
    this.compactor =
      opts.compactionIntervalMs === undefined
        ? undefined
        : startAutoCompaction(this, { intervalMs: opts.compactionIntervalMs });
  }

  /** Commit counters, for tests and metrics. */
  get stats(): SqliteStoreStats {
    return { ...this.counters };
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    this.assertOpen();
    const row = this.latestRow(key);
    return row && !row.deleted ? toEntry(row) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.assertOpen();
    const rev = opts.revision ? opts.revision : this.rev;
    this.checkReadable(rev);
    const end = prefixEnd(prefix);
    const after = opts.continueAfter;
    const start = after !== undefined && after + AFTER > prefix ? after + AFTER : prefix;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const rows = this.stmt.listAt.all({ start, end, rev, limit: limit ? limit + 1 : NO_LIMIT });
    const more = limit > 0 && rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const result: ListResult = { entries: page.map(toEntry), revision: rev, more };
    const last = page[page.length - 1];
    if (more && last) result.remaining = this.stmt.countAt.get({ start: last.key + AFTER, end, rev })?.n ?? 0;
    return result;
  }

  async count(prefix: string): Promise<number> {
    this.assertOpen();
    return this.stmt.countAt.get({ start: prefix, end: prefixEnd(prefix), rev: this.rev })?.n ?? 0;
  }

  create(key: string, value: string): Promise<StoreEntry> {
    return this.enqueue({ kind: 'create', key, value });
  }

  update(key: string, value: string, expectedRevision?: number): Promise<StoreEntry> {
    return this.enqueue({ kind: 'update', key, value, expected: expectedRevision });
  }

  delete(key: string, expectedRevision?: number): Promise<StoreEntry> {
    return this.enqueue({ kind: 'delete', key, expected: expectedRevision });
  }

  watch(prefix: string, fromRevision: number, cb: WatchCallbacks): WatchHandle {
    if (this.closed) return this.hub.failed(cb, unavailable('storage is closed'));
    if (fromRevision < this.compacted) return this.hub.failed(cb, tooOldRevision(fromRevision, this.compacted));
    // History read and registration happen in one synchronous step: no commit can land between them.
    const rows = fromRevision < this.rev ? this.stmt.history.all({ from: fromRevision, start: prefix, end: prefixEnd(prefix) }) : [];
    return this.hub.add(prefix, cb, rows.map(toEvent));
  }

  async currentRevision(): Promise<number> {
    return this.rev;
  }

  async compactedRevision(): Promise<number> {
    return this.compacted;
  }

  compact(revision: number): Promise<void> {
    const run = this.compaction.then(() => this.compactNow(revision));
    // Later compactions queue behind this one whether or not it failed.
    this.compaction = run.catch(() => undefined);
    return run;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await this.compactor?.stop();
    if (this.flushHandle) {
      clearImmediate(this.flushHandle);
      this.flushHandle = undefined;
    }
    this.flush();
    this.closed = true;
    await this.compaction;
    this.hub.failAll(unavailable('storage is shutting down'));
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw unavailable('storage is closed');
  }

  private checkReadable(rev: number): void {
    if (rev < this.compacted) throw tooOldRevision(rev, this.compacted);
    if (rev > this.rev) throw futureRevision(rev, this.rev);
  }

  private enqueue(op: WriteOp): Promise<StoreEntry> {
    if (this.closing) return Promise.reject(unavailable('storage is closed'));
    if (op.kind !== 'delete') {
      try {
        checkValueSize(op.value);
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return new Promise<StoreEntry>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      // Everything queued before the next turn of the loop shares one commit.
      this.flushHandle ??= setImmediate(() => {
        this.flushHandle = undefined;
        this.flush();
      });
    });
  }

  private flush(): void {
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    const before = this.rev;
    let outcomes: Outcome[];
    try {
      outcomes = this.applyBatch(batch);
    } catch (e) {
      this.rev = before;
      // Rows of the rolled-back writes were remembered as they were applied.
      this.latestRows.clear();
      const err = unavailable(`storage commit failed: ${errorMessage(e)}`, { cause: e });
      for (const w of batch) w.reject(err);
      return;
    }
    this.counters.commits++;
    const events: StoreEvent[] = [];
    for (const o of outcomes) if (o.ok) events.push(o.event);
    this.counters.writes += events.length;
    this.hub.publish(events);
    outcomes.forEach((o, i) => {
      const w = batch[i];
      if (!w) return;
      if (o.ok) w.resolve(o.entry);
      else w.reject(o.err);
    });
  }

  /** Applies one write inside the batch transaction; check failures become outcomes, I/O errors abort the batch. */
  private applyOne(op: WriteOp): Outcome {
    const cur = this.latestRow(op.key);
    const live = cur && !cur.deleted ? cur : undefined;
    try {
      if (op.kind === 'create') {
        if (live) throw keyExists(op.key);
        const rev = this.nextRevision();
        this.insertRow({ id: rev, key: op.key, value: op.value, create_revision: rev, prev_revision: 0, deleted: 0 });
        return {
          ok: true,
          entry: { key: op.key, value: op.value, createRevision: rev, modRevision: rev },
          event: { type: 'put', key: op.key, value: op.value, created: true, revision: rev, createRevision: rev },
        };
      }
      if (!live) throw keyNotFound(op.key);
      if (op.expected !== undefined && op.expected !== live.id) throw keyConflict(op.key, op.expected, live.id);
      const rev = this.nextRevision();
      const createRevision = live.create_revision;
      if (op.kind === 'update') {
        this.insertRow({ id: rev, key: op.key, value: op.value, create_revision: createRevision, prev_revision: live.id, deleted: 0 });
        return {
          ok: true,
          entry: { key: op.key, value: op.value, createRevision, modRevision: rev },
          event: { type: 'put', key: op.key, value: op.value, prevValue: live.value, created: false, revision: rev, createRevision },
        };
      }
      this.insertRow({ id: rev, key: op.key, value: live.value, create_revision: createRevision, prev_revision: live.id, deleted: 1 });
      return {
        ok: true,
        entry: { key: op.key, value: live.value, createRevision, modRevision: rev },
        event: { type: 'delete', key: op.key, value: live.value, prevValue: live.value, created: false, revision: rev, createRevision },
      };
    } catch (e) {
      if (isApiError(e)) return { ok: false, err: e };
      throw e;
    }
  }

  /** The latest row of a key, tombstones included: from memory if held, else from SQLite (then held). */
  private latestRow(key: string): Row | undefined {
    let row = this.latestRows.get(key);
    if (row === undefined) {
      row = this.stmt.latest.get(key);
      if (row) this.latestRows.set(key, row);
    }
    return row;
  }

  private insertRow(row: Row): void {
    this.stmt.insert.run(row.id, row.key, row.value, row.create_revision, row.prev_revision, row.deleted);
    this.latestRows.set(row.key, row);
  }

  private nextRevision(): number {
    this.rev += 1;
    return this.rev;
  }

  private async compactNow(revision: number): Promise<void> {
    this.assertOpen();
    if (revision > this.rev) throw compactFuture(revision, this.rev);
    if (revision <= this.compacted) return;
    // Recorded (durably) before any row goes, so readers never see a half-compacted past.
    this.stmt.setMeta.run(revision, 'compact_revision');
    this.compacted = revision;
    for (let lo = 0; lo < revision; lo += this.chunk) {
      if (this.closed) return;
      const hi = Math.min(lo + this.chunk, revision);
      this.stmt.compactChunk.run({ lo, hi, rev: revision });
      // Let queued writes and reads run between chunks.
      await new Promise<void>((r) => setImmediate(r));
    }
  }
}

function toEntry(row: Row): StoreEntry {
  return { key: row.key, value: row.value, createRevision: row.create_revision, modRevision: row.id };
}

function toEvent(row: HistoryRow): StoreEvent {
  const ev: StoreEvent = {
    type: row.deleted ? 'delete' : 'put',
    key: row.key,
    value: row.value,
    created: !row.deleted && row.prev_revision === 0,
    revision: row.id,
    createRevision: row.create_revision,
  };
  if (row.prev_value !== null) ev.prevValue = row.prev_value;
  return ev;
}
