/** Watches over HTTP: from 0, from a revision, bookmarks, selector transitions, expiry, timeouts and cleanup. */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { call, meta, startServer, widget, type TestServer } from './rest-fixtures.js';

const W = '/apis/example.dev/v1/namespaces/default/widgets';

interface WatchEvent {
  type: string;
  object: { kind?: string; metadata: { name?: string; resourceVersion?: string; labels?: Record<string, string> }; code?: number; message?: string; reason?: string };
}

interface Watching {
  events: WatchEvent[];
  res: IncomingMessage;
  ended: Promise<void>;
  /** Resolves once at least n events arrived. */
  until(n: number): Promise<WatchEvent[]>;
  close(): void;
}

function watch(s: TestServer, path: string): Promise<Watching> {
  const port = (s.app.server.address() as AddressInfo).port;
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path }, (res) => {
      const events: WatchEvent[] = [];
      const waiters: { n: number; done: (e: WatchEvent[]) => void }[] = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buf.slice(0, i)) as WatchEvent);
          buf = buf.slice(i + 1);
        }
        for (const w of waiters.splice(0)) if (events.length >= w.n) w.done(events);
        else waiters.push(w);
      });
      const ended = new Promise<void>((r) => res.on('close', () => r()));
      resolve({
        events,
        res,
        ended,
        until: (n) =>
          new Promise((done, fail) => {
            if (events.length >= n) return done(events);
            const t = setTimeout(() => fail(new Error(`only ${events.length} events: ${JSON.stringify(events)}`)), 3000);
            waiters.push({ n, done: (e) => (clearTimeout(t), done(e)) });
          }),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}

const summary = (evs: WatchEvent[]) => evs.map((e) => `${e.type} ${e.object.metadata.name ?? ''}`);

describe('watch', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ watch: { bookmarkIntervalMs: 100 } }, true);
    await call(s.app, 'POST', W, widget('a'));
    await call(s.app, 'POST', W, widget('b'));
  });
  after(async () => s.close());

  test('without resourceVersion: ADDED for current objects, then live changes, one JSON object per line', async () => {
    const w = await watch(s, `${W}?watch=true`);
    assert.equal(w.res.statusCode, 200);
    assert.equal(w.res.headers['content-type'], 'application/json');
    assert.equal(w.res.headers['transfer-encoding'], 'chunked');
    await w.until(2);
    await call(s.app, 'POST', W, widget('c'));
    await call(s.app, 'PATCH', `${W}/c`, { metadata: { labels: { x: 'y' } } }, 'application/merge-patch+json');
    await call(s.app, 'DELETE', `${W}/c`);
    const evs = await w.until(5);
    assert.deepEqual(summary(evs), ['ADDED a', 'ADDED b', 'ADDED c', 'MODIFIED c', 'DELETED c']);
    assert.equal(evs[4]?.object.kind, 'Widget');
    assert.deepEqual(evs[4]?.object.metadata.labels, { x: 'y' }, 'DELETED carries the last state');
    assert.equal(evs[4]?.object.metadata.resourceVersion, String(await s.store.currentRevision()));
    w.close();
  });

  test('from a resourceVersion: only later changes, replayed from the cache', async () => {
    const list = await call(s.app, 'GET', W);
    const rv = String(meta(list.body).resourceVersion);
    await call(s.app, 'POST', W, widget('d'));
    await call(s.app, 'POST', W, widget('e'));
    const w = await watch(s, `${W}?watch=1&resourceVersion=${rv}`);
    await call(s.app, 'POST', W, widget('f'));
    assert.deepEqual(summary(await w.until(3)), ['ADDED d', 'ADDED e', 'ADDED f']);
    w.close();
  });

  test('selector transitions: moving in is ADDED, moving out is DELETED', async () => {
    const w = await watch(s, `${W}?watch=true&labelSelector=sel%3Dyes&resourceVersion=${await s.store.currentRevision()}`);
    await call(s.app, 'PATCH', `${W}/a`, { metadata: { labels: { sel: 'yes' } } }, 'application/merge-patch+json');
    await call(s.app, 'PATCH', `${W}/a`, { spec: { color: 'pink' } }, 'application/merge-patch+json');
    await call(s.app, 'PATCH', `${W}/a`, { metadata: { labels: { sel: 'no' } } }, 'application/merge-patch+json');
    await call(s.app, 'PATCH', `${W}/b`, { spec: { color: 'pink' } }, 'application/merge-patch+json');
    const evs = await w.until(3);
    assert.deepEqual(summary(evs), ['ADDED a', 'MODIFIED a', 'DELETED a']);
    assert.deepEqual(evs[2]?.object.metadata.labels, { sel: 'yes' }, 'the DELETED object is its last state inside the selection');
    w.close();
  });

  test('bookmarks arrive when allowed and carry only the resourceVersion', async () => {
    const w = await watch(s, `${W}?watch=true&allowWatchBookmarks=true&resourceVersion=${await s.store.currentRevision()}`);
    const evs = await w.until(1);
    assert.equal(evs[0]?.type, 'BOOKMARK');
    assert.deepEqual(Object.keys(evs[0]?.object.metadata ?? {}), ['resourceVersion']);
    assert.equal(evs[0]?.object.kind, 'Widget');
    w.close();
  });

  test('a single-object watch via fieldSelector sees only that object', async () => {
    const w = await watch(s, `${W}?watch=true&fieldSelector=metadata.name%3Db&resourceVersion=0`);
    await call(s.app, 'PATCH', `${W}/d`, { spec: { size: 1 } }, 'application/merge-patch+json');
    await call(s.app, 'PATCH', `${W}/b`, { spec: { size: 1 } }, 'application/merge-patch+json');
    assert.deepEqual(summary(await w.until(2)), ['ADDED b', 'MODIFIED b']);
    w.close();
  });

  test('a watch from a compacted revision fails with an ERROR event carrying 410 Expired', async () => {
    const old = 3;
    await call(s.app, 'POST', W, widget('g'));
    await s.store.compact(await s.store.currentRevision());
    // A fresh server's cache starts now, so revision 3 predates it and the store has compacted it.
    const s2 = await startServer({}, true);
    try {
      for (let i = 0; i < 4; i++) await call(s2.app, 'POST', W, widget(`z${i}`));
      await s2.store.compact(await s2.store.currentRevision());
      const w = await watch(s2, `${W}?watch=true&resourceVersion=${old}`);
      const evs = await w.until(1);
      assert.equal(evs[0]?.type, 'ERROR');
      assert.equal(evs[0]?.object.code, 410);
      assert.equal(evs[0]?.object.reason, 'Expired');
      assert.match(String(evs[0]?.object.message), /^too old resource version: 3 \(\d+\)$/);
      await w.ended;
    } finally {
      await s2.close();
    }
  });

  test('a watch older than the cache but not compacted is served from the store without gaps', async () => {
    const s2 = await startServer({ watchHistoryEvents: 2 }, true);
    try {
      const rv = await s2.store.currentRevision();
      const first = await watch(s2, `${W}?watch=true&resourceVersion=${rv}`);
      for (let i = 0; i < 5; i++) await call(s2.app, 'POST', W, widget(`y${i}`));
      await first.until(5);
      const w = await watch(s2, `${W}?watch=true&resourceVersion=${rv}`);
      await call(s2.app, 'POST', W, widget('y5'));
      assert.deepEqual(summary(await w.until(6)), ['ADDED y0', 'ADDED y1', 'ADDED y2', 'ADDED y3', 'ADDED y4', 'ADDED y5']);
      first.close();
      w.close();
    } finally {
      await s2.close();
    }
  });

  test('timeoutSeconds ends the stream; closed watches release their resources', async () => {
    const opened = s.metrics.opened;
    const w = await watch(s, `${W}?watch=true&timeoutSeconds=1&resourceVersion=${await s.store.currentRevision()}`);
    await w.ended;
    const x = await watch(s, `${W}?watch=true&resourceVersion=${await s.store.currentRevision()}`);
    x.close();
    await x.ended;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(s.metrics.opened, opened + 2);
    assert.equal(s.metrics.closed, s.metrics.opened, 'every opened watch was closed');
    assert.equal(s.store.openWatches(), 1, 'one shared store watch for the widgets prefix, none left by closed watchers');
  });

  test('many watchers each get every event, in order', async () => {
    const rv = await s.store.currentRevision();
    const ws = await Promise.all(Array.from({ length: 200 }, () => watch(s, `${W}?watch=true&resourceVersion=${rv}`)));
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) await call(s.app, 'POST', W, widget(`many${i}`));
    for (const w of ws) assert.deepEqual(summary(await w.until(3)), ['ADDED many0', 'ADDED many1', 'ADDED many2']);
    assert.ok(Date.now() - t0 < 2000);
    for (const w of ws) w.close();
    await Promise.all(ws.map((w) => w.ended));
  });

  test('a bad selector on a watch is a 400 Status before the stream starts', async () => {
    const r = await call(s.app, 'GET', `${W}?watch=true&fieldSelector=nope%3D1`);
    assert.equal(r.status, 400);
  });
});
