/**
 * What a controller is to the controller manager, and what it is given.
 *
 * Lifecycle (as upstream's informer-driven controllers):
 * 1. setup(ctx): ask ctx.informers for the informers it reads, register
 *    handlers that enqueue keys, create its WorkQueue. No writes yet.
 * 2. run(): called once every informer has synced (so a controller never
 *    acts on a half-filled cache, e.g. creating pods that already exist);
 *    start the queue's workers and any periodic resync.
 * 3. stop(): stop queues and timers; in-flight calls may finish.
 * A controller reads from informer caches and writes only through
 * ctx.client; it never touches the Store.
 */
import type { ApiClient } from '../../api/client/api-client.js';
import type { Clock } from '../../api/meta.js';
import type { EventRecorder } from './event-recorder.js';
import type { InformerFactory } from './informer-factory.js';

export interface ControllerConfig {
  /** --cluster-cidr: the pod network, split into per-node blocks. */
  clusterCidr: string;
  /** --node-cidr-mask-size: the prefix length of each node's block. */
  nodeCidrMaskSize: number;
  /** --node-monitor-grace-period: how long a Lease may go unrenewed. */
  nodeMonitorGracePeriodMs: number;
  /** --service-cidr, for controllers that must know it. */
  serviceCidr: string;
  /** Terminated pods kept before pod GC deletes the oldest (upstream 12500). */
  terminatedPodGcThreshold: number;
  /** The cluster CA PEM the root CA publisher puts in every namespace's kube-root-ca.crt; absent: not published. */
  rootCaCertPem?: string;
}

export const CONTROLLER_CONFIG_DEFAULTS: ControllerConfig = {
  clusterCidr: '10.42.0.0/16',
  nodeCidrMaskSize: 24,
  nodeMonitorGracePeriodMs: 40_000,
  serviceCidr: '10.43.0.0/16',
  terminatedPodGcThreshold: 12_500,
};

export interface ControllerContext {
  client: ApiClient;
  informers: InformerFactory;
  clock: Clock;
  /** Uniform in [0, 1); injected for determinism. */
  random: () => number;
  /** A recorder whose events name `component` (e.g. "replicaset-controller") as their source. */
  recorder(component: string): EventRecorder;
  config: ControllerConfig;
  log(msg: string): void;
}

export interface Controller {
  readonly name: string;
  setup(ctx: ControllerContext): void;
  run(): void;
  stop(): void | Promise<void>;
}
