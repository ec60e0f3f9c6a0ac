/**
 * buildServer: the apiserver's HTTPS shell around the REST machinery.
 * Returns a fastify instance that is NOT listening (so tests can inject),
 * with, in order:
 * - TLS only, HTTP/1.1, a client certificate requested but not required
 *   (the auth hook checks `socket.authorized`), a 3 MiB body limit;
 * - the shared error handler (every failure is a metav1.Status) and a
 *   NotFound Status for unknown paths;
 * - authentication and authorization (auth/auth-hook.ts);
 * - request metrics and /metrics;
 * - health (/healthz, /livez, /readyz, `?verbose` and per-check paths) and
 *   /version;
 * - discovery from deps.table;
 * - OpenAPI v2 (protobuf and JSON) and v3 generated from deps.table and
 *   the schema graph (openapi/routes.ts);
 * - the resource routes passed in `routes` (main.ts passes the REST layer's
 *   registerResourceRoutes; tests pass their own).
 * Long-running requests (watches, follows, upgrades) are cut when the
 * server closes, so close() waits only for ordinary in-flight requests.
 */
import fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { Socket } from 'node:net';
import { ApiError } from '../api/errors.js';
import type { ApiServerDeps } from './context.js';
import { sendStatusError } from './error-handler.js';
import { installAuth } from './auth/auth-hook.js';
import type { Authenticator } from './auth/authenticator.js';
import { alwaysAllow, type Authorizer } from './auth/authorizer.js';
import { registerDiscoveryRoutes } from './discovery/routes.js';
import { registerOpenApiRoutes } from './openapi/routes.js';
import type { ServerMetrics } from './metrics/api-metrics.js';
import { installRequestMetrics } from './metrics/request-metrics.js';
import { parseRequestInfo } from './request-info.js';
import { installStreaming, type KubeletClientConfig } from './streaming/install.js';

/** 3 MiB, upstream's request body limit. */
export const BODY_LIMIT = 3 * 1024 * 1024;

export interface TlsMaterial {
  /** PEM private key of the serving certificate. */
  key: string;
  /** PEM serving certificate. */
  cert: string;
  /** PEM CA that client certificates must chain to. */
  ca: string;
}

export interface BuildInfo {
  gitCommit: string;
  buildDate: string;
}

/** Mutable readiness: main.ts flips `ready` once bootstrapped and off again on shutdown. */
export interface HealthState {
  ready: boolean;
}

export interface BuildServerOptions {
  tls: TlsMaterial;
  authenticator: Authenticator;
  authorizer?: Authorizer;
  metrics: ServerMetrics;
  routes?: (app: FastifyInstance, deps: ApiServerDeps) => void;
  buildInfo?: BuildInfo;
  health?: HealthState;
  /** `host:port` advertised in /api; by default the address the request arrived on. */
  serverAddress?: () => string;
  logger?: FastifyServerOptions['logger'];
  /** The apiserver's client certificate for node agents (exec, attach, port-forward, logs, node proxy). */
  kubeletClient?: KubeletClientConfig;
}

export const DEFAULT_BUILD_INFO: BuildInfo = { gitCommit: '0000000000000000000000000000000000000000', buildDate: '1970-01-01T00:00:00Z' };

/** The /version document for a gitVersion such as `v1.33.0+skiff.0.1.0`. */
export function versionInfo(gitVersion: string, build: BuildInfo): Record<string, string> {
  const m = /^v(\d+)\.(\d+)\./.exec(gitVersion);
  return {
    major: m?.[1] ?? '1',
    minor: m?.[2] ?? '0',
    gitVersion,
    gitCommit: build.gitCommit,
    gitTreeState: 'clean',
    buildDate: build.buildDate,
    goVersion: '',
    compiler: 'skiff',
    platform: 'linux/amd64',
  };
}

function isLongRunning(request: FastifyRequest): boolean {
  if (typeof request.headers.upgrade === 'string') return true;
  const info = parseRequestInfo(request.method, request.url);
  if (info.verb === 'watch') return true;
  const q = request.query as Record<string, unknown> | undefined;
  return info.subresource === 'log' && (q?.['follow'] === 'true' || q?.['follow'] === '1');
}

type Check = { name: string; run: () => Promise<void> };

function registerHealth(app: FastifyInstance, deps: ApiServerDeps, health: HealthState): void {
  const ping: Check = { name: 'ping', run: async () => undefined };
  const storage: Check = {
    name: 'etcd',
    run: async () => {
      await deps.store.currentRevision();
    },
  };
  const ready: Check = {
    name: 'readiness',
    run: async () => {
      if (!health.ready) throw new Error('not ready');
    },
  };
  const endpoints: Record<string, Check[]> = { healthz: [ping, storage], livez: [ping], readyz: [ping, storage, ready] };

  const answer = async (endpoint: string, checks: Check[], request: FastifyRequest, reply: FastifyReply) => {
    const lines: string[] = [];
    let failed = false;
    for (const c of checks) {
      try {
        await c.run();
        lines.push(`[+]${c.name} ok`);
      } catch {
        failed = true;
        lines.push(`[-]${c.name} failed: reason withheld`);
      }
    }
    const verbose = Object.prototype.hasOwnProperty.call(request.query ?? {}, 'verbose');
    void reply.code(failed ? 500 : 200).type('text/plain; charset=utf-8');
    if (failed || verbose) return reply.send(`${lines.join('\n')}\n${endpoint} check ${failed ? 'failed' : 'passed'}\n`);
    return reply.send('ok');
  };

  for (const [endpoint, checks] of Object.entries(endpoints)) {
    app.get(`/${endpoint}`, (request, reply) => answer(endpoint, checks, request, reply));
    app.get<{ Params: { check: string } }>(`/${endpoint}/:check`, (request, reply) => {
      const one = checks.filter((c) => c.name === request.params.check);
      if (one.length === 0) throw new ApiError('SKIFF_NOT_FOUND', 'the server could not find the requested resource');
      return answer(endpoint, one, request, reply);
    });
  }
}

export function buildServer(deps: ApiServerDeps, opts: BuildServerOptions): FastifyInstance {
  const app = fastify({
    https: {
      key: opts.tls.key,
      cert: opts.tls.cert,
      ca: opts.tls.ca,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: 2048 },
    return503OnClosing: true,
    logger: opts.logger ?? false,
  });
  const health = opts.health ?? { ready: true };

  app.setErrorHandler((err, request, reply) => sendStatusError(err, request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendStatusError(new ApiError('SKIFF_NOT_FOUND', 'the server could not find the requested resource'), request, reply),
  );

  installAuth(app, opts.authenticator, opts.authorizer ?? alwaysAllow);
  installRequestMetrics(app, opts.metrics);

  // Long-running requests would hold close() open forever; their sockets
  // are destroyed when the server starts closing (preClose), after which
  // fastify waits only for ordinary in-flight requests such as writes.
  const longRunning = new Set<Socket>();
  app.addHook('onRequest', async (request) => {
    if (!isLongRunning(request)) return;
    const socket = request.raw.socket as Partial<Socket> | undefined;
    // Injected requests have no real socket and nothing to cut.
    if (typeof socket?.destroy !== 'function' || typeof socket.once !== 'function') return;
    const real = socket as Socket;
    longRunning.add(real);
    real.once('close', () => longRunning.delete(real));
  });
  app.addHook('preClose', async () => {
    health.ready = false;
    for (const s of longRunning) s.destroy();
    longRunning.clear();
  });

  registerHealth(app, deps, health);
  const build = opts.buildInfo ?? DEFAULT_BUILD_INFO;
  const version = versionInfo(deps.gitVersion, build);
  app.get('/version', async () => version);

  registerDiscoveryRoutes(app, {
    table: deps.table,
    serverAddress: (request) => {
      if (opts.serverAddress) return opts.serverAddress();
      const s = request.raw.socket;
      if (!s.localAddress || !s.localPort) return '127.0.0.1:6443';
      const host = s.localAddress.replace(/^::ffff:/, '');
      return host.includes(':') ? `[${host}]:${s.localPort}` : `${host}:${s.localPort}`;
    },
  });

  registerOpenApiRoutes(app, { table: deps.table, version: deps.gitVersion });
  opts.routes?.(app, deps);
  installStreaming(app, deps, { authenticator: opts.authenticator, authorizer: opts.authorizer ?? alwaysAllow, kubelet: opts.kubeletClient });
  return app;
}
