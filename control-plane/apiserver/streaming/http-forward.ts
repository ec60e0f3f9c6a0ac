/**
 * The non-upgrade half of the streaming path: GET pods/P/log and any
 * method on nodes/N/proxy[/path], forwarded over HTTPS to the node's agent
 * with the apiserver's kubelet-client certificate. Registered as fastify
 * routes more specific than the generic REST wildcard, so the server's
 * authentication and authorization hooks have already run.
 *
 * Contract:
 * - log: the agent's 200 answer streams through as `text/plain`, chunked,
 *   for as long as the agent keeps it open (follow) and is cut when the
 *   client goes; an agent error (non-200) becomes a Status with the
 *   agent's code and message; an unscheduled pod streams nothing (200).
 * - nodes/proxy: status, headers (minus hop-by-hop) and body pass through.
 * - Dial failures: 500 `error dialing backend: …`.
 */
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, internal, type ErrorCode } from '../../api/errors.js';
import { isPlainObject } from '../../api/meta.js';
import type { ApiServerDeps } from '../context.js';
import { agentTls, nodeEndpoint, podAgentTarget, type AgentTarget, type KubeletClientConfig } from './agent-target.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'authorization', 'content-length']);
const MAX_ERROR_BODY = 64 * 1024;

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'SKIFF_BAD_REQUEST',
  401: 'SKIFF_UNAUTHORIZED',
  403: 'SKIFF_FORBIDDEN',
  404: 'SKIFF_NOT_FOUND',
  405: 'SKIFF_METHOD_NOT_ALLOWED',
  409: 'SKIFF_CONFLICT',
  410: 'SKIFF_GONE',
  422: 'SKIFF_INVALID',
  429: 'SKIFF_TOO_MANY_REQUESTS',
  503: 'SKIFF_UNAVAILABLE',
  504: 'SKIFF_TIMEOUT',
};

/** An agent's error answer as a Status error: its JSON Status message, or its text. */
export function agentError(status: number, body: string): ApiError {
  let message = body.trim();
  try {
    const parsed: unknown = JSON.parse(body);
    if (isPlainObject(parsed) && typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // plain text, as the kubelet writes most errors
  }
  if (message === '') message = `the agent answered ${status}`;
  return new ApiError(CODE_BY_STATUS[status] ?? 'SKIFF_INTERNAL', message);
}

function forwardHeaders(headers: IncomingMessage['headers']): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

/** Sends one request to an agent; resolves with its response once headers arrive. */
function agentRequest(cfg: KubeletClientConfig | undefined, target: AgentTarget, method: string, headers: OutgoingHttpHeaders, body?: Buffer): Promise<{ res: IncomingMessage; abort: () => void }> {
  const tls = agentTls(cfg, target.host);
  return new Promise((resolve, reject) => {
    const r = httpsRequest({ ...tls, port: target.port, method, path: target.path, headers, agent: false, timeout: cfg?.dialTimeoutMs ?? 10_000 });
    let answered = false;
    r.on('response', (res) => {
      answered = true;
      r.setTimeout(0);
      resolve({ res, abort: () => r.destroy() });
    });
    r.on('timeout', () => {
      if (!answered) r.destroy(new Error(`dial tcp ${target.host}:${target.port}: i/o timeout`));
    });
    r.on('error', (err) => {
      if (!answered) reject(internal(`error dialing backend: ${err.message}`, { cause: err }));
    });
    r.end(body);
  });
}

function readLimited(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      if (size < MAX_ERROR_BODY) chunks.push(c);
      size += c.length;
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY)));
    res.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** Pipes an agent response into the hijacked reply, cutting the agent when the client goes. */
function stream(reply: FastifyReply, res: IncomingMessage, abort: () => void, status: number, headers: OutgoingHttpHeaders): FastifyReply {
  void reply.hijack();
  const out = reply.raw;
  out.writeHead(status, headers);
  out.flushHeaders();
  out.on('close', () => {
    if (!res.complete) abort();
  });
  res.on('error', () => out.destroy());
  res.pipe(out);
  return reply;
}

async function serveLog(deps: ApiServerDeps, kubelet: KubeletClientConfig | undefined, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const params = request.params as { namespace: string; name: string };
  const q = request.url.indexOf('?');
  const query = new URLSearchParams(q < 0 ? '' : request.url.slice(q + 1));
  const target = await podAgentTarget(deps, 'log', params.namespace, params.name, query);
  if (!target) return reply.code(200).type('text/plain').send('');
  const { res, abort } = await agentRequest(kubelet, target, 'GET', { accept: '*/*' });
  if (res.statusCode !== 200) throw agentError(res.statusCode ?? 500, await readLimited(res));
  const type = res.headers['content-type'] ?? 'text/plain';
  return stream(reply, res, abort, 200, { 'content-type': type, 'cache-control': 'no-cache, private' });
}

async function serveNodeProxy(deps: ApiServerDeps, kubelet: KubeletClientConfig | undefined, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const params = request.params as { name: string; '*'?: string };
  const q = request.url.indexOf('?');
  const rawPath = q < 0 ? request.url : request.url.slice(0, q);
  const marker = rawPath.indexOf('/proxy');
  const rest = rawPath.slice(marker + '/proxy'.length) || '/';
  const path = q < 0 ? rest : `${rest}${request.url.slice(q)}`;
  const endpoint = await nodeEndpoint(deps, params.name);
  const body = Buffer.isBuffer(request.body) ? request.body : undefined;
  const headers = forwardHeaders(request.headers);
  if (body) headers['content-length'] = body.length;
  const { res, abort } = await agentRequest(kubelet, { ...endpoint, path }, request.method, headers, body);
  return stream(reply, res, abort, res.statusCode ?? 502, forwardHeaders(res.headers));
}

/** Registers the log and node proxy routes on the server. */
export function registerStreamingRoutes(app: FastifyInstance, deps: ApiServerDeps, kubelet: KubeletClientConfig | undefined): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.get('/api/v1/namespaces/:namespace/pods/:name/log', (request, reply) => serveLog(deps, kubelet, request, reply));
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
    const handler = (request: FastifyRequest, reply: FastifyReply) => serveNodeProxy(deps, kubelet, request, reply);
    scope.route({ method: [...methods], url: '/api/v1/nodes/:name/proxy', handler });
    scope.route({ method: [...methods], url: '/api/v1/nodes/:name/proxy/*', handler });
  });
}
