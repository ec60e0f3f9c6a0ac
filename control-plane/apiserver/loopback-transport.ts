/**
 * The in-process Transport: the API client's requests go straight into
 * fastify's router (light-my-request), skipping TLS, sockets and HTTP
 * parsing, yet they pass the same authentication, admission, validation and
 * watch caches as any client. The scheduler and the controllers use it when
 * they run inside `skiff server`; upstream calls this the loopback client.
 *
 * Contract: as Transport. A stream resolves once the server wrote the
 * response head; close() destroys the server-side response, which the watch
 * handler sees as the client going away.
 */
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import type { Transport, TransportRequest, TransportResponse, TransportStream } from '../api/client/transport.js';

type Headers = Record<string, string | string[] | undefined>;

export class LoopbackTransport implements Transport {
  private closed = false;
  private readonly open = new Set<() => void>();

  constructor(
    private readonly app: FastifyInstance,
    private readonly token: string,
  ) {}

  private headers(req: TransportRequest): Record<string, string> {
    return { accept: 'application/json', ...req.headers, authorization: `Bearer ${this.token}` };
  }

  async request(req: TransportRequest): Promise<TransportResponse> {
    if (this.closed) throw new Error('loopback transport closed');
    const res = await this.app.inject({
      method: req.method as 'GET',
      url: req.path,
      headers: this.headers(req),
      ...(req.body === undefined ? {} : { payload: req.body }),
    });
    return { status: res.statusCode, headers: res.headers as Headers, body: res.body };
  }

  async stream(req: TransportRequest): Promise<TransportStream> {
    if (this.closed) throw new Error('loopback transport closed');
    const res = await this.app.inject({
      method: req.method as 'GET',
      url: req.path,
      headers: this.headers(req),
      payloadAsStream: true,
      ...(req.body === undefined ? {} : { payload: req.body }),
    });
    const body: Readable = res.stream();
    const serverSide = res.raw.res;
    body.setEncoding('utf8');
    let ended = false;
    const endCbs: ((err?: Error) => void)[] = [];
    const finish = (err?: Error): void => {
      if (ended) return;
      ended = true;
      this.open.delete(close);
      for (const cb of endCbs) cb(err);
    };
    const close = (): void => {
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
      onData: (cb) => body.on('data', (c: string) => cb(c)),
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
