/**
 * The simulated nodes' Node objects: registration (create; a node that
 * already exists is taken over: labels asserted, status re-reported) and
 * node status reports, as the kubelet makes them: when the status on the
 * server differs from what the node would say (the lifecycle controller
 * marked it Unknown, say) and otherwise every 5 minutes, never every 10 s.
 * The 5-minute reports are spread over the whole interval.
 *
 * It also answers "is this node stopped?" (annotation sim.skiff.dev/stopped
 * "true", read from the shared node informer) and tells listeners when a
 * node resumes, so heartbeats and pod updates start again.
 */
import type { ApiClient, ResourceRef } from '../../control-plane/api/client/api-client.js';
import { isApiError } from '../../control-plane/api/errors.js';
import type { Clock } from '../../control-plane/api/meta.js';
import type { Informer } from '../common/informer.js';
import { desiredNodeStatus, isStopped, metadataDiffers, newNodeObject, nodeAnnotations, nodeLabels, statusDiffers, type SimNode, type SimNodeConfig } from './node-object.js';
import { backoffDelay, isTransient, type WritePool } from '../common/write-pool.js';

export const NODES: ResourceRef = { group: '', version: 'v1', resource: 'nodes' };
/** The kubelet's nodeStatusReportFrequency. */
export const STATUS_REPORT_MS = 5 * 60_000;

interface NodeState {
  index: number;
  name: string;
  bootId: string;
  lastReport: number;
  reporting: boolean;
  /** A report failed or was asked for while one was in flight. */
  pending: boolean;
  stopped: boolean;
}

export interface NodeRegistryDeps {
  client: ApiClient;
  pool: WritePool;
  clock: Clock;
  nodes: Informer<SimNode>;
  config: SimNodeConfig;
  names: string[];
  bootId: (name: string) => string;
  log: (msg: string) => void;
  isClosed: () => boolean;
}

export class NodeRegistry {
  private readonly byName = new Map<string, NodeState>();
  private readonly resumeListeners: ((name: string) => void)[] = [];

  constructor(private readonly d: NodeRegistryDeps) {
    d.names.forEach((name, index) => this.byName.set(name, { index, name, bootId: d.bootId(name), lastReport: 0, reporting: false, pending: false, stopped: false }));
    d.nodes.on((type, node) => {
      const st = this.byName.get(node.metadata.name ?? '');
      if (!st || type === 'DELETED') return;
      const stopped = isStopped(node);
      const resumed = st.stopped && !stopped;
      st.stopped = stopped;
      if (stopped) return;
      if (resumed) {
        this.report(st);
        for (const l of this.resumeListeners) l(st.name);
      } else if (!st.reporting && statusDiffers(node.status, this.desired(st, node))) {
        this.report(st);
      }
    });
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  indexOf(name: string): number | undefined {
    return this.byName.get(name)?.index;
  }

  isStopped(name: string): boolean {
    return this.byName.get(name)?.stopped ?? false;
  }

  onResume(listener: (name: string) => void): void {
    this.resumeListeners.push(listener);
  }

  /** The node's spec.podCIDR as the informer last saw it (a controller may set it any time). */
  podCIDR(name: string): string | undefined {
    const spec = this.d.nodes.get(name)?.spec;
    return spec?.podCIDRs?.[0] ?? spec?.podCIDR;
  }

  uid(name: string): string | undefined {
    return this.d.nodes.get(name)?.metadata.uid;
  }

  private desired(st: NodeState, node: SimNode | undefined) {
    return desiredNodeStatus(st.name, st.index, this.d.config, st.bootId, this.d.clock.now(), node?.status);
  }

  /** Registers every node concurrently (through the pool); resolves when all are registered. */
  async registerAll(): Promise<void> {
    const states = [...this.byName.values()];
    const now = this.d.clock.now().getTime();
    await Promise.all(
      states.map(async (st) => {
        await this.retrying(`register node ${st.name}`, () => this.d.pool.run(() => this.registerOne(st)));
        // Spread the periodic reports over the whole interval.
        st.lastReport = now - Math.floor((st.index / Math.max(1, states.length)) * STATUS_REPORT_MS);
      }),
    );
  }

  private async registerOne(st: NodeState): Promise<void> {
    const body = newNodeObject(st.name, st.index, this.d.config, st.bootId, this.d.clock.now());
    let node: SimNode;
    try {
      node = await this.d.client.create<SimNode>(NODES, body);
      this.d.nodes.observe(node);
      if (!Array.isArray(node.status?.conditions) || node.status.conditions.length === 0) await this.writeStatus(st, node);
      return;
    } catch (e) {
      if (!isApiError(e) || e.code !== 'SKIFF_ALREADY_EXISTS') throw e;
    }
    // Take over the existing node: assert our labels, report our status.
    node = await this.d.client.get<SimNode>(NODES, st.name);
    if (metadataDiffers(node)) {
      node = await this.d.client.patch<SimNode>(NODES, st.name, { metadata: { labels: nodeLabels(st.name), annotations: nodeAnnotations() } });
    }
    st.stopped = isStopped(node);
    if (!st.stopped) await this.writeStatus(st, node);
  }

  private async writeStatus(st: NodeState, node: SimNode | undefined): Promise<void> {
    const status = this.desired(st, node);
    const out = await this.d.client.patch<SimNode>(NODES, st.name, { status }, 'application/merge-patch+json', { subresource: 'status' });
    this.d.nodes.observe(out);
    st.lastReport = this.d.clock.now().getTime();
  }

  /** Reports node `index`'s status if due (5 minutes) or pending after a failure; called on its lease tick. */
  maybeReport(index: number, nowMs: number): void {
    const st = this.byName.get(this.d.names[index] ?? '');
    if (!st || st.stopped || st.reporting) return;
    if (st.pending || nowMs - st.lastReport >= STATUS_REPORT_MS) this.report(st);
  }

  private report(st: NodeState): void {
    if (st.reporting) {
      st.pending = true;
      return;
    }
    st.reporting = true;
    st.pending = false;
    this.d.pool
      .run(() => this.writeStatus(st, this.d.nodes.get(st.name)), 'status')
      .catch((e: unknown) => {
        st.pending = true;
        if (!this.d.isClosed()) this.d.log(`node ${st.name} status: ${e instanceof Error ? e.message : String(e)}`);
      })
      .finally(() => {
        st.reporting = false;
      });
  }

  private async retrying(what: string, fn: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (this.d.isClosed()) throw e;
        if (!isTransient(e) && attempt >= 5) throw e;
        if (attempt === 0 || attempt % 10 === 0) this.d.log(`${what}: ${e instanceof Error ? e.message : String(e)}; retrying`);
        await new Promise((r) => setTimeout(r, backoffDelay(attempt, 250, 5000)));
      }
    }
  }
}
