/**
 * AgentConfig: everything `skiff agent` (and the agent half of `skiff up`)
 * runs with, built from defaults overlaid with flags, validated once and
 * frozen.
 *
 * Contract: buildAgentConfig throws AgentConfigError (one line naming the
 * flag) for any invalid value; otherwise every default is filled and every
 * path is absolute. `server` and `token` are required unless the caller
 * says they come from elsewhere (`skiff up` joins its own server).
 */
import { isIP } from 'node:net';
import { hostname as osHostname, networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { parseSystemReserved, ReservedParseError } from './node/system-reserved.js';

export const AGENT_DEFAULTS = {
  kubeletPort: 10250,
  maxPods: 110,
  clusterDomain: 'cluster.local',
  clusterDns: '10.43.0.10',
  cgroupRoot: '/skiff',
} as const;

export interface AgentConfig {
  readonly dataDir: string;
  /** The API server URL; undefined only for `skiff up` before it knows its own. */
  readonly server: string | undefined;
  readonly token: string | undefined;
  readonly nodeName: string;
  readonly nodeIP: string;
  readonly kubeletPort: number;
  /** Resources held back from pods, as given: `cpu=250m,memory=512Mi` ('' for none). */
  readonly systemReserved: string;
  /** `unix:///…`; undefined: Skiff starts and supervises its own containerd. */
  readonly containerRuntimeEndpoint: string | undefined;
  /** The pod network of this node when no node IPAM assigns one. */
  readonly podCidr: string | undefined;
  readonly clusterDns: readonly string[];
  readonly clusterDomain: string;
  readonly maxPods: number;
  /** The pods' parent cgroup (upstream kubelet's --cgroup-root), e.g. `/skiff`. */
  readonly cgroupRoot: string;
}

export interface AgentFlags {
  dataDir?: string;
  server?: string;
  token?: string;
  nodeName?: string;
  nodeIp?: string;
  kubeletPort?: string;
  systemReserved?: string;
  containerRuntimeEndpoint?: string;
  podCidr?: string;
  clusterDns?: string;
  clusterDomain?: string;
  maxPods?: string;
  cgroupRoot?: string;
}

export class AgentConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentConfigError';
  }
}

/** The first non-internal IPv4 address of the host (what upstream's kubelet picks without --node-ip). */
export function defaultNodeIP(interfaces = networkInterfaces()): string {
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function parseCidr(flag: string, s: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s.trim());
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 30) {
    throw new AgentConfigError(`invalid ${flag} "${s}": expected an IPv4 CIDR such as 10.42.0.0/24`);
  }
  return s.trim();
}

function checkCgroupRoot(s: string): string {
  const t = s.trim();
  if (!/^\/[A-Za-z0-9._-]+$/.test(t)) throw new AgentConfigError(`invalid --cgroup-root "${s}": expected one cgroup name such as /skiff`);
  return t;
}

function checkReserved(s: string): string {
  try {
    parseSystemReserved(s);
  } catch (e) {
    if (e instanceof ReservedParseError) throw new AgentConfigError(`invalid --system-reserved "${s}": ${e.message}`);
    throw e;
  }
  return s.trim();
}

function parsePort(flag: string, s: string): number {
  const n = Number(s);
  if (!/^\d{1,5}$/.test(s.trim()) || n > 65535) throw new AgentConfigError(`invalid ${flag} "${s}": expected a number from 0 to 65535`);
  return n;
}

export function buildAgentConfig(flags: AgentFlags, opts: { requireServer: boolean; cwd?: string; hostname?: string } = { requireServer: true }): AgentConfig {
  const cwd = opts.cwd ?? process.cwd();
  if (flags.dataDir === undefined || flags.dataDir.trim() === '') throw new AgentConfigError('--data-dir is required');
  if (opts.requireServer) {
    if (!flags.server) throw new AgentConfigError('--server is required');
    if (!flags.token) throw new AgentConfigError('--token is required');
  }
  if (flags.server !== undefined) {
    let u: URL;
    try {
      u = new URL(flags.server);
    } catch {
      throw new AgentConfigError(`invalid --server "${flags.server}": expected https://HOST:PORT`);
    }
    if (u.protocol !== 'https:') throw new AgentConfigError(`invalid --server "${flags.server}": expected https://HOST:PORT`);
  }
  const nodeName = (flags.nodeName ?? opts.hostname ?? osHostname()).trim().toLowerCase();
  if (!NODE_NAME.test(nodeName) || nodeName.length > 253) {
    throw new AgentConfigError(`invalid --node-name "${nodeName}": a node name must be a lowercase DNS subdomain`);
  }
  const nodeIP = (flags.nodeIp ?? defaultNodeIP()).trim();
  if (isIP(nodeIP) !== 4) throw new AgentConfigError(`invalid --node-ip "${nodeIP}": expected an IPv4 address`);
  const kubeletPort = flags.kubeletPort === undefined ? AGENT_DEFAULTS.kubeletPort : parsePort('--kubelet-port', flags.kubeletPort);
  const endpoint = flags.containerRuntimeEndpoint?.trim();
  if (endpoint !== undefined && !/^unix:\/\/\/.+/.test(endpoint)) {
    throw new AgentConfigError(`invalid --container-runtime-endpoint "${endpoint}": expected unix:///path/to/containerd.sock`);
  }
  const clusterDns = (flags.clusterDns ?? AGENT_DEFAULTS.clusterDns)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const ip of clusterDns) if (isIP(ip) === 0) throw new AgentConfigError(`invalid --cluster-dns "${ip}": expected IP addresses`);
  const maxText = flags.maxPods ?? String(AGENT_DEFAULTS.maxPods);
  if (!/^\d{1,4}$/.test(maxText.trim()) || Number(maxText) < 1) throw new AgentConfigError(`invalid --max-pods "${maxText}": expected a number of pods`);
  return Object.freeze({
    dataDir: resolve(cwd, flags.dataDir),
    server: flags.server?.replace(/\/+$/, ''),
    token: flags.token,
    nodeName,
    nodeIP,
    kubeletPort,
    systemReserved: checkReserved(flags.systemReserved ?? ''),
    containerRuntimeEndpoint: endpoint,
    podCidr: flags.podCidr === undefined ? undefined : parseCidr('--pod-cidr', flags.podCidr),
    clusterDns: Object.freeze(clusterDns),
    clusterDomain: (flags.clusterDomain ?? AGENT_DEFAULTS.clusterDomain).trim(),
    maxPods: Number(maxText),
    cgroupRoot: checkCgroupRoot(flags.cgroupRoot ?? AGENT_DEFAULTS.cgroupRoot),
  });
}

/** Where the agent keeps things under its data dir. */
export function agentPaths(dataDir: string): { root: string; containerd: string; images: string; pods: string; logs: string; tls: string; kubeconfig: string } {
  const root = join(dataDir, 'agent');
  return {
    root,
    containerd: join(root, 'containerd'),
    images: join(root, 'images'),
    pods: join(root, 'pods'),
    logs: join(root, 'logs', 'pods'),
    tls: join(root, 'tls'),
    kubeconfig: join(root, 'kubeconfig.yaml'),
  };
}
