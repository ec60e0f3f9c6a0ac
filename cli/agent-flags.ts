/**
 * The agent's flags, shared by `skiff agent` and `skiff up` (which takes
 * every agent flag except --server and --token: it joins its own server).
 */
import type { AgentFlags } from '../agent/config.js';
import { parseFlags } from './args.js';

export const AGENT_OPTIONS = {
  'data-dir': { type: 'string' },
  server: { type: 'string' },
  token: { type: 'string' },
  'node-name': { type: 'string' },
  'node-ip': { type: 'string' },
  'kubelet-port': { type: 'string' },
  'system-reserved': { type: 'string' },
  'container-runtime-endpoint': { type: 'string' },
  'pod-cidr': { type: 'string' },
  'cluster-dns': { type: 'string' },
  'cluster-domain': { type: 'string' },
  'max-pods': { type: 'string' },
  'cgroup-root': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = Partial<Record<keyof typeof AGENT_OPTIONS, string | boolean | string[] | undefined>>;

/** Picks the agent's flags out of parsed values (those of `skiff agent` or `skiff up`). */
export function agentFlagsFrom(v: Values): AgentFlags {
  const s = (k: keyof typeof AGENT_OPTIONS): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const flags: AgentFlags = {};
  const set = <K extends keyof AgentFlags>(key: K, value: AgentFlags[K] | undefined): void => {
    if (value !== undefined) flags[key] = value;
  };
  set('dataDir', s('data-dir'));
  set('server', s('server'));
  set('token', s('token'));
  set('nodeName', s('node-name'));
  set('nodeIp', s('node-ip'));
  set('kubeletPort', s('kubelet-port'));
  set('systemReserved', s('system-reserved'));
  set('containerRuntimeEndpoint', s('container-runtime-endpoint'));
  set('podCidr', s('pod-cidr'));
  set('clusterDns', s('cluster-dns'));
  set('clusterDomain', s('cluster-domain'));
  set('maxPods', s('max-pods'));
  set('cgroupRoot', s('cgroup-root'));
  return flags;
}

export function agentFlags(args: string[]): AgentFlags | 'help' {
  const v = parseFlags(args, AGENT_OPTIONS, 'agent');
  if (v.help) return 'help';
  return agentFlagsFrom(v);
}
