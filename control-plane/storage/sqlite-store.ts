/**
 * SqliteStore: the Store contract (store.ts) on one SQLite file.
 *
 * - Layout and durability: see sqlite-schema.ts (revision log, WAL,
 *   synchronous=FULL). The revision of a write is its row id.
 * - Group commit: writes are queued and, on the next turn of the event loop,
 *   all queued writes are checked on this thread (AlreadyExists / NotFound /
 *   Conflict, each on its own, so one failure does not fail its neighbours)
 *   and given their revisions; their rows then go to the writer thread
 *   (sqlite-writer.ts) as ONE transaction (one fsync), off the main thread.
 *   One batch is in flight at a time; writes queued meanwhile form the next.
 *   A failed commit rejects the whole batch with Unavailable. Every promise
 *   settles only after the commit.
 * - Reads use this thread's own connection and see only what is committed
 *   and published: `rev` advances when the writer confirms a batch, and
 *   lists and history stop at it.
 * - Watch: reading history (up to `rev`) and registering a watcher happen in
 *   one synchronous step; confirmed batches publish their events to the
 *   WatchHub in order. That gives ordered delivery without gaps or
 *   duplicates.
 * - Hot keys: the latest committed row of recently used keys is held in
 *   memory (latest-rows.ts), so reads and the write path's own lookups skip
 *   SQLite; this process is the file's only writer. Rows of the batch in
 *   flight are held apart until confirmed, and dropped if it fails.
 * - Compaction deletes superseded rows at or below the revision in small
 *   transactions; the compacted revision is recorded first and persisted.
 *   Lists below it and watches from below it fail with 410 Expired.
 */
import type Database from 'better-sqlite3';
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
import type { RowTuple } from './sqlite-writer.js';
import { SqliteWriterClient } from './sqlite-writer-client.js';
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
  /** Keys whose latest row is held in memory (default 50,000). */
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

  /** Committed and published: reads and lists stop here. */
  private rev: number;
  /** The last revision handed out (ahead of rev while a batch is in flight). */
  private assigned: number;
  private compacted: number;
  private queue: PendingWrite[] = [];
  /** Rows of the batch in flight, by key: the write checks of later batches see them. */
  private readonly pending = new Map<string, Row>();
  private inFlight: Promise<void> | undefined;
  private readonly writer: SqliteWriterClient;
  private flushHandle: NodeJS.Immediate | undefined;
  private compaction: Promise<void> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly counters: SqliteStoreStats = { commits: 0, writes: 0 };
  private readonly latestRows: LatestRows<Row>;

  private readonly stmt: {
    latest: Database.Statement<[string, number], Row>;
    listAt: Database.Statement<{ start: string; end: string; rev: number; limit: number }, Row>;
    countAt: Database.Statement<{ start: string; end: string; rev: number }, { n: number }>;
    history: Database.Statement<{ from: number; to: number; start: string; end: string }, HistoryRow>;
    getMeta: Database.Statement<[string], { value: number }>;
    sequence: Database.Statement<[], { seq: number }>;
  };

  /** Opens or creates the store file at `path` (refuses files from a newer schema). */
  constructor(path: string, opts: SqliteStoreOptions = {}) {
    this.db = openDatabase(path);
    this.chunk = opts.compactionChunk ?? 2000;
    const db = this.db;
    const keys = db.prepare<[], { key: string }>('SELECT DISTINCT key FROM kv').all().map((r) => r.key);
    this.latestRows = new LatestRows<Row>(opts.latestRowsCached ?? 50_000, keys);
    this.stmt = {
      // The latest row of a key as of a revision (the published one: the writer may be ahead).
      latest: db.prepare('SELECT id, key, value, create_revision, prev_revision, deleted FROM kv WHERE key = ? AND id <= ? ORDER BY id DESC LIMIT 1'),
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
      // Up to the published revision: rows the writer committed but this
      // thread has not yet published arrive through the hub instead.
      history: db.prepare(`
        SELECT k.id, k.key, k.value, k.create_revision, k.prev_revision, k.deleted, p.value AS prev_value
        FROM kv AS k LEFT JOIN kv AS p ON p.id = k.prev_revision
        WHERE k.id > @from AND k.id <= @to AND k.key >= @start AND k.key < @end
        ORDER BY k.id`),
      getMeta: db.prepare('SELECT value FROM meta WHERE name = ?'),
      sequence: db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'kv'"),
    };
    this.rev = this.stmt.sequence.get()?.seq ?? 0;
    this.assigned = this.rev;
    this.compacted = this.stmt.getMeta.get('compact_revision')?.value ?? 0;
    this.writer = new SqliteWriterClient(path);
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
    const rows = fromRevision < this.rev ? this.stmt.history.all({ from: fromRevision, to: this.rev, start: prefix, end: prefixEnd(prefix) }) : [];
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
    // Everything accepted before close() is committed (or fails) first.
    while (this.inFlight || this.queue.length > 0) {
      if (!this.inFlight) this.flush();
      await this.inFlight;
    }
    this.closed = true;
    await this.compaction;
    this.hub.failAll(unavailable('storage is shutting down'));
    await this.writer.close();
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
      this.scheduleFlush();
    });
  }

  /** Everything queued before the next turn of the loop shares one commit; none starts while one is in flight. */
  private scheduleFlush(): void {
    if (this.inFlight || this.flushHandle) return;
    this.flushHandle = setImmediate(() => {
      this.flushHandle = undefined;
      this.flush();
    });
  }

  private flush(): void {
    const batch = this.queue;
    if (batch.length === 0 || this.inFlight) return;
    this.queue = [];
    let outcomes: Outcome[];
    const rows: Row[] = [];
    try {
      outcomes = batch.map((w) => this.applyOne(w.op, rows));
    } catch (e) {
      this.abandon(rows);
      const err = unavailable(`storage commit failed: ${errorMessage(e)}`, { cause: e });
      for (const w of batch) w.reject(err);
      return;
    }
    if (rows.length === 0) {
      this.settle(batch, outcomes);
      return;
    }
    const tuples = rows.map((r): RowTuple => [r.id, r.key, r.value, r.create_revision, r.prev_revision, r.deleted]);
    this.inFlight = this.writer.run({ kind: 'batch', rows: tuples }).then(
      () => {
        for (const r of rows) {
          this.latestRows.set(r.key, r);
          if (this.pending.get(r.key) === r) this.pending.delete(r.key);
        }
        this.rev = this.assigned;
        this.counters.commits++;
        this.settle(batch, outcomes);
      },
    ).catch((e: unknown) => {
      this.abandon(rows);
      const err = unavailable(`storage commit failed: ${errorMessage(e)}`, { cause: e });
      for (const w of batch) w.reject(err);
    }).finally(() => {
      this.inFlight = undefined;
      if (this.queue.length > 0 && !this.closing) this.scheduleFlush();
    });
  }

  /** Forgets the rows of a batch that will not be committed, and their revisions (latestRows holds only committed rows). */
  private abandon(rows: Row[]): void {
    for (const r of rows) if (this.pending.get(r.key) === r) this.pending.delete(r.key);
    this.assigned = this.rev;
  }

  /** Publishes a committed batch's events, then settles each write's promise. */
  private settle(batch: PendingWrite[], outcomes: Outcome[]): void {
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

  /** Checks one write and gives it its row (into `rows`); check failures become outcomes, I/O errors abort the batch. */
  private applyOne(op: WriteOp, rows: Row[]): Outcome {
    const cur = this.rowForWrite(op.key);
    const live = cur && !cur.deleted ? cur : undefined;
    try {
      if (op.kind === 'create') {
        if (live) throw keyExists(op.key);
        const rev = this.nextRevision();
        this.insertRow(rows, { id: rev, key: op.key, value: op.value, create_revision: rev, prev_revision: 0, deleted: 0 });
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
        this.insertRow(rows, { id: rev, key: op.key, value: op.value, create_revision: createRevision, prev_revision: live.id, deleted: 0 });
        return {
          ok: true,
          entry: { key: op.key, value: op.value, createRevision, modRevision: rev },
          event: { type: 'put', key: op.key, value: op.value, prevValue: live.value, created: false, revision: rev, createRevision },
        };
      }
      this.insertRow(rows, { id: rev, key: op.key, value: live.value, create_revision: createRevision, prev_revision: live.id, deleted: 1 });
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

  /** The latest committed row of a key, tombstones included: from memory if held, else from SQLite (then held). */
  private latestRow(key: string): Row | undefined {
    let row = this.latestRows.get(key);
    if (row === undefined) {
      if (!this.latestRows.mayExist(key)) return undefined;
      // Rows the writer committed but this thread has not yet published are not read yet.
      row = this.stmt.latest.get(key, this.rev);
      if (row) this.latestRows.set(key, row);
    }
    return row;
  }

  /** What a write is checked against: the batch in flight's row of the key, else the committed one. */
  private rowForWrite(key: string): Row | undefined {
    return this.pending.get(key) ?? this.latestRow(key);
  }

  private insertRow(rows: Row[], row: Row): void {
    rows.push(row);
    this.pending.set(row.key, row);
  }

  private nextRevision(): number {
    this.assigned += 1;
    return this.assigned;
  }

  private async compactNow(revision: number): Promise<void> {
    this.assertOpen();
    if (revision > this.rev) throw compactFuture(revision, this.rev);
    if (revision <= this.compacted) return;
    // Recorded (durably) before any row goes, so readers never see a half-compacted past.
    await this.writer.run({ kind: 'setMeta', name: 'compact_revision', value: revision }).catch(compactionFailed);
    this.compacted = Math.max(this.compacted, revision);
    for (let lo = 0; lo < revision; lo += this.chunk) {
      if (this.closed) return;
      const hi = Math.min(lo + this.chunk, revision);
      // Chunks run on the writer between batches, never blocking this thread.
      await this.writer.run({ kind: 'compactChunk', lo, hi, rev: revision }).catch(compactionFailed);
    }
  }
}

function compactionFailed(e: unknown): never {
  throw unavailable(`storage compaction failed: ${errorMessage(e)}`, { cause: e });
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
