/**
 * ServerConfig: everything `skiff server` runs with, as one object built
 * from defaults overlaid with flags, validated once and frozen.
 *
 * Contract: buildServerConfig throws ConfigError (one line, naming the
 * flag and what is wrong) for any invalid value; otherwise the result is
 * complete (every default filled, paths absolute) and immutable. Also here:
 * the version strings the build reports (read from package.json at run
 * time).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePortRange, parseServiceCidr } from './apiserver/admission/service-allocation-ranges.js';

/** The Kubernetes release whose API Skiff serves. */
export const KUBERNETES_VERSION = 'v1.33.0';

export interface ServerConfig {
  readonly dataDir: string;
  readonly port: number;
  readonly bindAddress: string;
  readonly tlsSans: readonly string[];
  readonly datastore: string;
  readonly kubeconfigPath: string;
  readonly serviceCidr: string;
  readonly serviceNodePortRange: string;
  /** The pod network, split into per-node blocks by node IPAM. */
  readonly clusterCidr: string;
  readonly nodeCidrMaskSize: number;
  readonly nodeMonitorGracePeriodMs: number;
  /** Run the scheduler and controllers only while holding their Leases. */
  readonly leaderElect: boolean;
  readonly leaderElectLeaseDurationMs: number;
  readonly leaderElectRenewDeadlineMs: number;
  readonly leaderElectRetryPeriodMs: number;
  /** Terminated pods kept before pod GC deletes the oldest (upstream default 12500). */
  readonly terminatedPodGcThreshold: number;
  readonly disableScheduler: boolean;
  readonly disableControllerManager: boolean;
}

/** Flag values as given (strings, unvalidated); absent means default. */
export interface ServerFlags {
  dataDir?: string;
  port?: string;
  bindAddress?: string;
  tlsSan?: string[];
  datastore?: string;
  writeKubeconfig?: string;
  serviceCidr?: string;
  serviceNodePortRange?: string;
  clusterCidr?: string;
  nodeCidrMaskSize?: string;
  nodeMonitorGracePeriod?: string;
  leaderElect?: string;
  leaderElectLeaseDuration?: string;
  leaderElectRenewDeadline?: string;
  leaderElectRetryPeriod?: string;
  terminatedPodGcThreshold?: string;
  disableScheduler?: boolean;
  disableControllerManager?: boolean;
}

export const SERVER_DEFAULTS = {
  port: 6443,
  bindAddress: '0.0.0.0',
  serviceCidr: '10.43.0.0/16',
  serviceNodePortRange: '30000-32767',
  clusterCidr: '10.42.0.0/16',
  nodeCidrMaskSize: 24,
  nodeMonitorGracePeriod: '40s',
  leaderElectLeaseDuration: '15s',
  leaderElectRenewDeadline: '10s',
  leaderElectRetryPeriod: '2s',
  terminatedPodGcThreshold: 12500,
} as const;

/** A configuration mistake the user can fix; its message is one line. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration such as 40s, 1m30s or 500ms, in milliseconds. */
export function parseDuration(flag: string, s: string): number {
  const text = s.trim();
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (!text || parts.map((p) => p[0]).join('') !== text) {
    throw new ConfigError(`invalid ${flag} "${s}": expected a duration such as 40s, 1m30s or 500ms`);
  }
  return parts.reduce((ms, p) => ms + Number(p[1]) * DURATION_UNITS[p[2]!]!, 0);
}

function parseBool(flag: string, s: string): boolean {
  if (/^(true|1)$/i.test(s.trim())) return true;
  if (/^(false|0)$/i.test(s.trim())) return false;
  throw new ConfigError(`invalid ${flag} "${s}": expected true or false`);
}

function parseClusterCidr(s: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s.trim());
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 30) {
    throw new ConfigError(`invalid --cluster-cidr "${s}": expected an IPv4 CIDR such as 10.42.0.0/16`);
  }
  return s.trim();
}

function parsePort(s: string): number {
  if (!/^\d{1,5}$/.test(s.trim())) throw new ConfigError(`invalid --port "${s}": expected a number from 0 to 65535`);
  const n = Number(s);
  if (n > 65535) throw new ConfigError(`invalid --port "${s}": expected a number from 0 to 65535`);
  return n;
}

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9*]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i;

function checkDatastore(url: string): void {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.+)$/i.exec(url);
  const scheme = m?.[1]?.toLowerCase();
  if (!m || (scheme !== 'sqlite' && scheme !== 'etcd')) {
    throw new ConfigError(`invalid --datastore "${url}": expected sqlite:///path/to/state.db or etcd://host:port[,host:port...]`);
  }
  if (scheme === 'etcd') {
    for (const member of (m[2] ?? '').split(',')) {
      if (!/^[^:/\s]+:\d{1,5}$/.test(member.trim()) && !/^\[[0-9a-f:]+\]:\d{1,5}$/i.test(member.trim())) {
        throw new ConfigError(`invalid --datastore "${url}": etcd members must be host:port (got "${member}")`);
      }
    }
  }
}

export function buildServerConfig(flags: ServerFlags, cwd = process.cwd()): ServerConfig {
  if (flags.dataDir === undefined || flags.dataDir.trim() === '') throw new ConfigError('--data-dir is required');
  const dataDir = resolve(cwd, flags.dataDir);
  const port = flags.port === undefined ? SERVER_DEFAULTS.port : parsePort(flags.port);

  const bindAddress = (flags.bindAddress ?? SERVER_DEFAULTS.bindAddress).trim();
  if (isIP(bindAddress) === 0) throw new ConfigError(`invalid --bind-address "${bindAddress}": expected an IP address such as 0.0.0.0`);

  const tlsSans = (flags.tlsSan ?? []).map((s) => s.trim());
  for (const san of tlsSans) {
    if (isIP(san) === 0 && !DNS_NAME.test(san)) throw new ConfigError(`invalid --tls-san "${san}": expected a DNS name or an IP address`);
  }

  const datastore = flags.datastore ?? `sqlite://${join(dataDir, 'state.db')}`;
  checkDatastore(datastore);

  const serviceCidr = flags.serviceCidr ?? SERVER_DEFAULTS.serviceCidr;
  try {
    parseServiceCidr(serviceCidr);
  } catch (e) {
    throw new ConfigError(`--service-cidr: ${(e as Error).message}`);
  }
  const serviceNodePortRange = flags.serviceNodePortRange ?? SERVER_DEFAULTS.serviceNodePortRange;
  try {
    parsePortRange(serviceNodePortRange);
  } catch (e) {
    throw new ConfigError(`--service-node-port-range: ${(e as Error).message}`);
  }

  const kubeconfigPath = resolve(cwd, flags.writeKubeconfig ?? join(dataDir, 'kubeconfig.yaml'));

  const clusterCidr = parseClusterCidr(flags.clusterCidr ?? SERVER_DEFAULTS.clusterCidr);
  const clusterPrefix = Number(clusterCidr.split('/')[1]);
  const maskText = flags.nodeCidrMaskSize ?? String(SERVER_DEFAULTS.nodeCidrMaskSize);
  const nodeCidrMaskSize = Number(maskText);
  if (!/^\d{1,2}$/.test(maskText.trim()) || nodeCidrMaskSize < clusterPrefix || nodeCidrMaskSize > 30) {
    throw new ConfigError(`invalid --node-cidr-mask-size "${maskText}": expected a prefix length from ${clusterPrefix} (the --cluster-cidr's) to 30`);
  }
  const nodeMonitorGracePeriodMs = parseDuration('--node-monitor-grace-period', flags.nodeMonitorGracePeriod ?? SERVER_DEFAULTS.nodeMonitorGracePeriod);
  const leaderElect = flags.leaderElect === undefined ? true : parseBool('--leader-elect', flags.leaderElect);
  const leaderElectLeaseDurationMs = parseDuration('--leader-elect-lease-duration', flags.leaderElectLeaseDuration ?? SERVER_DEFAULTS.leaderElectLeaseDuration);
  const leaderElectRenewDeadlineMs = parseDuration('--leader-elect-renew-deadline', flags.leaderElectRenewDeadline ?? SERVER_DEFAULTS.leaderElectRenewDeadline);
  const leaderElectRetryPeriodMs = parseDuration('--leader-elect-retry-period', flags.leaderElectRetryPeriod ?? SERVER_DEFAULTS.leaderElectRetryPeriod);
  const gcText = flags.terminatedPodGcThreshold ?? String(SERVER_DEFAULTS.terminatedPodGcThreshold);
  if (!/^\d{1,9}$/.test(gcText.trim())) throw new ConfigError(`invalid --terminated-pod-gc-threshold "${gcText}": expected a number of pods (0 disables)`);
  const terminatedPodGcThreshold = Number(gcText);
  if (leaderElectRenewDeadlineMs >= leaderElectLeaseDurationMs) {
    throw new ConfigError('invalid --leader-elect-renew-deadline: it must be shorter than --leader-elect-lease-duration');
  }
  if (leaderElectRetryPeriodMs >= leaderElectRenewDeadlineMs) {
    throw new ConfigError('invalid --leader-elect-retry-period: it must be shorter than --leader-elect-renew-deadline');
  }

  return Object.freeze({
    dataDir,
    port,
    bindAddress,
    tlsSans: Object.freeze([...new Set(tlsSans)]),
    datastore,
    kubeconfigPath,
    serviceCidr: parseServiceCidr(serviceCidr).text,
    serviceNodePortRange: parsePortRange(serviceNodePortRange).text,
    clusterCidr,
    nodeCidrMaskSize,
    nodeMonitorGracePeriodMs,
    leaderElect,
    leaderElectLeaseDurationMs,
    leaderElectRenewDeadlineMs,
    leaderElectRetryPeriodMs,
    terminatedPodGcThreshold,
    disableScheduler: flags.disableScheduler ?? false,
    disableControllerManager: flags.disableControllerManager ?? false,
  });
}

/** Skiff's own version, from the package.json above this module (dist or source layout). */
export function packageVersion(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown; version?: unknown };
        if (pkg.name === 'skiff' && typeof pkg.version === 'string') return pkg.version;
      } catch {
        // unreadable: keep looking upwards
      }
    }
    const up = dirname(dir);
    if (up === dir) return '0.0.0';
    dir = up;
  }
}

/** The gitVersion /version reports: `v1.33.0+skiff.0.1.0` (valid semver build metadata). */
export function kubernetesGitVersion(version = packageVersion()): string {
  return `${KUBERNETES_VERSION}+skiff.${version.replace(/[^0-9A-Za-z.-]/g, '-')}`;
}
