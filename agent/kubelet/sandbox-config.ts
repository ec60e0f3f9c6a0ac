/**
 * The CRI PodSandboxConfig for a pod, as upstream's
 * generatePodSandboxConfig builds it. Pure: the host's resolv.conf and
 * hostname are inputs.
 *
 * - hostname: spec.hostname or the pod name (at most 63 characters); the
 *   node's hostname for hostNetwork pods.
 * - DNS (pkg/kubelet/network/dns): ClusterFirst → the cluster DNS servers,
 *   searches `<ns>.svc.<domain> svc.<domain> <domain>` then the host's,
 *   options ndots:5; ClusterFirst on hostNetwork and Default → the host's
 *   resolv.conf; ClusterFirstWithHostNet → ClusterFirst; None → nothing
 *   but spec.dnsConfig. Without cluster DNS servers ClusterFirst falls back
 *   to the host's (upstream warns MissingClusterDNS). spec.dnsConfig is
 *   then appended (servers, searches) and merged (options, by name).
 * - portMappings: every container port with a hostPort.
 * - linux: cgroupParent `/skiff/pod<uid>`, namespace options (hostNetwork,
 *   hostPID, hostIPC, shareProcessNamespace), pod-level runAsUser/Group,
 *   supplementalGroups, privileged when any container is, sysctls.
 */
import { join } from 'node:path';
import type { DnsConfig, NamespaceOption, PodSandboxConfig, PortMapping } from '../cri/runtime.js';
import { isHostNetwork, podContainers, podIdentity, podInitContainers, sandboxLabels } from './cri-labels.js';
import type { Pod } from './pod-deps.js';

export interface SandboxConfigInput {
  pod: Pod;
  attempt: number;
  /** The node's hostname (for hostNetwork pods). */
  nodeHostname: string;
  /** DIR/agent/logs/pods. */
  logRoot: string;
  clusterDns: string[];
  clusterDomain: string;
  /** The host's resolv.conf, parsed (see parseResolvConf). */
  hostDns: DnsConfig;
  /** The pods' parent cgroup (default `skiff`). */
  cgroupRoot?: string;
}

/** CRI NamespaceMode values. */
const POD = 0;
const CONTAINER = 1;
const NODE = 2;

export function cgroupParent(podUid: string, root = 'skiff'): string {
  return `/${root.replace(/^\/+|\/+$/g, '') || 'skiff'}/pod${podUid}`;
}

/** DIR/agent/logs/pods/<ns>_<name>_<uid>. */
export function podLogDirectory(logRoot: string, pod: Pod): string {
  const id = podIdentity(pod);
  return join(logRoot, `${id.namespace}_${id.name}_${id.uid}`);
}

export function parseResolvConf(text: string): DnsConfig {
  const out: DnsConfig = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (!line) continue;
    const [key, ...fields] = line.split(/\s+/);
    if (key === 'nameserver' && fields[0]) out.servers.push(fields[0]);
    else if (key === 'search' || key === 'domain') out.searches = fields;
    else if (key === 'options') out.options.push(...fields);
  }
  return out;
}

export function podHostname(pod: Pod, nodeHostname: string): string {
  if (isHostNetwork(pod)) return nodeHostname;
  const h = typeof pod.spec?.hostname === 'string' && pod.spec.hostname ? pod.spec.hostname : (pod.metadata.name ?? '');
  return h.slice(0, 63).replace(/[-.]+$/, '');
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function mergeOptions(base: string[], extra: { name?: string; value?: string }[]): string[] {
  const byName = new Map<string, string>();
  for (const o of base) {
    const i = o.indexOf(':');
    byName.set(i < 0 ? o : o.slice(0, i), o);
  }
  for (const o of extra) {
    if (!o.name) continue;
    byName.set(o.name, o.value !== undefined && o.value !== '' ? `${o.name}:${o.value}` : o.name);
  }
  return [...byName.values()];
}

export function podDnsConfig(pod: Pod, clusterDns: string[], clusterDomain: string, hostDns: DnsConfig): DnsConfig {
  const policy = typeof pod.spec?.dnsPolicy === 'string' ? pod.spec.dnsPolicy : 'ClusterFirst';
  let kind: 'cluster' | 'host' | 'none';
  if (policy === 'None') kind = 'none';
  else if (policy === 'Default') kind = 'host';
  else if (policy === 'ClusterFirstWithHostNet') kind = 'cluster';
  else kind = isHostNetwork(pod) ? 'host' : 'cluster';
  if (kind === 'cluster' && clusterDns.length === 0) kind = 'host';

  let cfg: DnsConfig;
  if (kind === 'none') cfg = { servers: [], searches: [], options: [] };
  else if (kind === 'host') cfg = { servers: [...hostDns.servers], searches: [...hostDns.searches], options: [...hostDns.options] };
  else {
    const ns = pod.metadata.namespace ?? 'default';
    const searches = clusterDomain ? [`${ns}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain, ...hostDns.searches] : [...hostDns.searches];
    cfg = { servers: [...clusterDns], searches: unique(searches), options: ['ndots:5'] };
  }
  const extra = pod.spec?.dnsConfig as { nameservers?: string[]; searches?: string[]; options?: { name?: string; value?: string }[] } | undefined;
  if (extra) {
    cfg.servers = unique([...cfg.servers, ...(extra.nameservers ?? [])]);
    cfg.searches = unique([...cfg.searches, ...(extra.searches ?? [])]);
    cfg.options = mergeOptions(cfg.options, extra.options ?? []);
  }
  return cfg;
}

function protocolNumber(p: unknown): number {
  return p === 'UDP' ? 1 : p === 'SCTP' ? 2 : 0;
}

export function portMappings(pod: Pod): PortMapping[] {
  const out: PortMapping[] = [];
  for (const c of podContainers(pod)) {
    const ports = Array.isArray(c.ports) ? (c.ports as Record<string, unknown>[]) : [];
    for (const p of ports) {
      const hostPort = typeof p.hostPort === 'number' ? p.hostPort : 0;
      if (hostPort <= 0) continue;
      out.push({
        protocol: protocolNumber(p.protocol),
        containerPort: typeof p.containerPort === 'number' ? p.containerPort : 0,
        hostPort,
        hostIp: typeof p.hostIP === 'string' ? p.hostIP : '',
      });
    }
  }
  return out;
}

export function namespaceOptions(pod: Pod): NamespaceOption {
  const s = pod.spec ?? {};
  return {
    network: s.hostNetwork === true ? NODE : POD,
    pid: s.hostPID === true ? NODE : s.shareProcessNamespace === true ? POD : CONTAINER,
    ipc: s.hostIPC === true ? NODE : POD,
  };
}

function privileged(pod: Pod): boolean {
  return [...podInitContainers(pod), ...podContainers(pod)].some((c) => (c.securityContext as { privileged?: boolean } | undefined)?.privileged === true);
}

export function buildSandboxConfig(input: SandboxConfigInput): PodSandboxConfig {
  const { pod } = input;
  const id = podIdentity(pod);
  const psc = (pod.spec?.securityContext ?? {}) as { runAsUser?: number; runAsGroup?: number; supplementalGroups?: number[]; sysctls?: { name: string; value: string }[] };
  const sysctls: Record<string, string> = {};
  for (const s of psc.sysctls ?? []) sysctls[s.name] = s.value;
  const securityContext: NonNullable<NonNullable<PodSandboxConfig['linux']>['securityContext']> = {
    namespaceOptions: namespaceOptions(pod),
    privileged: privileged(pod),
  };
  if (typeof psc.runAsUser === 'number') securityContext.runAsUser = { value: String(psc.runAsUser) };
  if (typeof psc.runAsGroup === 'number') securityContext.runAsGroup = { value: String(psc.runAsGroup) };
  if (psc.supplementalGroups?.length) securityContext.supplementalGroups = psc.supplementalGroups.map(String);
  return {
    metadata: { name: id.name, namespace: id.namespace, uid: id.uid, attempt: input.attempt },
    hostname: podHostname(pod, input.nodeHostname),
    logDirectory: podLogDirectory(input.logRoot, pod),
    dnsConfig: podDnsConfig(pod, input.clusterDns, input.clusterDomain, input.hostDns),
    portMappings: portMappings(pod),
    labels: sandboxLabels(pod),
    annotations: { ...(pod.metadata.annotations ?? {}) },
    linux: { cgroupParent: cgroupParent(id.uid, input.cgroupRoot), securityContext, sysctls },
  };
}
