/**
 * The raw HTTP `upgrade` handler: exec, attach and port-forward (SPDY/3.1
 * or WebSocket) and upgrades on nodes/N/proxy. fastify's hooks never run
 * for upgrades, so this handler authenticates and authorizes the request
 * itself with the server's Authenticator and Authorizer, resolves the
 * pod's node and agent (agent-target.ts), opens TLS to the agent with the
 * apiserver's kubelet-client certificate and forwards the request line,
 * the headers (minus Authorization; Host rewritten) and then bytes both
 * ways. It never parses frames: a refusal from the agent (e.g. containerd
 * answering a WebSocket v5 offer with 403) reaches the client untouched, so
 * kubectl falls back to SPDY by itself.
 *
 * Failures before forwarding are written as an HTTP response carrying a
 * metav1.Status (401, 403, 404, 400, 500 `error dialing backend: …`).
 * Upgraded sockets are tracked and destroyed when the server closes.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { connect, type TLSSocket } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { ApiError, badRequest, internal, isApiError, unauthorized } from '../../api/errors.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { Authorizer } from '../auth/authorizer.js';
import { authorizeRequest } from '../auth/auth-hook.js';
import type { ApiServerDeps } from '../context.js';
import { agentTls, nodeEndpoint, podAgentTarget, type AgentTarget, type KubeletClientConfig } from './agent-target.js';
import { parseConnectRoute } from './connect-route.js';

export interface StreamingOptions {
  authenticator: Authenticator;
  authorizer: Authorizer;
  /** Absent: every forward fails with 503 (no client certificate for agents). */
  kubelet?: KubeletClientConfig;
}

const DEFAULT_DIAL_TIMEOUT_MS = 10_000;
/** Headers that must not reach the agent: our own credentials go instead. */
const DROPPED = new Set(['authorization', 'host']);

/** Writes a Status error as a complete HTTP/1.1 response and closes the socket. */
export function writeStatusResponse(socket: Duplex, err: unknown): void {
  const e = isApiError(err) ? err : internal(err instanceof Error ? err.message : String(err));
  const body = JSON.stringify(e.toStatus());
  const head = [
    `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? ''}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    '',
  ].join('\r\n');
  if (socket.writable) socket.end(head + body);
  else socket.destroy();
}

/** The request as the agent sees it: same method and headers, the agent path, our Host. */
function requestHead(req: IncomingMessage, target: AgentTarget): string {
  const lines = [`${req.method ?? 'GET'} ${target.path} HTTP/1.1`];
  const hostPort = target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
  lines.push(`Host: ${hostPort}`);
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (DROPPED.has(name.toLowerCase())) continue;
    lines.push(`${name}: ${raw[i + 1] as string}`);
  }
  const remote = req.socket.remoteAddress?.replace(/^::ffff:/, '');
  if (remote && !raw.some((h, i) => i % 2 === 0 && h.toLowerCase() === 'x-forwarded-for')) lines.push(`X-Forwarded-For: ${remote}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Opens TLS to the agent; rejects with a 500 `error dialing backend` Status error. */
export function dialAgent(cfg: KubeletClientConfig | undefined, target: { host: string; port: number }): Promise<TLSSocket> {
  const opts = agentTls(cfg, target.host);
  return new Promise((resolve, reject) => {
    const s = connect({ ...opts, port: target.port });
    const timer = setTimeout(() => s.destroy(new Error(`dial tcp ${target.host}:${target.port}: i/o timeout`)), cfg?.dialTimeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS);
    s.once('secureConnect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      s.destroy();
      reject(internal(`error dialing backend: ${err.message}`, { cause: err }));
    });
  });
}

async function resolveTarget(deps: ApiServerDeps, url: string): Promise<AgentTarget> {
  const route = parseConnectRoute(url);
  if (!route) throw badRequest('upgrade requests are served only on pods/exec, pods/attach, pods/portforward and nodes/proxy');
  if (route.kind === 'node') return { ...(await nodeEndpoint(deps, route.name)), path: route.agentPath };
  if (route.sub === 'log') throw badRequest('pods/log does not support protocol upgrades');
  const target = await podAgentTarget(deps, route.sub, route.namespace, route.name, route.query);
  if (!target) throw badRequest(`pod ${route.name} does not have a host assigned`);
  return target;
}

async function authorize(opts: StreamingOptions, req: IncomingMessage): Promise<void> {
  const outcome = await opts.authenticator.authenticate({ headers: req.headers, socket: req.socket });
  if (outcome.kind !== 'user') throw unauthorized();
  await authorizeRequest(opts.authorizer, outcome.user, req.method ?? 'GET', req.url ?? '/');
}

/** Handles one upgrade: check, resolve, dial, then splice the two sockets. */
async function proxyUpgrade(deps: ApiServerDeps, opts: StreamingOptions, req: IncomingMessage, socket: Duplex, head: Buffer, track: (s: Duplex) => void): Promise<void> {
  // Hold client bytes (e.g. the first SPDY frames) until the agent is connected.
  socket.pause();
  track(socket);
  let agent: TLSSocket | undefined;
  try {
    await authorize(opts, req);
    const target = await resolveTarget(deps, req.url ?? '/');
    agent = await dialAgent(opts.kubelet, target);
    track(agent);
    agent.write(requestHead(req, target));
    if (head.length > 0) agent.write(head);
  } catch (err) {
    agent?.destroy();
    writeStatusResponse(socket, err);
    return;
  }
  const a = agent;
  const closeBoth = () => {
    socket.destroy();
    a.destroy();
  };
  a.on('error', closeBoth);
  socket.on('error', closeBoth);
  a.on('close', () => socket.end());
  socket.on('close', () => a.destroy());
  a.pipe(socket);
  socket.pipe(a);
  socket.resume();
}

/**
 * Installs the upgrade handler on the fastify instance's HTTP server and a
 * preClose hook that cuts every forwarded connection.
 */
export function installUpgradeProxy(app: FastifyInstance, deps: ApiServerDeps, opts: StreamingOptions): void {
  const open = new Set<Duplex>();
  const track = (s: Duplex) => {
    open.add(s);
    s.once('close', () => open.delete(s));
  };
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    proxyUpgrade(deps, opts, req, socket, head, track).catch((err: unknown) => {
      writeStatusResponse(socket, err instanceof ApiError ? err : internal(String(err)));
    });
  });
  app.addHook('preClose', async () => {
    for (const s of open) s.destroy();
    open.clear();
  });
}
