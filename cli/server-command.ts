/**
 * `skiff server`: parses flags into a ServerConfig, starts the control
 * plane, and shuts it down cleanly on SIGTERM or SIGINT (in-flight writes
 * finish, the store closes, exit 0). A second signal exits at once.
 */
import { buildServerConfig, type ServerFlags } from '../control-plane/config.js';
import { startServer } from '../control-plane/main.js';
import { parseFlags } from './args.js';
import { SERVER_USAGE } from './usage.js';

export const SERVER_OPTIONS = {
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  'bind-address': { type: 'string' },
  'tls-san': { type: 'string', multiple: true },
  datastore: { type: 'string' },
  'write-kubeconfig': { type: 'string' },
  'service-cidr': { type: 'string' },
  'service-node-port-range': { type: 'string' },
  'cluster-cidr': { type: 'string' },
  'node-cidr-mask-size': { type: 'string' },
  'node-monitor-grace-period': { type: 'string' },
  'leader-elect': { type: 'string' },
  'leader-elect-lease-duration': { type: 'string' },
  'leader-elect-renew-deadline': { type: 'string' },
  'leader-elect-retry-period': { type: 'string' },
  'terminated-pod-gc-threshold': { type: 'string' },
  'disable-scheduler': { type: 'boolean' },
  'disable-controller-manager': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function serverFlags(args: string[]): ServerFlags | 'help' {
  const v = parseFlags(args, SERVER_OPTIONS, 'server');
  if (v.help) return 'help';
  return serverFlagsFrom(v);
}

type ServerValues = Partial<{ [K in keyof typeof SERVER_OPTIONS]: (typeof SERVER_OPTIONS)[K]['type'] extends 'boolean' ? boolean : (typeof SERVER_OPTIONS)[K] extends { multiple: true } ? string[] : string }>;

/** Picks the server's flags out of parsed values (those of `skiff server` or `skiff up`). */
export function serverFlagsFrom(v: ServerValues): ServerFlags {
  const flags: ServerFlags = {};
  if (v['data-dir'] !== undefined) flags.dataDir = v['data-dir'];
  if (v.port !== undefined) flags.port = v.port;
  if (v['bind-address'] !== undefined) flags.bindAddress = v['bind-address'];
  if (v['tls-san'] !== undefined) flags.tlsSan = v['tls-san'];
  if (v.datastore !== undefined) flags.datastore = v.datastore;
  if (v['write-kubeconfig'] !== undefined) flags.writeKubeconfig = v['write-kubeconfig'];
  if (v['service-cidr'] !== undefined) flags.serviceCidr = v['service-cidr'];
  if (v['service-node-port-range'] !== undefined) flags.serviceNodePortRange = v['service-node-port-range'];
  if (v['cluster-cidr'] !== undefined) flags.clusterCidr = v['cluster-cidr'];
  if (v['node-cidr-mask-size'] !== undefined) flags.nodeCidrMaskSize = v['node-cidr-mask-size'];
  if (v['node-monitor-grace-period'] !== undefined) flags.nodeMonitorGracePeriod = v['node-monitor-grace-period'];
  if (v['leader-elect'] !== undefined) flags.leaderElect = v['leader-elect'];
  if (v['leader-elect-lease-duration'] !== undefined) flags.leaderElectLeaseDuration = v['leader-elect-lease-duration'];
  if (v['leader-elect-renew-deadline'] !== undefined) flags.leaderElectRenewDeadline = v['leader-elect-renew-deadline'];
  if (v['leader-elect-retry-period'] !== undefined) flags.leaderElectRetryPeriod = v['leader-elect-retry-period'];
  if (v['terminated-pod-gc-threshold'] !== undefined) flags.terminatedPodGcThreshold = v['terminated-pod-gc-threshold'];
  if (v['disable-scheduler'] !== undefined) flags.disableScheduler = v['disable-scheduler'];
  if (v['disable-controller-manager'] !== undefined) flags.disableControllerManager = v['disable-controller-manager'];
  return flags;
}

export async function runServer(args: string[]): Promise<void> {
  const flags = serverFlags(args);
  if (flags === 'help') {
    process.stdout.write(SERVER_USAGE);
    return;
  }
  const cfg = buildServerConfig(flags);

  // Signal handlers go in before anything starts: a SIGTERM that arrives
  // during start-up (or the instant the server reports ready) must shut
  // down cleanly, never kill the process with the default action.
  let running: Awaited<ReturnType<typeof startServer>> | undefined = undefined;
  let stopping = false;
  const shutdown = (server: NonNullable<typeof running>): void => {
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`skiff: shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`skiff: ${signal} again, exiting without waiting\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`skiff: ${signal} received, shutting down\n`);
    if (running) shutdown(running);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  running = await startServer(cfg);
  if (stopping) {
    shutdown(running);
    return;
  }
  process.stderr.write(`skiff: serving the Kubernetes API on ${running.url} (data dir ${running.dataDir})\n`);
  process.stderr.write(`skiff: admin kubeconfig written to ${running.kubeconfigPath}\n`);
}
