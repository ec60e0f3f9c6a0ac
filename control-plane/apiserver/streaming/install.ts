/**
 * The streaming path in one call for server.ts: the raw upgrade handler
 * (exec, attach, port-forward, upgrades on nodes/proxy) and the log and
 * node proxy routes, all forwarded to node agents.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiServerDeps } from '../context.js';
import { registerStreamingRoutes } from './http-forward.js';
import { installUpgradeProxy, type StreamingOptions } from './upgrade-proxy.js';

export type { KubeletClientConfig } from './agent-target.js';
export type { StreamingOptions } from './upgrade-proxy.js';

export function installStreaming(app: FastifyInstance, deps: ApiServerDeps, opts: StreamingOptions): void {
  installUpgradeProxy(app, deps, opts);
  registerStreamingRoutes(app, deps, opts.kubelet);
}
