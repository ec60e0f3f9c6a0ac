/**
 * A Transport across a message port, so that API clients on a worker thread
 * (the scheduler and the controllers, see controllers/controller-thread.ts)
 * reach the server's in-process transport on the main thread without HTTP.
 *
 * Two ends:
 * - PortTransport (client side) implements Transport by posting requests;
 * - servePortTransport(port, transport) (server side) answers them with any
 *   Transport (skiff server gives it the loopback transport).
 *
 * Contract: as Transport. Bodies cross as strings (a response the server
 * handed over as an object is serialized on its side). A stream's chunks
 * arrive in order; chunks that come before the first onData listener are
 * kept and delivered on a later turn, never before stream() resolved. A
 * request the server side fails answers with an Error carrying its message.
 * Messages are batched in each direction: one postMessage carries every
 * request, answer and watch chunk of one task of the event loop, which is
 * what keeps the crossing cheap at thousands of events a second.
 */
import { errorMessage } from '../errors.js';
import type { Transport, TransportRequest, TransportResponse, TransportStream } from './transport.js';

/** What both ends need of a MessagePort, a Worker or worker_threads' parentPort. */
export interface MessagePortLike {
  postMessage(value: unknown): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  off(event: 'message', listener: (value: unknown) => void): unknown;
}

type Headers = Record<string, string | string[] | undefined>;

/** Client to server. */
type Up =
  | { t: 'req'; id: number; req: TransportRequest }
  | { t: 'stream'; id: number; req: TransportRequest }
  | { t: 'close'; id: number };

/** Server to client. */
type Down =
  | { t: 'res'; id: number; status: number; headers: Headers; body: string }
  | { t: 'fail'; id: number; message: string }
  | { t: 'head'; id: number; status: number; headers: Headers }
  | { t: 'data'; id: number; chunk: string }
  | { t: 'end'; id: number; error?: string };

/**
 * Queues messages and posts them as one array once the current task's
 * microtasks have run: a burst of requests (or the watch lines of one
 * delivery) crosses in one postMessage, without waiting a turn of the loop.
 */
class Outbox<M> {
  private queued: M[] = [];
  private scheduled = false;

  constructor(private readonly port: MessagePortLike) {}

  send(msg: M): void {
    this.queued.push(msg);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      const batch = this.queued;
      this.queued = [];
      if (batch.length) this.port.postMessage(batch);
    });
  }
}

interface ClientStream {
  resolve(s: TransportStream): void;
  reject(e: Error): void;
  opened: boolean;
  pending: string[];
  listeners: ((chunk: string) => void)[];
  endCbs: ((err?: Error) => void)[];
  ended: boolean;
  error?: Error;
}

/** The client end, on the worker thread. */
export class PortTransport implements Transport {
  private readonly out: Outbox<Up>;
  private nextId = 1;
  private closed = false;
  private readonly requests = new Map<number, { resolve(r: TransportResponse): void; reject(e: Error): void }>();
  private readonly streams = new Map<number, ClientStream>();
  private readonly listener = (batch: unknown): void => {
    for (const m of batch as Down[]) this.receive(m);
  };

  constructor(private readonly port: MessagePortLike) {
    this.out = new Outbox(port);
    port.on('message', this.listener);
  }

  request(req: TransportRequest): Promise<TransportResponse> {
    if (this.closed) return Promise.reject(new Error('port transport closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.requests.set(id, { resolve, reject });
      this.out.send({ t: 'req', id, req: plain(req) });
    });
  }

  stream(req: TransportRequest): Promise<TransportStream> {
    if (this.closed) return Promise.reject(new Error('port transport closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.streams.set(id, { resolve, reject, opened: false, pending: [], listeners: [], endCbs: [], ended: false });
      this.out.send({ t: 'stream', id, req: plain(req) });
    });
  }

  /** Ends every open stream and fails what is in flight; later calls fail. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.off('message', this.listener);
    const err = new Error('port transport closed');
    for (const r of this.requests.values()) r.reject(err);
    this.requests.clear();
    for (const [id, s] of [...this.streams]) {
      if (!s.opened) s.reject(err);
      // The server side closes its stream too (one opening is closed as it opens).
      this.out.send({ t: 'close', id });
      this.finish(id, s);
    }
  }

  private receive(m: Down): void {
    if (m.t === 'res' || m.t === 'fail') {
      const r = this.requests.get(m.id);
      if (!r) return;
      this.requests.delete(m.id);
      if (m.t === 'res') r.resolve({ status: m.status, headers: m.headers, body: m.body });
      else r.reject(new Error(m.message));
      return;
    }
    const s = this.streams.get(m.id);
    if (!s) return;
    if (m.t === 'head') {
      s.opened = true;
      s.resolve(this.handle(m.id, s, m.status, m.headers));
    } else if (m.t === 'data') {
      s.pending.push(m.chunk);
      if (s.listeners.length) deliver(s);
    } else {
      if (m.error !== undefined) s.error = new Error(m.error);
      if (!s.opened) s.reject(s.error ?? new Error('stream ended before its response head'));
      this.finish(m.id, s);
    }
  }

  private handle(id: number, s: ClientStream, status: number, headers: Headers): TransportStream {
    return {
      status,
      headers,
      onData: (cb) => {
        s.listeners.push(cb);
        if (s.pending.length) setImmediate(() => deliver(s));
      },
      onEnd: (cb) => {
        if (!s.ended) s.endCbs.push(cb);
        // Ended before a listener came: its chunks go first (onData delivers them on a later turn).
        else if (s.pending.length) setImmediate(() => {
          deliver(s);
          cb(s.error);
        });
        else cb(s.error);
      },
      close: () => {
        if (s.ended) return;
        s.pending = [];
        s.listeners = [];
        this.out.send({ t: 'close', id });
        this.finish(id, s);
      },
    };
  }

  private finish(id: number, s: ClientStream): void {
    this.streams.delete(id);
    if (s.ended) return;
    s.ended = true;
    // Chunks that came before the end are still delivered, and first.
    deliver(s);
    for (const cb of s.endCbs) cb(s.error);
  }
}

function deliver(s: ClientStream): void {
  if (s.listeners.length === 0) return;
  const batch = s.pending;
  s.pending = [];
  for (const chunk of batch) for (const l of s.listeners) l(chunk);
}

/** A request as plain data: Buffers become strings, so that it clones cheaply. */
function plain(req: TransportRequest): TransportRequest {
  const out: TransportRequest = { method: req.method, path: req.path };
  if (req.headers) out.headers = req.headers;
  if (req.body !== undefined) out.body = typeof req.body === 'string' ? req.body : req.body.toString('utf8');
  return out;
}

/**
 * The server end, on the main thread: answers the client end's requests
 * through `transport`. Returns a function that stops serving and closes the
 * streams it opened.
 */
export function servePortTransport(port: MessagePortLike, transport: Transport): () => void {
  const out = new Outbox<Down>(port);
  const streams = new Map<number, TransportStream>();
  /** Streams being opened, and those of them the client closed meanwhile. */
  const opening = new Set<number>();
  const cancelled = new Set<number>();
  let stopped = false;

  const request = async (id: number, req: TransportRequest): Promise<void> => {
    try {
      const res = await transport.request(req);
      // An in-process answer may be an object; its body getter serializes it.
      if (!stopped) out.send({ t: 'res', id, status: res.status, headers: res.headers, body: res.body });
    } catch (e) {
      if (!stopped) out.send({ t: 'fail', id, message: errorMessage(e) });
    }
  };

  const stream = async (id: number, req: TransportRequest): Promise<void> => {
    let s: TransportStream;
    opening.add(id);
    try {
      s = await transport.stream(req);
    } catch (e) {
      opening.delete(id);
      cancelled.delete(id);
      if (!stopped) out.send({ t: 'end', id, error: errorMessage(e) });
      return;
    }
    opening.delete(id);
    if (stopped || cancelled.delete(id)) {
      s.close();
      return;
    }
    streams.set(id, s);
    out.send({ t: 'head', id, status: s.status, headers: s.headers });
    s.onData((chunk) => {
      if (streams.has(id)) out.send({ t: 'data', id, chunk });
    });
    s.onEnd((err) => {
      if (!streams.delete(id)) return;
      out.send(err ? { t: 'end', id, error: err.message } : { t: 'end', id });
    });
  };

  const listener = (batch: unknown): void => {
    if (stopped) return;
    for (const m of batch as Up[]) {
      if (m.t === 'req') void request(m.id, m.req);
      else if (m.t === 'stream') void stream(m.id, m.req);
      else {
        const s = streams.get(m.id);
        if (!s) {
          if (opening.has(m.id)) cancelled.add(m.id);
        } else {
          streams.delete(m.id);
          s.close();
        }
      }
    }
  };
  port.on('message', listener);
  return () => {
    if (stopped) return;
    stopped = true;
    port.off('message', listener);
    for (const s of streams.values()) s.close();
    streams.clear();
  };
}
