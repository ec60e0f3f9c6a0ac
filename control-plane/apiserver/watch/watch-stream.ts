/**
 * One watch request on the wire: `{"type":…,"object":…}\n` per event,
 * chunked and written immediately through the hijacked response.
 *
 * - resourceVersion unset or "0": ADDED for every current matching object,
 *   then changes after the list's revision; N: changes after N, from the
 *   resource's watch cache or, if N predates it, a store watch of its own.
 *   A compacted N ends with an ERROR event carrying 410 Expired
 *   (`too old resource version: N (M)`), as upstream's watch does.
 * - Selectors are applied per watcher to both states of each change: an
 *   object entering the selection is ADDED, one leaving it is DELETED with
 *   its previous state.
 * - BOOKMARK (allowWatchBookmarks=true) every bookmarkIntervalMs.
 * - Ends after timeoutSeconds (default: a random 1800–3600 s), when the
 *   client goes away, or when the client reads too slowly (more than
 *   maxBufferedBytes waiting in the socket), never blocking other watchers.
 */
import type { FastifyReply } from 'fastify';
import { ApiError, isApiError } from '../../api/errors.js';
import { apiVersionOf, type KubeObject } from '../../api/meta.js';
import type { Store, StoreEvent } from '../../storage/store.js';
import { collectionPrefix, decodeStored } from '../rest/codec.js';
import { parseResourceVersion } from '../rest/list.js';
import { queryBool, queryInt, queryParam } from '../rest/query.js';
import type { RestContext, RestRequest } from '../rest/rest-context.js';
export type { WatchStreamOptions } from './watch-options.js';
export { defaultWatchStreamOptions } from './watch-options.js';
import { compileSelection, type Selection } from '../rest/selection.js';
import { cacheEventFromStore, eventLine, eventText, objectLine, type CacheEvent, type WatchEventType } from './cache-event.js';
import { LOOPBACK_STREAM_HEADER, loopbackSinkFor } from './loopback-sinks.js';
import { negotiateOutput } from '../tables/negotiate.js';
import { watchObjectEncoder } from '../tables/watch-encoder.js';

interface Source {
  close(): void;
}

function directWatch(store: Store, prefix: string, from: number, onEvent: (ev: CacheEvent) => void, onError: (e: Error) => void): Source {
  const h = store.watch(prefix, from, {
    onEvents: (evs: StoreEvent[]) => {
      for (const e of evs) onEvent(cacheEventFromStore(e));
    },
    onError,
  });
  return h;
}

/** Answers a watch request. Validation errors are thrown before the stream starts. */
export async function serveWatch(rc: RestContext, req: RestRequest, reply: FastifyReply): Promise<void> {
  const { resolved, namespace, name } = req.target;
  const entry = resolved.entry;
  const q = req.query;
  let selection: Selection = compileSelection(resolved, queryParam(q, 'labelSelector'), queryParam(q, 'fieldSelector'));
  if (name) {
    const inner = selection;
    selection = { empty: false, matches: (o) => o.metadata.name === name && inner.matches(o) };
  }
  const rvParam = queryParam(q, 'resourceVersion');
  const fromRv = rvParam === undefined || rvParam === '' || rvParam === '0' ? undefined : parseResourceVersion(rvParam);
  const bookmarks = queryBool(q, 'allowWatchBookmarks');
  const timeoutSeconds = queryInt(q, 'timeoutSeconds') ?? rc.watch.defaultTimeoutSeconds();
  const nsPrefix = collectionPrefix(entry, namespace);
  const cache = rc.caches.forEntry(entry);
  await cache.ensureStarted();

  let initial: KubeObject[] = [];
  let start = fromRv ?? 0;
  if (fromRv === undefined) {
    const res = await rc.deps.store.list(nsPrefix);
    start = res.revision;
    for (const e of res.entries) {
      const obj = decodeStored(e.value, e.modRevision);
      if (selection.matches(obj)) initial.push(obj);
    }
  }

  // Table / PartialObjectMetadata watches encode per watcher (headers only on the first event).
  const encoder = watchObjectEncoder(negotiateOutput(reply.request.headers.accept, q), resolved, rc.deps.clock);

  reply.hijack();
  const raw = reply.raw;
  const sink = loopbackSinkFor(raw, reply.request.headers[LOOPBACK_STREAM_HEADER]);
  raw.writeHead(200, { 'Content-Type': encoder?.contentType ?? 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  raw.flushHeaders();
  const resource = entry.resource;
  rc.deps.metrics.watchOpened(resource);

  let closed = false;
  let lastSent = start;
  let source: Source | undefined;
  let viaCache = false;
  let timeoutTimer: NodeJS.Timeout | undefined;
  let bookmarkTimer: NodeJS.Timeout | undefined;

  const finish = (destroy: boolean): void => {
    if (closed) return;
    closed = true;
    clearTimeout(timeoutTimer);
    clearTimeout(bookmarkTimer);
    source?.close();
    rc.deps.metrics.watchClosed(resource);
    if (destroy) raw.destroy();
    else if (!raw.writableEnded) raw.end();
  };
  let corked = false;
  const uncork = (): void => {
    corked = false;
    if (!raw.destroyed) raw.uncork();
  };
  const write = (line: string | Buffer): void => {
    if (closed) return;
    if (sink) {
      sink(typeof line === 'string' ? line : line.toString('utf8'));
      return;
    }
    // A commit publishes its events in one synchronous pass: corked until the
    // pass ends, they leave as one TLS record and one syscall, not one each.
    if (!corked) {
      corked = true;
      raw.cork();
      process.nextTick(uncork);
    }
    raw.write(line);
    // A consumer this far behind would make us buffer without bound: drop it.
    if (raw.writableLength > rc.watch.maxBufferedBytes) finish(true);
  };
  const sendError = (err: ApiError): void => {
    write(`{"type":"ERROR","object":${JSON.stringify(err.toStatus())}}\n`);
    finish(false);
  };
  const onEvent = (ev: CacheEvent): void => {
    if (closed || ev.revision <= lastSent || !ev.key.startsWith(nsPrefix)) return;
    lastSent = ev.revision;
    // Without a selector the objects need not be parsed at all.
    const now = ev.hasObject && (selection.empty || selection.matches(ev.object as KubeObject));
    const before = ev.hasPrev && (selection.empty || selection.matches(ev.prev as KubeObject));
    let type: WatchEventType;
    if (now) type = before ? 'MODIFIED' : 'ADDED';
    else if (before) type = 'DELETED';
    else return;
    if (encoder) write(encoder.line(type, (type === 'DELETED' ? (ev.prev ?? ev.object) : ev.object) as KubeObject));
    else write(sink ? eventText(ev, resolved, type) : eventLine(ev, resolved, type));
  };
  const onError = (err: Error): void => {
    if (closed) return;
    if (isApiError(err) && err.code === 'SKIFF_EXPIRED') {
      void rc.deps.store.compactedRevision().then(
        (m) => sendError(new ApiError('SKIFF_EXPIRED', `too old resource version: ${start} (${m})`)),
        () => sendError(new ApiError('SKIFF_EXPIRED', `too old resource version: ${start}`)),
      );
    } else if (isApiError(err)) {
      sendError(err);
    } else {
      finish(false);
    }
  };

  raw.on('close', () => finish(false));
  raw.on('error', () => finish(true));
  for (const obj of initial) write(encoder ? encoder.line('ADDED', obj) : objectLine(resolved, 'ADDED', obj));
  initial = [];
  source = cache.subscribe(start, { onEvent, onError });
  viaCache = source !== undefined;
  source ??= directWatch(rc.deps.store, nsPrefix, start, onEvent, onError);

  if (timeoutSeconds > 0) timeoutTimer = setTimeout(() => finish(false), timeoutSeconds * 1000);
  if (bookmarks) {
    const apiVersion = apiVersionOf(resolved.group, resolved.version);
    const tick = (): void => {
      if (closed) return;
      // Through the cache every event up to its lastRevision has been delivered; a direct watch knows only what it sent.
      const rv = Math.max(lastSent, viaCache && cache.running ? cache.lastRevision : 0);
      lastSent = rv;
      write(`{"type":"BOOKMARK","object":{"kind":${JSON.stringify(resolved.kind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":{"resourceVersion":"${rv}"}}}\n`);
      bookmarkTimer = setTimeout(tick, rc.watch.bookmarkIntervalMs);
    };
    bookmarkTimer = setTimeout(tick, rc.watch.bookmarkIntervalMs);
  }
}
