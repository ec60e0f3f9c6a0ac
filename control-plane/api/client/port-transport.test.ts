/**
 * PortTransport and servePortTransport across a real MessageChannel: the
 * server end answers with a small in-test Transport whose requests and
 * streams the tests drive (resolve, fail, push chunks, end), so each
 * property of the contract in port-transport.ts is observed at the client.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { PortTransport, servePortTransport, type MessagePortLike } from './port-transport.js';
import type { Transport, TransportRequest, TransportResponse, TransportStream } from './transport.js';

type Headers = Record<string, string | string[] | undefined>;

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A server-side stream the test drives. Chunks pushed before a listener are kept for it. */
class FakeStream implements TransportStream {
  closeCalls = 0;
  private listeners: ((chunk: string) => void)[] = [];
  private buffered: string[] = [];
  private endCbs: ((err?: Error) => void)[] = [];
  private ended = false;
  private error: Error | undefined;

  constructor(
    readonly status = 200,
    readonly headers: Headers = { 'content-type': 'application/json' },
  ) {}

  onData(cb: (chunk: string) => void): void {
    this.listeners.push(cb);
    for (const c of this.buffered.splice(0)) cb(c);
  }

  onEnd(cb: (err?: Error) => void): void {
    if (this.ended) cb(this.error);
    else this.endCbs.push(cb);
  }

  /** Delivers a chunk even after close(), as a racing producer would. */
  push(chunk: string): void {
    if (this.listeners.length === 0) this.buffered.push(chunk);
    else for (const l of this.listeners) l(chunk);
  }

  end(err?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.error = err;
    for (const cb of this.endCbs) cb(err);
  }

  close(): void {
    this.closeCalls++;
    this.end();
  }
}

/** The server side's Transport: records what it is asked and answers as the test says. */
class FakeTransport implements Transport {
  readonly requests: TransportRequest[] = [];
  readonly streamRequests: TransportRequest[] = [];
  readonly opened: FakeStream[] = [];
  private streamWaiters: ((s: FakeStream) => void)[] = [];

  constructor(
    private readonly answer: (req: TransportRequest) => Promise<TransportResponse> = async (req) => ({
      status: 200,
      headers: {},
      body: req.path,
    }),
    private readonly open: (req: TransportRequest) => Promise<FakeStream> = async () => new FakeStream(),
  ) {}

  request(req: TransportRequest): Promise<TransportResponse> {
    this.requests.push(req);
    return this.answer(req);
  }

  async stream(req: TransportRequest): Promise<TransportStream> {
    this.streamRequests.push(req);
    const s = await this.open(req);
    this.opened.push(s);
    for (const w of this.streamWaiters.splice(0)) w(s);
    return s;
  }

  /** The next stream the server side opens (call before the client asks for it). */
  nextOpened(): Promise<FakeStream> {
    return new Promise((resolve) => this.streamWaiters.push(resolve));
  }

  close(): void {}
}

interface Pair {
  client: PortTransport;
  fake: FakeTransport;
  stop: () => void;
  port1: MessagePort;
  port2: MessagePort;
  done(): void;
}

function connect(fake = new FakeTransport(), clientPort?: (p: MessagePort) => MessagePortLike): Pair {
  const { port1, port2 } = new MessageChannel();
  const stop = servePortTransport(port1, fake);
  const client = new PortTransport(clientPort ? clientPort(port2) : port2);
  return {
    client,
    fake,
    stop,
    port1,
    port2,
    done() {
      client.close();
      stop();
      port1.close();
      port2.close();
    },
  };
}

/** Opens a stream through the pair: the client's handle and the fake's server side. */
async function openStream(p: Pair): Promise<{ s: TransportStream; server: FakeStream }> {
  const opened = p.fake.nextOpened();
  const s = await p.client.stream({ method: 'GET', path: '/w' });
  return { s, server: await opened };
}

/** Resolves with the next batch of messages `port` receives that satisfies `pred`. */
function nextBatch(port: MessagePort, pred: (batch: { t: string }[]) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const l = (batch: unknown): void => {
      if (!pred(batch as { t: string }[])) return;
      port.off('message', l);
      resolve();
    };
    port.on('message', l);
  });
}

/**
 * Resolves once everything posted on the other end of `port` up to now
 * (after the outboxes' microtasks) has been received: messages are ordered,
 * so an empty batch posted last arrives last.
 */
async function drained(from: MessagePort, to: MessagePort): Promise<void> {
  await tick();
  const seen = new Promise<void>((resolve) => {
    const l = (batch: unknown): void => {
      if (!Array.isArray(batch) || batch.length !== 0) return;
      to.off('message', l);
      resolve();
    };
    to.on('message', l);
  });
  from.postMessage([]);
  await seen;
}

describe('PortTransport over servePortTransport', () => {
  describe('requests', () => {
    it('carries a request across and answers with its status, headers and body', async () => {
      const p = connect(
        new FakeTransport(async () => ({ status: 201, headers: { 'content-type': 'application/json', 'x-multi': ['a', 'b'] }, body: '{"ok":true}' })),
      );
      try {
        const res = await p.client.request({ method: 'POST', path: '/api/v1/pods', headers: { 'x-req': '1' }, body: '{"kind":"Pod"}' });
        assert.equal(res.status, 201);
        assert.deepEqual(res.headers, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
        assert.equal(res.body, '{"ok":true}');
        assert.deepEqual(p.fake.requests, [{ method: 'POST', path: '/api/v1/pods', headers: { 'x-req': '1' }, body: '{"kind":"Pod"}' }]);
      } finally {
        p.done();
      }
    });

    it('sends a Buffer request body across as a string', async () => {
      const p = connect();
      try {
        await p.client.request({ method: 'PUT', path: '/x', body: Buffer.from('héllo', 'utf8') });
        assert.equal(p.fake.requests[0]?.body, 'héllo');
        assert.equal(typeof p.fake.requests[0]?.body, 'string');
      } finally {
        p.done();
      }
    });

    it('answers a response handed over as an object with its serialized body', async () => {
      const object = { kind: 'Pod', metadata: { name: 'web' } };
      const p = connect(
        new FakeTransport(async () => ({
          status: 200,
          headers: {},
          object,
          get body() {
            return JSON.stringify(this.object);
          },
        })),
      );
      try {
        const res = await p.client.request({ method: 'GET', path: '/api/v1/namespaces/default/pods/web' });
        assert.equal(res.status, 200);
        assert.equal(res.body, JSON.stringify(object));
        assert.deepEqual(JSON.parse(res.body), object);
      } finally {
        p.done();
      }
    });

    it('rejects with an Error carrying the message when the server side fails the request', async () => {
      const p = connect(
        new FakeTransport(async () => {
          throw new Error('connection refused by loopback');
        }),
      );
      try {
        await assert.rejects(p.client.request({ method: 'GET', path: '/x' }), (e: unknown) => {
          assert.ok(e instanceof Error);
          assert.equal(e.message, 'connection refused by loopback');
          return true;
        });
      } finally {
        p.done();
      }
    });

    it('answers every request of one synchronous burst with its own response, whatever order the server answers in', async () => {
      const pending: { req: TransportRequest; d: Deferred<TransportResponse> }[] = [];
      const p = connect(
        new FakeTransport((req) => {
          const d = deferred<TransportResponse>();
          pending.push({ req, d });
          return d.promise;
        }),
      );
      try {
        const n = 200;
        const answers = Array.from({ length: n }, (_, i) => p.client.request({ method: 'GET', path: `/r/${i}` }));
        while (pending.length < n) await tick();
        // Answer in reverse order, each with its own path and a status derived from it.
        for (const { req, d } of [...pending].reverse()) {
          const i = Number(req.path.split('/')[2]);
          d.resolve({ status: 200 + (i % 7), headers: { 'x-path': req.path }, body: `body of ${req.path}` });
        }
        const res = await Promise.all(answers);
        res.forEach((r, i) => {
          assert.equal(r.body, `body of /r/${i}`);
          assert.equal(r.status, 200 + (i % 7));
          assert.deepEqual(r.headers, { 'x-path': `/r/${i}` });
        });
      } finally {
        p.done();
      }
    });

    it('posts a synchronous burst of requests as one message', async () => {
      let posts = 0;
      const p = connect(new FakeTransport(), (port) => ({
        postMessage: (v: unknown) => {
          posts++;
          port.postMessage(v);
        },
        on: (e: 'message', l: (v: unknown) => void) => port.on(e, l),
        off: (e: 'message', l: (v: unknown) => void) => port.off(e, l),
      }));
      try {
        await Promise.all(Array.from({ length: 20 }, (_, i) => p.client.request({ method: 'GET', path: `/b/${i}` })));
        assert.equal(posts, 1);
        assert.equal(p.fake.requests.length, 20);
      } finally {
        p.done();
      }
    });
  });

  describe('streams', () => {
    it('resolves stream() with the head status and headers', async () => {
      const p = connect(new FakeTransport(undefined, async () => new FakeStream(202, { 'content-type': 'application/json;stream=watch' })));
      try {
        const s = await p.client.stream({ method: 'GET', path: '/api/v1/pods?watch=true', headers: { accept: 'application/json' } });
        assert.equal(s.status, 202);
        assert.deepEqual(s.headers, { 'content-type': 'application/json;stream=watch' });
        assert.deepEqual(p.fake.streamRequests, [{ method: 'GET', path: '/api/v1/pods?watch=true', headers: { accept: 'application/json' } }]);
      } finally {
        p.done();
      }
    });

    it('delivers chunks in the order the server side produced them', async () => {
      const p = connect();
      try {
        const { s, server } = await openStream(p);
        const got: string[] = [];
        const all = deferred<void>();
        s.onData((c) => {
          got.push(c);
          if (got.length === 30) all.resolve();
        });
        for (let i = 0; i < 10; i++) server.push(`line ${i}\n`);
        await tick();
        for (let i = 10; i < 30; i++) server.push(`line ${i}\n`);
        await all.promise;
        assert.deepEqual(got, Array.from({ length: 30 }, (_, i) => `line ${i}\n`));
      } finally {
        p.done();
      }
    });

    it('keeps chunks that arrive before the first onData listener and delivers them on a later turn', async () => {
      const p = connect();
      try {
        const { s, server } = await openStream(p);
        const arrived = nextBatch(p.port2, (b) => b.some((m) => m.t === 'data'));
        server.push('a');
        server.push('b');
        await arrived;
        const got: string[] = [];
        const two = deferred<void>();
        s.onData((c) => {
          got.push(c);
          if (got.length === 2) two.resolve();
        });
        assert.deepEqual(got, [], 'not delivered from within onData');
        await two.promise;
        server.push('c');
        await drained(p.port1, p.port2);
        assert.deepEqual(got, ['a', 'b', 'c']);
      } finally {
        p.done();
      }
    });

    it('never delivers chunks that came with the head before stream() resolved', async () => {
      // The server-side stream has chunks ready when it opens: head and data cross in one batch.
      const p = connect(
        new FakeTransport(undefined, async () => {
          const s = new FakeStream();
          s.push('first');
          s.push('second');
          return s;
        }),
      );
      try {
        const s = await p.client.stream({ method: 'GET', path: '/w' });
        const got: string[] = [];
        const two = deferred<void>();
        s.onData((c) => {
          got.push(c);
          if (got.length === 2) two.resolve();
        });
        assert.deepEqual(got, []);
        await two.promise;
        assert.deepEqual(got, ['first', 'second']);
      } finally {
        p.done();
      }
    });

    it('calls onEnd without an error when the server-side stream ends', async () => {
      const p = connect();
      try {
        const { s, server } = await openStream(p);
        const got: string[] = [];
        s.onData((c) => got.push(c));
        const ended = new Promise<Error | undefined>((resolve) => s.onEnd(resolve));
        server.push('x');
        server.end();
        assert.equal(await ended, undefined);
        assert.deepEqual(got, ['x']);
      } finally {
        p.done();
      }
    });

    it('calls onEnd with an Error carrying the message the server-side stream failed with', async () => {
      const p = connect();
      try {
        const { s, server } = await openStream(p);
        const ended = new Promise<Error | undefined>((resolve) => s.onEnd(resolve));
        server.end(new Error('watch cache reset'));
        const err = await ended;
        assert.ok(err instanceof Error);
        assert.equal(err.message, 'watch cache reset');
      } finally {
        p.done();
      }
    });

    it('calls an onEnd registered after the end at once, with the end error', async () => {
      const p = connect();
      try {
        const { s, server } = await openStream(p);
        const endArrived = nextBatch(p.port2, (b) => b.some((m) => m.t === 'end'));
        server.end(new Error('gone'));
        await endArrived;
        let err: Error | undefined;
        let calls = 0;
        s.onEnd((e) => {
          calls++;
          err = e;
        });
        assert.equal(calls, 1);
        assert.equal(err?.message, 'gone');
      } finally {
        p.done();
      }
    });

    it('delivers the chunks that came before the end ahead of onEnd, even when head, chunks and end cross together', async () => {
      // A short response (e.g. a refused watch's Status body) is complete when
      // the server side opens it: head, data and end cross in one batch.
      const p = connect(
        new FakeTransport(undefined, async () => {
          const s = new FakeStream(410);
          s.push('{"kind":"Status","reason":"Expired"}');
          s.end();
          return s;
        }),
      );
      try {
        const s = await p.client.stream({ method: 'GET', path: '/w' });
        // As ApiClient.watch reads a refused watch's body.
        let body = '';
        s.onData((c) => (body += c));
        await new Promise<void>((resolve) => s.onEnd(() => resolve()));
        assert.equal(body, '{"kind":"Status","reason":"Expired"}');
      } finally {
        p.done();
      }
    });

    it('rejects stream() with the message when the server side fails to open the stream', async () => {
      const p = connect(
        new FakeTransport(undefined, async () => {
          throw new Error('too many watches');
        }),
      );
      try {
        await assert.rejects(p.client.stream({ method: 'GET', path: '/w' }), { message: 'too many watches' });
      } finally {
        p.done();
      }
    });

    it('closes the server-side stream on close() and delivers no further chunks', async () => {
      const p = connect();
      try {
        const { s, server } = await openStream(p);
        const got: string[] = [];
        const one = deferred<void>();
        s.onData((c) => {
          got.push(c);
          one.resolve();
        });
        server.push('before');
        await one.promise;
        s.close();
        // The close crosses to the server side.
        while (server.closeCalls === 0) await tick();
        assert.equal(server.closeCalls, 1);
        // A racing producer still pushes: nothing reaches the listener.
        server.push('after');
        await drained(p.port1, p.port2);
        assert.deepEqual(got, ['before']);
      } finally {
        p.done();
      }
    });

    it('drops chunks already received but not yet delivered when the client closes', async () => {
      const p = connect();
      try {
        const { s, server } = await openStream(p);
        const arrived = nextBatch(p.port2, (b) => b.some((m) => m.t === 'data'));
        server.push('queued');
        await arrived;
        const got: string[] = [];
        s.onData((c) => got.push(c));
        s.close();
        await tick();
        await tick();
        assert.deepEqual(got, []);
      } finally {
        p.done();
      }
    });

    it('calls onEnd once when the client closes the stream', async () => {
      const p = connect();
      try {
        const s = await p.client.stream({ method: 'GET', path: '/w' });
        let calls = 0;
        s.onEnd(() => calls++);
        s.close();
        s.close();
        assert.equal(calls, 1);
      } finally {
        p.done();
      }
    });

    it('closes a stream the client cancelled while the server side was still opening it, once it opens', async () => {
      const opening = deferred<FakeStream>();
      const fake = new FakeTransport(undefined, () => opening.promise);
      const { port1, port2 } = new MessageChannel();
      const stop = servePortTransport(port1, fake);
      try {
        // The protocol as the client end speaks it: open stream 1, then close it.
        port2.postMessage([{ t: 'stream', id: 1, req: { method: 'GET', path: '/w' } }]);
        while (fake.streamRequests.length === 0) await tick();
        port2.postMessage([{ t: 'close', id: 1 }]);
        await drained(port2, port1);
        const server = new FakeStream();
        const received: { t: string }[] = [];
        port2.on('message', (b: unknown) => received.push(...(b as { t: string }[])));
        opening.resolve(server);
        while (server.closeCalls === 0) await tick();
        assert.equal(server.closeCalls, 1);
        server.push('late');
        await drained(port1, port2);
        assert.deepEqual(received, [], 'neither head nor data of a cancelled stream is sent');
      } finally {
        stop();
        port1.close();
        port2.close();
      }
    });
  });

  describe('PortTransport.close()', () => {
    it('rejects requests in flight and streams not yet opened', async () => {
      const p = connect(
        new FakeTransport(
          () => new Promise<TransportResponse>(() => {}),
          () => new Promise<FakeStream>(() => {}),
        ),
      );
      try {
        const req = p.client.request({ method: 'GET', path: '/slow' });
        const stream = p.client.stream({ method: 'GET', path: '/w' });
        while (p.fake.requests.length === 0 || p.fake.streamRequests.length === 0) await tick();
        p.client.close();
        await assert.rejects(req, { message: 'port transport closed' });
        await assert.rejects(stream, { message: 'port transport closed' });
      } finally {
        p.done();
      }
    });

    it('ends open streams, delivering what had arrived first', async () => {
      const p = connect();
      try {
        const { s, server } = await openStream(p);
        const got: string[] = [];
        const order: string[] = [];
        s.onData((c) => {
          got.push(c);
          order.push('data');
        });
        const arrived = nextBatch(p.port2, (b) => b.some((m) => m.t === 'data'));
        server.push('x');
        await arrived;
        const ended = new Promise<Error | undefined>((resolve) =>
          s.onEnd((e) => {
            order.push('end');
            resolve(e);
          }),
        );
        p.client.close();
        assert.equal(await ended, undefined);
        assert.deepEqual(got, ['x']);
        assert.deepEqual(order, ['data', 'end']);
      } finally {
        p.done();
      }
    });

    it('rejects requests and streams asked for after it', async () => {
      const p = connect();
      try {
        p.client.close();
        await assert.rejects(p.client.request({ method: 'GET', path: '/x' }), { message: 'port transport closed' });
        await assert.rejects(p.client.stream({ method: 'GET', path: '/w' }), { message: 'port transport closed' });
        await drained(p.port2, p.port1);
        assert.equal(p.fake.requests.length, 0);
        assert.equal(p.fake.streamRequests.length, 0);
      } finally {
        p.done();
      }
    });
  });

  describe('the function servePortTransport returns', () => {
    it('closes the streams the server side opened', async () => {
      const p = connect();
      try {
        const first = p.fake.nextOpened();
        await p.client.stream({ method: 'GET', path: '/a' });
        const a = await first;
        const second = p.fake.nextOpened();
        await p.client.stream({ method: 'GET', path: '/b' });
        const b = await second;
        p.stop();
        assert.equal(a.closeCalls, 1);
        assert.equal(b.closeCalls, 1);
      } finally {
        p.done();
      }
    });

    it('stops serving: later requests reach the server-side transport no more', async () => {
      const p = connect();
      try {
        await p.client.request({ method: 'GET', path: '/before' });
        p.stop();
        const reached = nextBatch(p.port1, (b) => b.some((m) => m.t === 'req'));
        void p.client.request({ method: 'GET', path: '/after' }).catch(() => {});
        await reached;
        await tick();
        assert.deepEqual(
          p.fake.requests.map((r) => r.path),
          ['/before'],
        );
      } finally {
        p.done();
      }
    });

    it('sends no answer for a request that was in flight when it stopped', async () => {
      const d = deferred<TransportResponse>();
      const p = connect(new FakeTransport(() => d.promise));
      try {
        let settled = false;
        const res = p.client.request({ method: 'GET', path: '/slow' });
        res.then(
          () => (settled = true),
          () => {},
        );
        while (p.fake.requests.length === 0) await tick();
        p.stop();
        d.resolve({ status: 200, headers: {}, body: 'late' });
        await drained(p.port1, p.port2);
        assert.equal(settled, false);
      } finally {
        p.done();
      }
    });
  });
});
