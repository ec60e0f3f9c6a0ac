/**
 * From a connect request to the agent that must answer it: reads the pod
 * (and its node) from the store, validates and builds the agent path
 * (kubelet-paths.ts), and carries the TLS material the apiserver uses as a
 * client of node agents.
 *
 * Contract:
 * - pod missing → 404 `pods "p" not found`; not bound → 400 `pod p does
 *   not have a host assigned` (a log request answers `undefined` instead:
 *   upstream streams nothing for an unscheduled pod); node missing → 404
 *   `nodes "n" not found`; no client certificate configured → 503.
 * - agentTls() verifies the agent's serving certificate against the
 *   cluster CA unless `insecureSkipTlsVerify` is set (tests only).
 */
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { badRequest, notFound, unavailable } from '../../api/errors.js';
import { isPlainObject, type KubeObject } from '../../api/meta.js';
import type { ApiServerDeps } from '../context.js';
import { decodeEntry, storageKey } from '../rest/codec.js';
import { nodeAgentEndpoint, podAgentPath, type PodConnectKind } from './kubelet-paths.js';

/** How the apiserver reaches node agents. */
export interface KubeletClientConfig {
  /** PEM client certificate (CN=kube-apiserver-kubelet-client, O=system:masters). */
  certPem: string;
  keyPem: string;
  /** PEM CA the agents' serving certificates chain to. */
  caPem: string;
  /** Skip verification of the agent's serving certificate (tests only). */
  insecureSkipTlsVerify?: boolean;
  /** How long to wait for the TLS connection to an agent (default 10 s). */
  dialTimeoutMs?: number;
}

export interface AgentTarget {
  host: string;
  port: number;
  /** Path and query on the agent. */
  path: string;
}

async function read(deps: ApiServerDeps, resource: string, namespace: string, name: string): Promise<KubeObject> {
  const resolved = deps.table.resolve('', 'v1', resource);
  if (!resolved) throw unavailable(`${resource} are not served`);
  const e = await deps.store.get(storageKey(resolved.entry, namespace, name));
  if (!e) throw notFound({ group: '', resource }, name);
  return decodeEntry(e);
}

/** The agent endpoint of a node by name. */
export async function nodeEndpoint(deps: ApiServerDeps, nodeName: string): Promise<{ host: string; port: number }> {
  return nodeAgentEndpoint(await read(deps, 'nodes', '', nodeName));
}

/** Where a pod's exec/attach/portforward/log goes; undefined for the log of an unscheduled pod. */
export async function podAgentTarget(deps: ApiServerDeps, kind: PodConnectKind, namespace: string, name: string, query: URLSearchParams): Promise<AgentTarget | undefined> {
  const pod = await read(deps, 'pods', namespace, name);
  // The path validates the container first, as upstream does before looking at the node.
  const path = podAgentPath(kind, pod, query);
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const nodeName = typeof spec.nodeName === 'string' ? spec.nodeName : '';
  if (nodeName === '') {
    if (kind === 'log') return undefined;
    throw badRequest(`pod ${name} does not have a host assigned`);
  }
  return { ...(await nodeEndpoint(deps, nodeName)), path };
}

/** TLS options for connecting to an agent as the apiserver's kubelet client. */
export function agentTls(cfg: KubeletClientConfig | undefined, host: string): ConnectionOptions {
  if (!cfg) throw unavailable('the API server has no client certificate for node agents');
  const opts: ConnectionOptions = {
    host,
    cert: cfg.certPem,
    key: cfg.keyPem,
    ca: cfg.caPem,
    rejectUnauthorized: cfg.insecureSkipTlsVerify !== true,
    ALPNProtocols: ['http/1.1'],
  };
  if (isIP(host) === 0) opts.servername = host;
  return opts;
}
