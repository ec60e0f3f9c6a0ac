/** What every REST handler gets: the server's deps, the watch caches and per-request facts. */
import type { ApiServerDeps, UserInfo } from '../context.js';
import type { WatchCaches } from '../watch/watch-caches.js';
import type { WatchStreamOptions } from '../watch/watch-options.js';
import type { Query } from './query.js';
import type { RequestTarget } from './request-target.js';

export interface RestOptions {
  /** History size of each watch cache (default 10,000 events). */
  watchHistoryEvents?: number;
  /** History age of each watch cache (default 5 minutes). */
  watchHistoryMs?: number;
  watch?: Partial<WatchStreamOptions>;
}

export interface RestContext {
  deps: ApiServerDeps;
  caches: WatchCaches;
  watch: WatchStreamOptions;
}

export interface RestRequest {
  target: RequestTarget;
  user: UserInfo;
  query: Query;
  /** The User-Agent header: names the field manager when the query has none. */
  userAgent?: string;
}
