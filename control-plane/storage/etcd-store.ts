/**
 * EtcdStore: the Store contract (store.ts) on etcd v3, via the etcd3 client.
 *
 * - Keys are stored as given (`/registry/...`), values as UTF-8 bytes. The
 *   etcd revision is the store revision, so modRevision is etcd's
 *   mod_revision and resourceVersions match what upstream would show.
 * - create / update / delete are single transactions: the compare
 *   (create_revision == 0, or mod_revision == expected and the key exists)
 *   and the write commit atomically; on failure the same transaction reads
 *   the key, so NotFound and Conflict are told apart without a race.
 * - A write resolves after etcd acknowledges it, i.e. after a quorum commit.
 * - Errors go through etcd-errors.ts: compaction → 410, request too large
 *   → 413, anything else → 503.
 * - compactedRevision() is found by bisection over cheap ranges (etcd has
 *   no call that reports it); the store also remembers what it compacted.
 */
import { Etcd3, type IKeyValue, type IRangeRequest, type ITxnResponse, type ICompare } from 'etcd3';
import { unavailable } from '../api/errors.js';
import type { ListOptions, ListResult, Store, StoreEntry, WatchCallbacks, WatchHandle } from './store.js';
import {
  checkValueSize,
  compactFuture,
  keyConflict,
  keyExists,
  keyNotFound,
  prefixEnd,
  tooOldRevision,
} from './store-errors.js';
import { fromEtcdError, isCompactedError, isFutureRevisionError } from './etcd-errors.js';
import { EtcdWatch } from './etcd-watch.js';
import { startAutoCompaction, type AutoCompactor } from './auto-compactor.js';

export interface EtcdStoreOptions {
  /** `host:port` (or URL) of each member. */
  hosts: string[];
  /** Deadline for each unary call, ms (default 10 s). */
  callTimeoutMs?: number;
  /** Compact automatically every this many ms; absent: never (etcd may compact on its own). */
  compactionIntervalMs?: number;
}

const AFTER = '\u0000';
/** A key nothing is stored under, for revision probes. */
const PROBE_KEY = Buffer.from('\u0000skiff-revision-probe');

export class EtcdStore implements Store {
  private readonly client: Etcd3;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly watches = new Set<EtcdWatch>();
  private readonly compactor: AutoCompactor | undefined;
  private knownCompacted = 0;
  private closing: Promise<void> | undefined;

  constructor(opts: EtcdStoreOptions) {
    const timeout = opts.callTimeoutMs ?? 10_000;
    this.client = new Etcd3({
      hosts: opts.hosts.map((h) => (h.includes('://') ? h : `http://${h}`)),
      // Big lists must not fail on gRPC's default 4 MiB receive limit.
      grpcOptions: { 'grpc.max_receive_message_length': -1 },
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
    });
    this.compactor =
      opts.compactionIntervalMs === undefined
        ? undefined
        : startAutoCompaction(this, { intervalMs: opts.compactionIntervalMs });
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    this.assertOpen();
    const res = await this.call(() => this.client.kv.range({ key: Buffer.from(key) }));
    const kv = res.kvs[0];
    return kv ? toEntry(kv) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.assertOpen();
    const revision = opts.revision ? opts.revision : 0;
    if (revision > 0 && revision < this.knownCompacted) throw tooOldRevision(revision, this.knownCompacted);
    const after = opts.continueAfter;
    const start = after !== undefined && after + AFTER > prefix ? after + AFTER : prefix;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const req: IRangeRequest = {
      key: Buffer.from(start),
      range_end: Buffer.from(prefixEnd(prefix)),
      revision,
      limit,
    };
    let res;
    try {
      res = await this.client.kv.range(req);
    } catch (e) {
      throw await this.readError(e, revision);
    }
    const entries = res.kvs.map(toEntry);
    const result: ListResult = { entries, revision: Number(res.header.revision), more: res.more };
    if (revision > 0) result.revision = revision;
    if (res.more) result.remaining = Number(res.count) - entries.length;
    return result;
  }

  async count(prefix: string): Promise<number> {
    this.assertOpen();
    const res = await this.call(() =>
      this.client.kv.range({ key: Buffer.from(prefix), range_end: Buffer.from(prefixEnd(prefix)), count_only: true }),
    );
    return Number(res.count);
  }

  create(key: string, value: string): Promise<StoreEntry> {
    return this.write(async () => {
      checkValueSize(value);
      const k = Buffer.from(key);
      const res = await this.client.kv.txn({
        compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: k, value: Buffer.from(value) } }],
        failure: [],
      });
      if (!res.succeeded) throw keyExists(key);
      const rev = Number(res.header.revision);
      return { key, value, createRevision: rev, modRevision: rev };
    });
  }

  update(key: string, value: string, expectedRevision?: number): Promise<StoreEntry> {
    return this.write(async () => {
      checkValueSize(value);
      const k = Buffer.from(key);
      const res = await this.client.kv.txn({
        compare: existsAt(k, expectedRevision),
        success: [{ request_put: { key: k, value: Buffer.from(value), prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      });
      if (!res.succeeded) throw writeFailure(key, res, expectedRevision);
      const prev = res.responses[0]?.response_put.prev_kv;
      const rev = Number(res.header.revision);
      return { key, value, createRevision: prev ? Number(prev.create_revision) : rev, modRevision: rev };
    });
  }

  delete(key: string, expectedRevision?: number): Promise<StoreEntry> {
    return this.write(async () => {
      const k = Buffer.from(key);
      const res = await this.client.kv.txn({
        compare: existsAt(k, expectedRevision),
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      });
      if (!res.succeeded) throw writeFailure(key, res, expectedRevision);
      const prev = res.responses[0]?.response_delete_range.prev_kvs[0];
      const rev = Number(res.header.revision);
      return {
        key,
        value: prev ? prev.value.toString('utf8') : '',
        createRevision: prev ? Number(prev.create_revision) : 0,
        modRevision: rev,
      };
    });
  }

  watch(prefix: string, fromRevision: number, cb: WatchCallbacks): WatchHandle {
    const w = new EtcdWatch(this.client, prefix, fromRevision, cb, (x) => this.watches.delete(x));
    this.watches.add(w);
    if (this.closing) w.fail(unavailable('storage is closed'));
    else if (fromRevision < this.knownCompacted) w.fail(tooOldRevision(fromRevision, this.knownCompacted));
    return w;
  }

  async currentRevision(): Promise<number> {
    this.assertOpen();
    const res = await this.call(() => this.client.kv.range({ key: PROBE_KEY, count_only: true }));
    return Number(res.header.revision);
  }

  async compactedRevision(): Promise<number> {
    this.assertOpen();
    const current = await this.currentRevision();
    // Smallest revision that still reads: bisect on "range at r succeeds".
    let lo = Math.max(this.knownCompacted, 1);
    let hi = current;
    if (lo >= hi || (await this.readable(lo))) return this.knownCompacted;
    while (lo + 1 < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (await this.readable(mid)) hi = mid;
      else lo = mid;
    }
    this.knownCompacted = Math.max(this.knownCompacted, hi);
    return this.knownCompacted;
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    try {
      await this.client.kv.compact({ revision, physical: true });
    } catch (e) {
      if (isCompactedError(e)) return; // already compacted at or past it
      if (isFutureRevisionError(e)) throw compactFuture(revision, await this.currentRevision());
      throw fromEtcdError(e);
    }
    this.knownCompacted = Math.max(this.knownCompacted, revision);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.compactor?.stop();
      await Promise.allSettled([...this.inflight]);
      for (const w of [...this.watches]) w.fail(unavailable('storage is shutting down'));
      this.client.close();
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw unavailable('storage is closed');
  }

  private async readable(revision: number): Promise<boolean> {
    try {
      await this.client.kv.range({ key: PROBE_KEY, revision, count_only: true });
      return true;
    } catch (e) {
      if (isCompactedError(e)) return false;
      throw fromEtcdError(e);
    }
  }

  /** The error for a failed read at `revision`, with upstream's numbers filled in. */
  private async readError(e: unknown, revision: number): Promise<Error> {
    if (isCompactedError(e)) {
      const compacted = await this.compactedRevision().catch(() => this.knownCompacted);
      return tooOldRevision(revision, compacted);
    }
    if (isFutureRevisionError(e)) {
      const current = await this.currentRevision().catch(() => 0);
      return fromEtcdError(e, { revision, current });
    }
    return fromEtcdError(e);
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw fromEtcdError(e);
    }
  }

  /** Runs a write, tracked so close() can wait for it. */
  private write(fn: () => Promise<StoreEntry>): Promise<StoreEntry> {
    if (this.closing) return Promise.reject(unavailable('storage is closed'));
    const p = this.call(fn);
    this.inflight.add(p);
    const untrack = (): void => void this.inflight.delete(p);
    p.then(untrack, untrack);
    return p;
  }
}

/** Compare clauses: the key exists and, if given, its mod_revision is `expected`. */
function existsAt(key: Buffer, expected: number | undefined): ICompare[] {
  const exists: ICompare = { key, target: 'Create', result: 'Greater', create_revision: 0 };
  if (expected === undefined) return [exists];
  return [exists, { key, target: 'Mod', result: 'Equal', mod_revision: expected }];
}

/** Why a guarded write's compare failed, from the range in its failure branch. */
function writeFailure(key: string, res: ITxnResponse, expected: number | undefined): Error {
  const kv = res.responses[0]?.response_range.kvs[0];
  if (!kv) return keyNotFound(key);
  return keyConflict(key, expected ?? 0, Number(kv.mod_revision));
}

function toEntry(kv: IKeyValue): StoreEntry {
  return {
    key: kv.key.toString('utf8'),
    value: kv.value.toString('utf8'),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
  };
}
