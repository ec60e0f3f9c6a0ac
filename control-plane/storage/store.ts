/**
 * Store: the revisioned key-value contract the apiserver persists through.
 *
 * Contract (every implementation passes test/conformance/store-suite.ts):
 * - Keys are strings such as `/registry/pods/default/web-0`; values are
 *   opaque strings (the apiserver stores compact JSON).
 * - Every successful write (create, update, delete) takes the next value of
 *   one global, monotonic revision. That revision is the Kubernetes
 *   resourceVersion: `modRevision` of an entry is its object's
 *   resourceVersion.
 * - create fails with AlreadyExists if the key exists.
 * - update and delete fail with NotFound if the key is missing, and with
 *   Conflict when `expectedRevision` is given and differs from the key's
 *   modRevision.
 * - A write resolves only after it is durable (fsync'd commit, or a quorum
 *   write in etcd).
 * - list returns keys under a prefix in key order, as of one revision:
 *   the current one, or `revision` if given (Expired if compacted away).
 *   `limit` bounds the page; `continueAfter` resumes after a key.
 * - watch delivers every change under a prefix with revision >
 *   `fromRevision`, in revision order, with no gaps, each with the previous
 *   value where one existed. If `fromRevision` has been compacted the
 *   watch fails with Expired (410).
 * - compact(rev) discards history at or below rev; lists and watches at
 *   compacted revisions then fail with Expired.
 * - Errors are catalogue ApiErrors (control-plane/api/errors.ts) with
 *   key-level messages: SKIFF_NOT_FOUND, SKIFF_ALREADY_EXISTS,
 *   SKIFF_CONFLICT, SKIFF_EXPIRED, SKIFF_TOO_LARGE (a value over the
 *   backend's size limit), SKIFF_UNAVAILABLE (backend unreachable). The
 *   REST layer rewrites the first three with the resource and name.
 */

export interface StoreEntry {
  key: string;
  value: string;
  /** Revision at which the key was (last) created. */
  createRevision: number;
  /** Revision of the last write to the key: the resourceVersion. */
  modRevision: number;
}

export interface ListOptions {
  /** Read as of this revision (0 or absent: current). */
  revision?: number;
  /** Maximum number of entries to return (0 or absent: all). */
  limit?: number;
  /** Return only keys strictly greater than this one (pagination). */
  continueAfter?: string;
}

export interface ListResult {
  entries: StoreEntry[];
  /** The revision the list was read at. */
  revision: number;
  /** True when more keys match beyond the returned page. */
  more: boolean;
  /** Number of keys after this page, when the backend can count them cheaply. */
  remaining?: number;
}

export type StoreEventType = 'put' | 'delete';

export interface StoreEvent {
  type: StoreEventType;
  key: string;
  /** The new value for put; the value before deletion for delete. */
  value: string;
  /** Value before this event, if the key existed. */
  prevValue?: string;
  /** True when a put created the key (there was no previous value). */
  created: boolean;
  /** The revision of this change. */
  revision: number;
  createRevision: number;
}

export interface WatchHandle {
  /** Stops delivery; no callback is invoked after it resolves. */
  close(): void;
}

export interface WatchCallbacks {
  /** Called with events in revision order; batches share a revision order too. */
  onEvents(events: StoreEvent[]): void;
  /** Called once if the watch can no longer continue (e.g. Expired); no events follow. */
  onError(err: Error): void;
}

export interface Store {
  get(key: string): Promise<StoreEntry | undefined>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Number of keys under a prefix (for metrics and remainingItemCount). */
  count(prefix: string): Promise<number>;
  create(key: string, value: string): Promise<StoreEntry>;
  update(key: string, value: string, expectedRevision?: number): Promise<StoreEntry>;
  /** Deletes the key and returns the entry as it was, with modRevision set to the delete's revision. */
  delete(key: string, expectedRevision?: number): Promise<StoreEntry>;
  watch(prefix: string, fromRevision: number, cb: WatchCallbacks): WatchHandle;
  currentRevision(): Promise<number>;
  /** The oldest revision a watch or list may still start from. */
  compactedRevision(): Promise<number>;
  compact(revision: number): Promise<void>;
  /** Finishes in-flight writes, then releases resources. */
  close(): Promise<void>;
}
