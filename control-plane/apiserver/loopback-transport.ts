/**
 * The in-process Transport: the API client's requests go straight into
 * fastify's router (light-my-request), skipping TLS, sockets and HTTP
 * parsing, yet they pass the same authentication, admission, validation and
 * watch caches as any client. Given a direct lane, plain resource requests
 * skip the router too (rest/direct-dispatch.ts), as the caller it names. The scheduler and the controllers use it when
 * they run inside `skiff server`; upstream calls this the loopback client.
 *
 * Contract: as Transport. A stream resolves once the server wrote the
 * response head; close() destroys the server-side response, which the watch
 * handler sees as the client going away. A watch's lines come through a
 * loopback sink (watch/loopback-sinks.ts), delivered in order on a
 * later turn of the event loop (setImmediate), as socket data would be:
 * never inside the server's own fan-out, and never before the watch
 * handle reached its caller. Anything else the response body carries
 * follows them.
 */
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import type { Transport, TransportRequest, TransportResponse, TransportStream } from '../api/client/transport.js';
import { LOOPBACK_STREAM_HEADER, registerLoopbackSink } from './watch/loopback-sinks.js';
import type { DirectCaller, DirectDispatcher } from './rest/direct-dispatch.js';

/** The direct lane for resource requests (rest/direct-dispatch.ts) and who calls through it. */
export interface DirectLane {
  dispatch: DirectDispatcher;
  caller: DirectCaller;
}

type Headers = Record<string, string | string[] | undefined>;

export class LoopbackTransport implements Transport {
  private closed = false;
  private readonly open = new Set<() => void>();

  constructor(
    private readonly app: FastifyInstance,
    private readonly token: string,
    private readonly direct?: DirectLane,
    /** Names the field manager of writes that name none (upstream: kube-controller-manager). */
    private readonly userAgent = 'skiff-loopback',
  ) {}

  private headers(req: TransportRequest): Record<string, string> {
    return { accept: 'application/json', 'user-agent': this.userAgent, ...req.headers, authorization: `Bearer ${this.token}` };
  }

  async request(req: TransportRequest): Promise<TransportResponse> {
    if (this.closed) throw new Error('loopback transport closed');
    const headers = this.headers(req);
    const fast = this.direct?.dispatch({ ...req, headers }, this.direct.caller);
    if (fast) return fast;
    const res = await this.app.inject({
      method: req.method as 'GET',
      url: req.path,
      headers,
      ...(req.body === undefined ? {} : { payload: req.body }),
    });
    return { status: res.statusCode, headers: res.headers as Headers, body: res.body };
  }

  async stream(req: TransportRequest): Promise<TransportStream> {
    if (this.closed) throw new Error('loopback transport closed');
    // Lines the watch server hands over directly, queued until delivered.
    let queued: string[] = [];
    let scheduled = false;
    const listeners: ((c: string) => void)[] = [];
    const deliver = (): void => {
      scheduled = false;
      if (listeners.length === 0) return;
      const batch = queued;
      queued = [];
      for (const text of batch) for (const l of listeners) l(text);
    };
    const schedule = (): void => {
      if (scheduled || listeners.length === 0 || queued.length === 0) return;
      scheduled = true;
      setImmediate(deliver);
    };
    const sink = registerLoopbackSink((text) => {
      queued.push(text);
      schedule();
    });
    let res;
    try {
      res = await this.app.inject({
        method: req.method as 'GET',
        url: req.path,
        headers: { ...this.headers(req), [LOOPBACK_STREAM_HEADER]: sink.id },
        payloadAsStream: true,
        ...(req.body === undefined ? {} : { payload: req.body }),
      });
    } catch (e) {
      sink.remove();
      throw e;
    }
    const body: Readable = res.stream();
    const serverSide = res.raw.res;
    body.setEncoding('utf8');
    let ended = false;
    const endCbs: ((err?: Error) => void)[] = [];
    const finish = (err?: Error): void => {
      if (ended) return;
      ended = true;
      sink.remove();
      this.open.delete(close);
      // Lines written before the end are still delivered, and first.
      deliver();
      for (const cb of endCbs) cb(err);
    };
    const close = (): void => {
      // The client asked to stop: nothing more reaches it, queued or not.
      queued = [];
      listeners.length = 0;
      serverSide.destroy();
      body.destroy();
      finish();
    };
    this.open.add(close);
    body.on('end', () => finish());
    body.on('error', (e) => finish(e));
    body.on('close', () => finish());
    return {
      status: res.statusCode,
      headers: res.headers as Headers,
      onData: (cb) => {
        listeners.push(cb);
        schedule();
        body.on('data', (c: string) => {
          deliver();
          cb(c);
        });
      },
      onEnd: (cb) => {
        if (ended) cb();
        else endCbs.push(cb);
      },
      close,
    };
  }

  /** Ends every open stream; later calls fail. */
  close(): void {
    this.closed = true;
    for (const c of [...this.open]) c();
  }
}
