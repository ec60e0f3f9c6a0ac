/** Tunables of watch streams (tests shorten the bookmark interval). */
export interface WatchStreamOptions {
  /** How often BOOKMARK events go to watchers that allow them (upstream: about a minute). */
  bookmarkIntervalMs: number;
  /** Timeout when the client sends no timeoutSeconds. */
  defaultTimeoutSeconds(): number;
  /** A watcher with more than this waiting in its socket is dropped. */
  maxBufferedBytes: number;
}

export const defaultWatchStreamOptions: WatchStreamOptions = {
  bookmarkIntervalMs: 60_000,
  // Upstream spreads watch timeouts over [min-request-timeout, 2×] (1800–3600 s).
  defaultTimeoutSeconds: () => 1800 + Math.floor(Math.random() * 1800),
  maxBufferedBytes: 16 * 1024 * 1024,
};
