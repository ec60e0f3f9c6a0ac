/**
 * An in-memory Store (control-plane/storage/store.ts) for tests of the REST
 * layer. It keeps every version of every key until compaction, so lists at
 * a past revision, watches from a revision and compaction behave as the
 * contract says. Watch delivery is asynchronous (a later microtask), as
 * with the real backends, so callers cannot rely on synchronous events.
 */
import { ApiError, expired } from '../../control-plane/api/errors.js';
import type {
  ListOptions,
  ListResult,
  Store,
  StoreEntry,
  StoreEvent,
  WatchCallbacks,
  WatchHandle,
} from '../../control-plane/storage/store.js';

interface Version {
  value: string;
  createRevision: number;
  modRevision: number;
  deleted: boolean;
}

interface Watcher {
  prefix: string;
  cb: WatchCallbacks;
  closed: boolean;
  /** Events queued for the next delivery turn. */
  pending: StoreEvent[];
  scheduled: boolean;
}

export class MemoryStore implements Store {
  private revision = 0;
  private compacted = 0;
  private readonly versions = new Map<string, Version[]>();
  private readonly log: StoreEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private closed = false;

  private latest(key: string): Version | undefined {
    const vs = this.versions.get(key);
    const v = vs?.[vs.length - 1];
    return v && !v.deleted ? v : undefined;
  }

  private check(): void {
    if (this.closed) throw new ApiError('SKIFF_UNAVAILABLE', 'store is closed');
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    this.check();
    const v = this.latest(key);
    return v ? { key, value: v.value, createRevision: v.createRevision, modRevision: v.modRevision } : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.check();
    const at = opts.revision && opts.revision > 0 ? opts.revision : this.revision;
    if (at < this.compacted) throw expired(`required revision ${at} has been compacted (compacted: ${this.compacted})`);
    if (at > this.revision) throw new ApiError('SKIFF_TIMEOUT', `revision ${at} is in the future (current: ${this.revision})`);
    const keys = [...this.versions.keys()].filter((k) => k.startsWith(prefix) && (opts.continueAfter === undefined || k > opts.continueAfter)).sort();
    const all: StoreEntry[] = [];
    for (const key of keys) {
      const vs = this.versions.get(key) ?? [];
      let found: Version | undefined;
      for (const v of vs) if (v.modRevision <= at) found = v;
      if (found && !found.deleted) all.push({ key, value: found.value, createRevision: found.createRevision, modRevision: found.modRevision });
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : all.length;
    const entries = all.slice(0, limit);
    return { entries, revision: at, more: all.length > entries.length, remaining: all.length - entries.length };
  }

  async count(prefix: string): Promise<number> {
    this.check();
    let n = 0;
    for (const key of this.versions.keys()) if (key.startsWith(prefix) && this.latest(key)) n++;
    return n;
  }

  private append(key: string, v: Version, ev: StoreEvent): void {
    const vs = this.versions.get(key) ?? [];
    vs.push(v);
    this.versions.set(key, vs);
    this.log.push(ev);
    for (const w of this.watchers) if (key.startsWith(w.prefix)) this.enqueue(w, [ev]);
  }

  async create(key: string, value: string): Promise<StoreEntry> {
    this.check();
    if (this.latest(key)) throw new ApiError('SKIFF_ALREADY_EXISTS', `key ${key} already exists`);
    const rev = ++this.revision;
    this.append(key, { value, createRevision: rev, modRevision: rev, deleted: false }, { type: 'put', key, value, created: true, revision: rev, createRevision: rev });
    return { key, value, createRevision: rev, modRevision: rev };
  }

  async update(key: string, value: string, expectedRevision?: number): Promise<StoreEntry> {
    this.check();
    const cur = this.latest(key);
    if (!cur) throw new ApiError('SKIFF_NOT_FOUND', `key ${key} not found`);
    if (expectedRevision !== undefined && expectedRevision !== cur.modRevision) {
      throw new ApiError('SKIFF_CONFLICT', `key ${key} has revision ${cur.modRevision}, expected ${expectedRevision}`);
    }
    const rev = ++this.revision;
    this.append(
      key,
      { value, createRevision: cur.createRevision, modRevision: rev, deleted: false },
      { type: 'put', key, value, prevValue: cur.value, created: false, revision: rev, createRevision: cur.createRevision },
    );
    return { key, value, createRevision: cur.createRevision, modRevision: rev };
  }

  async delete(key: string, expectedRevision?: number): Promise<StoreEntry> {
    this.check();
    const cur = this.latest(key);
    if (!cur) throw new ApiError('SKIFF_NOT_FOUND', `key ${key} not found`);
    if (expectedRevision !== undefined && expectedRevision !== cur.modRevision) {
      throw new ApiError('SKIFF_CONFLICT', `key ${key} has revision ${cur.modRevision}, expected ${expectedRevision}`);
    }
    const rev = ++this.revision;
    this.append(
      key,
      { value: cur.value, createRevision: cur.createRevision, modRevision: rev, deleted: true },
      { type: 'delete', key, value: cur.value, prevValue: cur.value, created: false, revision: rev, createRevision: cur.createRevision },
    );
    return { key, value: cur.value, createRevision: cur.createRevision, modRevision: rev };
  }

  private enqueue(w: Watcher, evs: StoreEvent[]): void {
    if (w.closed) return;
    w.pending.push(...evs);
    if (w.scheduled) return;
    w.scheduled = true;
    queueMicrotask(() => {
      w.scheduled = false;
      if (w.closed || w.pending.length === 0) return;
      const batch = w.pending;
      w.pending = [];
      w.cb.onEvents(batch);
    });
  }

  watch(prefix: string, fromRevision: number, cb: WatchCallbacks): WatchHandle {
    const w: Watcher = { prefix, cb, closed: false, pending: [], scheduled: false };
    if (fromRevision < this.compacted) {
      const msg = `required revision ${fromRevision} has been compacted (compacted: ${this.compacted})`;
      queueMicrotask(() => {
        if (!w.closed) cb.onError(expired(msg));
      });
      return { close: () => void (w.closed = true) };
    }
    const replay = this.log.filter((e) => e.revision > fromRevision && e.key.startsWith(prefix));
    this.watchers.add(w);
    if (replay.length > 0) this.enqueue(w, replay);
    return {
      close: () => {
        w.closed = true;
        this.watchers.delete(w);
      },
    };
  }

  async currentRevision(): Promise<number> {
    this.check();
    return this.revision;
  }

  async compactedRevision(): Promise<number> {
    return this.compacted;
  }

  async compact(revision: number): Promise<void> {
    this.check();
    if (revision <= this.compacted) return;
    const at = Math.min(revision, this.revision);
    this.compacted = at;
    for (const [key, vs] of this.versions) {
      let keepFrom = 0;
      for (let i = 0; i < vs.length; i++) if ((vs[i] as Version).modRevision <= at) keepFrom = i;
      const kept = vs.slice(keepFrom);
      if (kept.length === 1 && (kept[0] as Version).deleted) this.versions.delete(key);
      else this.versions.set(key, kept);
    }
    while (this.log.length > 0 && (this.log[0] as StoreEvent).revision <= at) this.log.shift();
  }

  /** Number of open watches (tests check that closed watchers release theirs). */
  openWatches(): number {
    return this.watchers.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.watchers) w.closed = true;
    this.watchers.clear();
  }
}
