/**
 * exec, attach and portForward on the agent: the kubelet's
 * getExec/getAttach/getPortForward over CRI streaming. For an HTTP upgrade
 * (SPDY/3.1 or WebSocket) it finds the container or sandbox (PodLocator),
 * asks the runtime for a single-use streaming URL (CRI Exec, Attach,
 * PortForward), opens TCP to it, sends the same request line and headers
 * with the URL's path and Host, and then pipes bytes both ways. Frames are
 * never parsed, so whatever the runtime answers (101, or 403 to a
 * WebSocket v5 offer) reaches the client untouched and kubectl falls back
 * to SPDY by itself.
 *
 * Errors before forwarding are plain-text HTTP answers with upstream's
 * status and text: 400 stream options, 404/500 from the locator, 404/500
 * from the runtime (streaming.WriteError), 500 when the runtime's
 * streaming server cannot be dialled. A request to these paths that is
 * not an upgrade gets upstream's 500 `Upgrade request required`.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { isRuntimeError, type Runtime } from '../cri/runtime.js';
import { isLocatorError, type LocatorError, type PodLocator } from './pod-locator.js';

export type StreamKind = 'exec' | 'attach' | 'portForward';

export interface StreamRoute {
  kind: StreamKind;
  namespace: string;
  pod: string;
  uid?: string;
  /** exec and attach only. */
  container?: string;
}

/** A plain-text HTTP error answer. */
export interface HttpFailure {
  status: number;
  body: string;
}

const fail = (status: number, body: string): HttpFailure => ({ status, body });

function decode(seg: string): string | undefined {
  try {
    return decodeURIComponent(seg);
  } catch {
    return undefined;
  }
}

/** The route of a streaming path, or undefined when the path is not one. */
export function parseStreamPath(pathname: string): StreamRoute | undefined {
  const raw = pathname.split('/').slice(1);
  const kind = raw[0];
  if (kind !== 'exec' && kind !== 'attach' && kind !== 'portForward') return undefined;
  const segs = raw.slice(1).map(decode);
  if (segs.some((s) => s === undefined || s === '')) return undefined;
  const p = segs as string[];
  if (kind === 'portForward') {
    if (p.length === 2) return { kind, namespace: p[0] as string, pod: p[1] as string };
    if (p.length === 3) return { kind, namespace: p[0] as string, pod: p[1] as string, uid: p[2] as string };
    return undefined;
  }
  if (p.length === 3) return { kind, namespace: p[0] as string, pod: p[1] as string, container: p[2] as string };
  if (p.length === 4) return { kind, namespace: p[0] as string, pod: p[1] as string, uid: p[2] as string, container: p[3] as string };
  return undefined;
}

export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** remotecommand.NewOptions: the kubelet's input/output/error/tty flags (`1` = on). */
export function streamOptions(q: URLSearchParams): StreamOptions | HttpFailure {
  const on = (n: string) => q.get(n) === '1';
  const tty = on('tty');
  const o = { stdin: on('input'), stdout: on('output'), stderr: on('error') && !tty, tty };
  if (!o.stdin && !o.stdout && !o.stderr) return fail(400, 'you must specify at least 1 of stdin, stdout, stderr');
  return o;
}

/** portforward V4 options: `port` values, comma-separated or repeated. */
export function forwardPorts(q: URLSearchParams): number[] | HttpFailure {
  const ports: number[] = [];
  for (const v of q.getAll('port').flatMap((s) => s.split(','))) {
    const s = v.trim();
    if (s === '') continue;
    const n = /^\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 65535) return fail(400, `unable to parse "${s}" as a port: invalid port`);
    ports.push(n);
  }
  return ports;
}

const fromLocator = (e: LocatorError): HttpFailure => fail(e.status, e.message);

function fromRuntime(err: unknown): HttpFailure {
  const message = err instanceof Error ? err.message : String(err);
  return fail(isRuntimeError(err, 'NOT_FOUND') ? 404 : 500, message);
}

/** Checks the request and finds the target; the streaming URL only when `askRuntime`. */
export async function resolveStream(route: StreamRoute, q: URLSearchParams, pods: PodLocator, runtime: Runtime, askRuntime: boolean): Promise<URL | HttpFailure | 'located'> {
  if (route.kind === 'portForward') {
    const ports = forwardPorts(q);
    if (!Array.isArray(ports)) return ports;
    const sandbox = await pods.sandboxId(route.namespace, route.pod, route.uid);
    if (isLocatorError(sandbox)) return fromLocator(sandbox);
    if (!askRuntime) return 'located';
    try {
      return new URL(await runtime.portForward({ podSandboxId: sandbox, port: ports }));
    } catch (err) {
      return fromRuntime(err);
    }
  }
  const opts = streamOptions(q);
  if ('status' in opts) return opts;
  const id = await pods.containerId(route.namespace, route.pod, route.uid, route.container ?? '');
  if (isLocatorError(id)) return fromLocator(id);
  if (!askRuntime) return 'located';
  try {
    const url = route.kind === 'exec' ? await runtime.exec({ containerId: id, cmd: q.getAll('command'), ...opts }) : await runtime.attach({ containerId: id, ...opts });
    return new URL(url);
  } catch (err) {
    return fromRuntime(err);
  }
}

/** Writes a complete plain-text answer on a raw socket and closes it. */
export function writeRawAnswer(socket: Duplex, status: number, body: string): void {
  const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`, 'Content-Type: text/plain; charset=utf-8', 'X-Content-Type-Options: nosniff', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close', '', ''].join('\r\n');
  if (socket.writable) socket.end(head + body);
  else socket.destroy();
}

/** The request as the runtime's streaming server must see it. */
function requestHead(req: IncomingMessage, url: URL): string {
  const lines = [`${req.method ?? 'GET'} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() === 'host') continue;
    lines.push(`${raw[i] as string}: ${raw[i + 1] as string}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function dial(url: URL): Promise<Socket> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    const timer = setTimeout(() => s.destroy(new Error(`dial tcp ${url.host}: i/o timeout`)), 10_000);
    s.once('connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      s.destroy();
      reject(err);
    });
  });
}

/**
 * Serves one upgrade on a streaming path: resolve, dial, splice. `track`
 * registers sockets so the server can cut them when it closes.
 */
export async function proxyStream(req: IncomingMessage, socket: Duplex, head: Buffer, route: StreamRoute, pods: PodLocator, runtime: Runtime, track: (s: Duplex) => void): Promise<void> {
  socket.pause();
  track(socket);
  const q = new URL(req.url ?? '/', 'https://agent').searchParams;
  const target = await resolveStream(route, q, pods, runtime, true);
  if (!(target instanceof URL)) {
    const f = target === 'located' ? fail(500, 'no streaming URL') : target;
    writeRawAnswer(socket, f.status, f.body);
    return;
  }
  if (target.protocol !== 'http:') {
    writeRawAnswer(socket, 500, `unsupported streaming URL scheme ${target.protocol}`);
    return;
  }
  let upstream: Socket;
  try {
    upstream = await dial(target);
  } catch (err) {
    writeRawAnswer(socket, 500, `${err instanceof Error ? err.message : String(err)}\n`);
    return;
  }
  track(upstream);
  upstream.write(requestHead(req, target));
  if (head.length > 0) upstream.write(head);
  const closeBoth = () => {
    socket.destroy();
    upstream.destroy();
  };
  upstream.on('error', closeBoth);
  socket.on('error', closeBoth);
  upstream.on('close', () => socket.end());
  socket.on('close', () => upstream.destroy());
  upstream.pipe(socket);
  socket.pipe(upstream);
  socket.resume();
}
