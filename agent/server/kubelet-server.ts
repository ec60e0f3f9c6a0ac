/**
 * The agent's HTTPS server (the kubelet's port 10250): what the API server
 * forwards pods/log, exec, attach, portforward and nodes/proxy to.
 *
 * - TLS with the node's serving certificate; clients must present a
 *   certificate from the cluster CA and be the API server's kubelet client
 *   or cluster-admin (kubelet-auth.ts): 401 `Unauthorized`, 403
 *   `Forbidden (user=…)` otherwise. Every path is authenticated, /healthz
 *   included, as on the kubelet's secure port.
 * - GET /containerLogs/{ns}/{pod}/{container}?follow&previous&tailLines&
 *   sinceSeconds&sinceTime&timestamps&limitBytes: the CRI log files,
 *   streamed chunked as text/plain by the container log reader. An error
 *   before the first byte is a plain-text answer with upstream's status
 *   (404 pod/container, 400 state, 422 invalid options).
 * - /exec, /attach, /portForward (with or without the pod uid): upgrades
 *   spliced to the runtime's streaming server (stream-proxy.ts).
 * - GET /stats/summary (JSON), /metrics (the registry's text), /healthz
 *   (`ok`), /pods (a PodList, when the locator provides pods()); anything
 *   else 404 `404 page not found`.
 *
 * close() cuts open streams (follows and upgraded sockets) and stops
 * listening.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable, type Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Registry } from 'prom-client';
import type { Clock } from '../../control-plane/api/meta.js';
import type { Runtime } from '../cri/runtime.js';
import { readContainerLog } from '../kubelet/container-log-reader.js';
import { decide, peerOf } from './kubelet-auth.js';
import { LogQueryError, parseLogQuery, type ContainerLogQuery } from './log-options.js';
import { isLocatorError, type PodLocator } from './pod-locator.js';
import { parseStreamPath, proxyStream, resolveStream, writeRawAnswer } from './stream-proxy.js';

/** Streams a container's log files into `out` until done, the limit, or `signal`. */
export type ReadContainerLog = (paths: string[], opts: ContainerLogQuery, out: Writable, signal: AbortSignal, isRunning: () => boolean) => Promise<void>;

export interface KubeletServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  tls: { certPem: string; keyPem: string; caPem: string };
  pods: PodLocator;
  runtime: Runtime;
  statsSummary: () => Promise<unknown>;
  metrics: Registry;
  log?: (msg: string) => void;
  clock?: Clock;
  /** The log reader (default: agent/kubelet/container-log-reader.ts). */
  readLog?: ReadContainerLog;
}

export interface KubeletServer {
  port: number;
  close(): Promise<void>;
}

function answer(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}

const NOT_FOUND = '404 page not found\n';

/**
 * A Writable over the response that sends the 200 head with the first
 * byte, so an error before any output can still be a proper error answer.
 */
class LazyBody extends Writable {
  started = false;
  constructor(private readonly res: ServerResponse) {
    super();
    // The client left: the reader sees this stream close and stops.
    res.once('close', () => {
      if (!this.destroyed) this.destroy();
    });
  }
  private start(): void {
    if (this.started) return;
    this.started = true;
    this.res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, private', 'X-Content-Type-Options': 'nosniff' });
    this.res.flushHeaders();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.start();
    if (this.res.destroyed) return cb();
    if (this.res.write(chunk)) cb();
    else this.res.once('drain', () => cb());
  }
  finishOk(): void {
    this.start();
    if (!this.res.writableEnded) this.res.end();
  }
}

async function serveLogs(o: KubeletServerOptions, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET');
    return answer(res, 405, 'Method Not Allowed');
  }
  let segs: string[];
  try {
    segs = path.split('/').slice(2).map((s) => decodeURIComponent(s));
  } catch {
    return answer(res, 404, NOT_FOUND);
  }
  if (segs.length !== 3 || segs.some((s) => s === '')) return answer(res, 404, NOT_FOUND);
  const [ns, pod, container] = segs as [string, string, string];
  let opts: ContainerLogQuery;
  try {
    opts = parseLogQuery(query, (o.clock ?? { now: () => new Date() }).now());
  } catch (err) {
    if (err instanceof LogQueryError) return answer(res, err.status, err.message);
    throw err;
  }
  const files = await o.pods.containerLog(ns, pod, container, opts.previous);
  if (isLocatorError(files)) return answer(res, files.status, files.message);
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const body = new LazyBody(res);
  try {
    await (o.readLog ?? readContainerLog)(files.paths, opts, body, abort.signal, files.running);
  } catch (err) {
    if (abort.signal.aborted) return;
    const message = err instanceof Error ? err.message : String(err);
    if (!body.started) return answer(res, 400, message);
    o.log?.(`containerLogs ${ns}/${pod}/${container}: ${message}`);
    res.destroy();
    return;
  }
  if (abort.signal.aborted || body.destroyed) return;
  if (!body.writableEnded) await new Promise<void>((resolve) => body.end(() => resolve()));
  body.finishOk();
}

async function route(o: KubeletServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://agent');
  const path = url.pathname;
  const verdict = decide(peerOf(req.socket as TLSSocket), req.method ?? 'GET', path);
  if (verdict.kind === 'unauthorized') return answer(res, 401, 'Unauthorized');
  if (verdict.kind === 'forbidden') return answer(res, 403, verdict.message);

  if (path.startsWith('/containerLogs/')) return serveLogs(o, req, res, path, url.searchParams);
  const stream = parseStreamPath(path);
  if (stream) {
    // Upstream checks the options and the pod, then its UpgradeAwareHandler refuses a plain request.
    const found = await resolveStream(stream, url.searchParams, o.pods, o.runtime, false);
    if (found !== 'located' && !(found instanceof URL)) return answer(res, found.status, found.body);
    return answer(res, 500, 'Upgrade request required\n');
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    if (['/healthz', '/metrics', '/stats/summary', '/pods'].includes(path)) {
      res.setHeader('Allow', 'GET');
      return answer(res, 405, 'Method Not Allowed');
    }
    return answer(res, 404, NOT_FOUND);
  }
  switch (path) {
    case '/healthz':
      return answer(res, 200, 'ok');
    case '/metrics':
      return answer(res, 200, await o.metrics.metrics(), o.metrics.contentType);
    case '/stats/summary':
      return answer(res, 200, JSON.stringify(await o.statsSummary()), 'application/json');
    case '/pods':
      if (!o.pods.pods) break;
      return answer(res, 200, JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: await o.pods.pods() }), 'application/json');
  }
  return answer(res, 404, NOT_FOUND);
}

export async function startKubeletServer(o: KubeletServerOptions): Promise<KubeletServer> {
  const open = new Set<Duplex>();
  const track = (s: Duplex) => {
    open.add(s);
    s.once('close', () => open.delete(s));
  };
  const server: Server = createServer(
    { cert: o.tls.certPem, key: o.tls.keyPem, ca: o.tls.caPem, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2', ALPNProtocols: ['http/1.1'] },
    (req, res) => {
      route(o, req, res).catch((err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        o.log?.(`${req.method ?? ''} ${req.url ?? ''}: ${message}`);
        if (!res.headersSent) answer(res, 500, message);
        else res.destroy();
      });
    },
  );
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = new URL(req.url ?? '/', 'https://agent').pathname;
    const verdict = decide(peerOf(req.socket as TLSSocket), req.method ?? 'GET', path);
    if (verdict.kind === 'unauthorized') return writeRawAnswer(socket, 401, 'Unauthorized');
    if (verdict.kind === 'forbidden') return writeRawAnswer(socket, 403, verdict.message);
    const stream = parseStreamPath(path);
    if (!stream) return writeRawAnswer(socket, 404, NOT_FOUND);
    proxyStream(req, socket, head, stream, o.pods, o.runtime, track).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      o.log?.(`${req.method ?? ''} ${req.url ?? ''}: ${message}`);
      writeRawAnswer(socket, 500, message);
    });
  });
  server.on('tlsClientError', () => {
    // a client that fails the handshake is simply dropped
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = addr !== null && typeof addr === 'object' ? addr.port : o.port;
  return {
    port,
    close: async () => {
      for (const s of open) s.destroy();
      open.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
