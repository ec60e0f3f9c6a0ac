/**
 * The node half of the kubelet for the one real node: registration, the
 * Lease heartbeat and node status, as upstream (kubelet_node_status.go,
 * nodelease). A thin loop around the pure node-object and
 * eviction-thresholds modules, reading the host through a HostProbe and the
 * runtime through CRI.
 *
 * - start() registers the Node (create; on AlreadyExists the default labels
 *   and the attach/detach annotation are reconciled and the status is
 *   re-reported), retrying with backoff until it succeeds or stop(), then
 *   runs the loops and resolves. The Lease is written at once and every
 *   10 s. Every 10 s the node is read back, the readings and the runtime's
 *   Status judged, and the status patched when it changed (heartbeats
 *   aside) or at least every minute.
 * - Ready is False (KubeletNotReady) while the runtime's Status fails or
 *   says RuntimeReady/NetworkReady false, with upstream's messages, or
 *   while notReadyReasons() gives any (Skiff's own, e.g. images importing).
 * - podCIDR() resolves with the Node's spec.podCIDR (set by the server's
 *   node IPAM), or at once with `--pod-cidr` when one was given.
 * - ready() resolves after the first status written with Ready=True.
 * - A Node deleted behind the agent's back is registered again.
 * stop() ends the loops; the Node and the Lease stay, as a stopped kubelet's.
 */
import type { ApiClient, ResourceRef } from '../../control-plane/api/client/api-client.js';
import type { Transport } from '../../control-plane/api/client/transport.js';
import { isApiError } from '../../control-plane/api/errors.js';
import type { Clock } from '../../control-plane/api/meta.js';
import type { Runtime, RuntimeCondition } from '../cri/runtime.js';
import { observe, parseThresholds, PressureTracker, SKIFF_EVICTION_HARD, thresholdsMet, type Threshold } from './eviction-thresholds.js';
import type { HostProbe } from './host-info.js';
import { LEASE_RENEW_INTERVAL_MS, NodeLease } from './node-lease.js';
import {
  DEFAULT_MAX_PODS,
  desiredNodeStatus,
  newNode,
  nodeImages,
  reconcileExisting,
  statusChanged,
  type ContainerImage,
  type Node,
  type NodeConfig,
  type NodeFacts,
  type NodeHealth,
} from './node-object.js';
import { nodeMemory } from './stats-summary.js';
import { StatsSampler } from './stats-sampler.js';
import { parseSystemReserved, type ReservedResources } from './system-reserved.js';

export const NODES: ResourceRef = { group: '', version: 'v1', resource: 'nodes' };
/** nodeStatusUpdateFrequency: how often the status is computed. */
export const STATUS_UPDATE_MS = 10_000;
/** The "at least every minute" (upstream's nodeStatusReportFrequency is 5 min). */
export const STATUS_REPORT_MS = 60_000;
/** maxWaitForContainerRuntime: after this without a good runtime Status, "container runtime is down". */
export const RUNTIME_SYNC_THRESHOLD_MS = 30_000;

export interface NodeAgentDeps {
  client: ApiClient;
  runtime: Runtime;
  nodeName: string;
  nodeIP: string;
  kubeletPort: number;
  /** `--system-reserved` text or parsed. */
  systemReserved?: string | ReservedResources;
  maxPods?: number;
  host: HostProbe;
  clock: Clock;
  log: (msg: string) => void;
  /** The node filesystem is the one holding this directory. */
  dataDir: string;
  /** The server's gitVersion (GET /version); see fetchServerGitVersion. */
  serverVersion: () => Promise<string>;
  /** `--pod-cidr`, for running without node IPAM. */
  podCIDR?: string;
  /** evictionHard map; default SKIFF_EVICTION_HARD. */
  evictionHard?: Readonly<Record<string, string>>;
  /** A sampler to share (the agent's /stats/summary); one is made and run otherwise. */
  stats?: StatsSampler;
  /** More reasons the node is not ready yet (e.g. airgap images still importing); joined into Ready's message. */
  notReadyReasons?: () => string[];
  /** Report node.status.images (default true). */
  reportImages?: boolean;
  statusUpdateMs?: number;
  statusReportMs?: number;
  leaseRenewMs?: number;
}

/** The gitVersion of the server behind `transport` (GET /version). */
export async function fetchServerGitVersion(transport: Transport): Promise<string> {
  const res = await transport.request({ method: 'GET', path: '/version' });
  if (res.status !== 200) throw new Error(`GET /version: HTTP ${res.status}`);
  const v = (JSON.parse(res.body) as { gitVersion?: unknown }).gitVersion;
  if (typeof v !== 'string' || v === '') throw new Error('GET /version: no gitVersion');
  return v;
}

/** Upstream's RuntimeCondition String(): `NetworkReady=false reason:X message:Y`. */
function conditionText(c: RuntimeCondition | undefined): string {
  return c ? `${c.type}=${c.status} reason:${c.reason} message:${c.message}` : '<nil>';
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export class NodeAgent {
  readonly stats: StatsSampler;
  readonly lease: NodeLease;
  private readonly cfg: NodeConfig;
  private readonly thresholds: Threshold[];
  private readonly pressure = new PressureTracker();
  private readonly ownsStats: boolean;
  private readonly readyD = deferred<void>();
  private readonly cidrD = deferred<string>();
  private node: Node | undefined;
  private kubeletVersion: string | undefined;
  private runtimeVersion: string | undefined;
  private lastRuntimeOkMs: number | undefined;
  private runtimeErr: string | undefined;
  private networkErr: string | undefined;
  private images: ContainerImage[] | undefined;
  private lastReportMs = 0;
  private stopped = false;
  private statusTimer: NodeJS.Timeout | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private statusRunning: Promise<void> | undefined;
  /** Status writes made (for tests and logs). */
  statusWrites = 0;

  constructor(private readonly d: NodeAgentDeps) {
    const reserved = typeof d.systemReserved === 'string' ? parseSystemReserved(d.systemReserved) : (d.systemReserved ?? {});
    this.thresholds = parseThresholds(d.evictionHard ?? SKIFF_EVICTION_HARD);
    this.cfg = { nodeName: d.nodeName, nodeIP: d.nodeIP, kubeletPort: d.kubeletPort, maxPods: d.maxPods ?? DEFAULT_MAX_PODS, systemReserved: reserved, thresholds: this.thresholds };
    this.ownsStats = !d.stats;
    this.stats = d.stats ?? new StatsSampler({ host: d.host, runtime: d.runtime, clock: d.clock, nodeName: d.nodeName, dataDir: d.dataDir, log: d.log });
    this.lease = new NodeLease({ client: d.client, clock: d.clock, nodeName: d.nodeName, nodeUid: () => this.node?.metadata.uid });
    if (d.podCIDR) this.cidrD.resolve(d.podCIDR);
  }

  /** Registers the node (retrying), then starts the Lease and status loops. */
  async start(): Promise<void> {
    if (this.ownsStats) this.stats.start();
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.register();
        break;
      } catch (e) {
        if (attempt === 0 || attempt % 10 === 0) this.d.log(`unable to register node ${this.d.nodeName}: ${e instanceof Error ? e.message : String(e)}; retrying`);
        await this.sleep(Math.min(7000, 200 * 2 ** attempt));
      }
    }
    if (this.stopped) return;
    this.leaseLoop();
    this.statusLoop();
  }

  stop(): void {
    this.stopped = true;
    if (this.statusTimer) clearTimeout(this.statusTimer);
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    this.wake?.();
    if (this.ownsStats) this.stats.stop();
  }

  /** Resolves once a status with Ready=True has been written. */
  ready(): Promise<void> {
    return this.readyD.promise;
  }

  /** The node's pod CIDR: `--pod-cidr`, or spec.podCIDR once node IPAM set it. */
  podCIDR(): Promise<string> {
    return this.cidrD.promise;
  }

  /** The Node as last read or written. */
  current(): Node | undefined {
    return this.node;
  }

  /** Computes and (if changed) reports the status now rather than at the next period. */
  async updateStatusNow(): Promise<void> {
    await this.statusRunning;
    await this.syncStatus();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private seen(node: Node): void {
    this.node = node;
    const cidr = node.spec?.podCIDRs?.[0] ?? node.spec?.podCIDR;
    if (cidr) this.cidrD.resolve(cidr);
  }

  private async facts(): Promise<NodeFacts> {
    const { host, runtime } = this.d;
    this.kubeletVersion ??= await this.d.serverVersion();
    if (this.runtimeVersion === undefined) {
      try {
        const v = await runtime.version();
        this.runtimeVersion = `${v.runtimeName}://${v.runtimeVersion}`;
      } catch {
        // The runtime is not up yet: Ready says so; the version comes with it.
      }
    }
    const machine = await host.machine();
    const nodefs = this.stats.latest()?.nodefs ?? (await host.fs(this.d.dataDir));
    return { machine, ephemeralStorageBytes: nodefs.capacityBytes, containerRuntimeVersion: this.runtimeVersion ?? '', kubeletVersion: this.kubeletVersion };
  }

  private async health(): Promise<NodeHealth> {
    const now = this.d.clock.now().getTime();
    try {
      const conds = await this.d.runtime.status();
      this.lastRuntimeOkMs = now;
      const net = conds.find((c) => c.type === 'NetworkReady');
      const rt = conds.find((c) => c.type === 'RuntimeReady');
      this.networkErr = net?.status ? undefined : `container runtime network not ready: ${conditionText(net)}`;
      this.runtimeErr = rt?.status ? undefined : `container runtime not ready: ${conditionText(rt)}`;
    } catch (e) {
      this.d.log(`container runtime status check failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const errors: string[] = [];
    if (this.lastRuntimeOkMs === undefined) errors.push('container runtime status check may not have completed yet');
    else if (now - this.lastRuntimeOkMs >= RUNTIME_SYNC_THRESHOLD_MS) errors.push('container runtime is down');
    if (this.runtimeErr) errors.push(this.runtimeErr);
    if (this.networkErr) errors.push(this.networkErr);
    errors.push(...(this.d.notReadyReasons?.() ?? []));

    const s = this.stats.latest() ?? (await this.stats.sample());
    const obs = observe({
      memory: s.memory ? { totalBytes: s.memory.totalBytes, workingSetBytes: nodeMemory(s.memory).workingSetBytes } : undefined,
      nodefs: s.nodefs,
      imagefs: s.imagefs,
      pids: s.pids,
    });
    return { pressure: this.pressure.update(thresholdsMet(this.thresholds, obs), now), readyErrors: errors };
  }

  private async refreshImages(): Promise<void> {
    if (this.d.reportImages === false) return;
    try {
      this.images = nodeImages(await this.d.runtime.listImages());
    } catch {
      // keep the last list
    }
  }

  private async desired(previous: Node | undefined) {
    const [facts, health] = await Promise.all([this.facts(), this.health(), this.refreshImages()]);
    return desiredNodeStatus(this.cfg, facts, health, this.d.clock.now(), previous?.status, this.images);
  }

  private async register(): Promise<void> {
    const { client } = this.d;
    const arch = (await this.d.host.machine()).architecture;
    const status = await this.desired(undefined);
    try {
      const created = await client.create<Node>(NODES, newNode(this.cfg, status, arch));
      this.seen(created);
      this.d.log(`registered node ${this.d.nodeName}`);
      // A server that drops status on create gets it through the subresource.
      if (!Array.isArray(created.status?.conditions) || created.status.conditions.length === 0) await this.writeStatus(status);
      else this.afterWrite(created);
      return;
    } catch (e) {
      if (!isApiError(e) || e.code !== 'SKIFF_ALREADY_EXISTS') throw e;
    }
    let existing = await client.get<Node>(NODES, this.d.nodeName);
    const patch = reconcileExisting(existing, this.cfg, arch);
    if (patch) existing = await client.patch<Node>(NODES, this.d.nodeName, patch);
    this.seen(existing);
    await this.writeStatus(await this.desired(existing));
  }

  private async writeStatus(status: Node['status']): Promise<void> {
    const out = await this.d.client.patch<Node>(NODES, this.d.nodeName, { status }, 'application/merge-patch+json', { subresource: 'status' });
    this.afterWrite(out);
  }

  private afterWrite(node: Node): void {
    this.seen(node);
    this.statusWrites++;
    this.lastReportMs = this.d.clock.now().getTime();
    if (node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) this.readyD.resolve();
  }

  private async syncStatus(): Promise<void> {
    let node: Node;
    try {
      node = await this.d.client.get<Node>(NODES, this.d.nodeName);
    } catch (e) {
      if (isApiError(e) && e.code === 'SKIFF_NOT_FOUND') {
        this.d.log(`node ${this.d.nodeName} is gone; registering it again`);
        await this.register();
        return;
      }
      throw e;
    }
    this.seen(node);
    const desired = await this.desired(node);
    const due = this.d.clock.now().getTime() - this.lastReportMs >= (this.d.statusReportMs ?? STATUS_REPORT_MS);
    if (due || statusChanged(node.status, desired)) await this.writeStatus(desired);
  }

  private statusLoop(): void {
    const tick = (): void => {
      if (this.stopped) return;
      this.statusRunning = this.syncStatus()
        .catch((e: unknown) => this.d.log(`error updating node status: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => {
          this.statusRunning = undefined;
          if (!this.stopped) this.statusTimer = setTimeout(tick, this.d.statusUpdateMs ?? STATUS_UPDATE_MS);
        });
    };
    tick();
  }

  private leaseLoop(): void {
    let failures = 0;
    const tick = (): void => {
      if (this.stopped) return;
      this.lease
        .renew()
        .then(
          () => (failures = 0),
          (e: unknown) => {
            if (failures++ % 6 === 0) this.d.log(`failed to renew lease ${this.d.nodeName}: ${e instanceof Error ? e.message : String(e)}`);
          },
        )
        .finally(() => {
          if (!this.stopped) this.leaseTimer = setTimeout(tick, this.d.leaseRenewMs ?? LEASE_RENEW_INTERVAL_MS);
        });
    };
    tick();
  }
}
