/**
 * The node lifecycle controller, as upstream's (pkg/controller/nodelifecycle)
 * with taint-based eviction: it watches Nodes and their Leases in
 * kube-node-lease and
 * - every 5 s (nodeMonitorPeriod) judges each node's health from when it
 *   last *saw* a heartbeat (node-health.ts); a node silent for
 *   --node-monitor-grace-period gets Ready (and the pressure conditions)
 *   Unknown, an event NodeNotReady "Node <name> status is now:
 *   NodeNotReady", and its pods' Ready condition set False (MarkPodsNotReady,
 *   Warning NodeNotReady "Node is not ready" on each pod);
 * - taints by condition at once on every node change (NoSchedule:
 *   not-ready, unreachable, pressure, unschedulable; node-taints.ts);
 * - NoExecute not-ready/unreachable taints from the Ready condition seen at
 *   the start of a pass, new ones at a rate limited per zone
 *   (zone-tainter.ts: 0.1 nodes/s, slower or none in a partially disrupted
 *   zone, none when every zone is down), removed when Ready is True again;
 * - records RegisteredNode / RemovingNode as nodes come and go.
 * Evicting pods from NoExecute-tainted nodes is the taint eviction
 * controller's job (taint-eviction-controller.ts).
 * Events use the source component node-controller, as upstream.
 */
import { isApiError } from '../../api/errors.js';
import type { Controller, ControllerContext } from '../framework/controller.js';
import type { EventRecorder } from '../framework/event-recorder.js';
import type { Informer } from '../framework/informer.js';
import type { Pod } from '../framework/pod-util.js';
import { inNamespace, objectKey, refs, splitKey } from '../framework/refs.js';
import { WorkQueue } from '../framework/work-queue.js';
import {
  gracePeriodMs,
  isSilent,
  observeHealth,
  readyCondition,
  unknownConditions,
  type Lease,
  type LifecycleNode,
  type NodeHealth,
} from './node-health.js';
import {
  NOT_READY_NO_EXECUTE,
  REACHABLE_CHANGE,
  UNREACHABLE_NO_EXECUTE,
  hasTaint,
  noExecuteDecision,
  noExecuteTaintFor,
  noScheduleTaintChange,
  type TaintChange,
} from './node-taints.js';
import { markPodsNotReady, message, updateNodeTaints, WRITE_RETRIES } from './node-writes.js';
import { EXCLUDE_DISRUPTION_LABEL, ZoneTainter, zoneKey } from './zone-tainter.js';

export const NODE_MONITOR_PERIOD_MS = 5_000;
/** How often queued nodes are offered to the zone limiters (upstream: 100 ms). */
export const TAINTING_PERIOD_MS = 500;
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const POD_NODE_INDEX = 'spec.nodeName';

export function podNodeIndex(p: Pod): string[] {
  return p.spec?.nodeName ? [p.spec.nodeName] : [];
}

export class NodeLifecycleController implements Controller {
  readonly name = 'node-lifecycle-controller';
  private ctx!: ControllerContext;
  private recorder!: EventRecorder;
  private nodes!: Informer<LifecycleNode>;
  private leases!: Informer<Lease>;
  private pods!: Informer<Pod>;
  private taintQueue!: WorkQueue;
  private podQueue!: WorkQueue;
  private readonly health = new Map<string, NodeHealth>();
  private readonly known = new Set<string>();
  private readonly retryPods = new Set<string>();
  private readonly tainter = new ZoneTainter();
  private timers: NodeJS.Timeout[] = [];
  private monitoring = false;
  private tainting = false;
  private stopped = false;

  setup(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.recorder = ctx.recorder('node-controller');
    this.nodes = ctx.informers.informer<LifecycleNode>(refs.nodes);
    this.leases = ctx.informers.informer<Lease>(inNamespace(refs.leases, NODE_LEASE_NAMESPACE));
    this.pods = ctx.informers.informer<Pod>(refs.pods);
    this.pods.addIndex(POD_NODE_INDEX, podNodeIndex);
    const onError = (what: string) => (key: string, err: unknown) => ctx.log(`node-lifecycle: ${what} ${key}: ${message(err)}`);
    this.taintQueue = new WorkQueue((name) => this.syncConditionTaints(name), { name: 'node-lifecycle-taints', onError: onError('tainting node') });
    this.podQueue = new WorkQueue((key) => this.processPod(key), { name: 'node-lifecycle-pods', onError: onError('pod') });
    this.nodes.addHandler({
      add: (n) => this.taintQueue.add(n.metadata.name ?? ''),
      update: (_o, n) => this.taintQueue.add(n.metadata.name ?? ''),
    });
    this.pods.addHandler({
      add: (p) => {
        if (p.spec?.nodeName) this.podQueue.add(objectKey(p));
      },
      update: (o, p) => {
        if (p.spec?.nodeName && p.spec.nodeName !== o.spec?.nodeName) this.podQueue.add(objectKey(p));
      },
    });
  }

  run(): void {
    this.taintQueue.start();
    this.podQueue.start();
    void this.monitor();
    this.timers.push(setInterval(() => void this.monitor(), NODE_MONITOR_PERIOD_MS));
    this.timers.push(setInterval(() => void this.taintingPass(), TAINTING_PERIOD_MS));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.taintQueue.stop();
    this.podQueue.stop();
  }

  /** monitorNodeHealth: one pass over every node. */
  private async monitor(): Promise<void> {
    if (this.monitoring || this.stopped) return;
    this.monitoring = true;
    try {
      await this.monitorPass();
      await this.taintingPass();
    } catch (err) {
      this.ctx.log(`node-lifecycle: monitor pass failed: ${message(err)}`);
    } finally {
      this.monitoring = false;
    }
  }

  private async monitorPass(): Promise<void> {
    const nodes = this.nodes.list();
    const names = new Set(nodes.map((n) => n.metadata.name ?? ''));
    for (const name of [...this.known]) {
      if (names.has(name)) continue;
      this.known.delete(name);
      this.health.delete(name);
      this.retryPods.delete(name);
      this.tainter.unmark(name);
      this.recorder.record(nodeRef(name), 'Normal', 'RemovingNode', `Node ${name} event: Removing Node ${name} from Controller`);
    }
    for (const n of nodes) {
      const name = n.metadata.name ?? '';
      if (this.known.has(name)) continue;
      this.known.add(name);
      this.recorder.record(n, 'Normal', 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
      await this.markReachable(name);
    }
    const readyByZone = new Map<string, (string | undefined)[]>();
    for (const cached of nodes) {
      if (this.stopped) return;
      const name = cached.metadata.name ?? '';
      const { node, observed, current } = await this.updateHealth(cached);
      if (node.metadata.labels?.[EXCLUDE_DISRUPTION_LABEL] === undefined) {
        const zone = zoneKey(node);
        readyByZone.set(zone, [...(readyByZone.get(zone) ?? []), current]);
      }
      if (current === undefined) continue;
      await this.processTaintBasedEviction(node, observed ?? 'Unknown');
      if (current !== 'True' && observed === 'True') {
        this.recorder.record(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
        await this.markPodsNotReady(name, this.pods.byIndex(POD_NODE_INDEX, name));
      } else if (this.retryPods.has(name) && observed !== 'True') {
        await this.markPodsNotReady(name, this.pods.byIndex(POD_NODE_INDEX, name));
      } else {
        this.retryPods.delete(name);
      }
    }
    const change = this.tainter.updateStates(readyByZone, this.ctx.clock.now().getTime());
    if (change === 'entered-master-disruption') {
      this.ctx.log('node-lifecycle: every node is not ready; entering master disruption mode (no NoExecute taints)');
      for (const n of nodes) await this.markReachable(n.metadata.name ?? '');
    } else if (change === 'exited-master-disruption') {
      this.ctx.log('node-lifecycle: some nodes are ready; exiting master disruption mode');
      const nowMs = this.ctx.clock.now().getTime();
      for (const [name, h] of this.health) this.health.set(name, { ...h, probeMs: nowMs, readyTransitionMs: nowMs });
    }
  }

  /**
   * tryUpdateNodeHealth: observe, and if the node fell silent write its
   * conditions Unknown. Returns the Ready status seen before and after.
   */
  private async updateHealth(cached: LifecycleNode): Promise<{ node: LifecycleNode; observed: string | undefined; current: string | undefined }> {
    const name = cached.metadata.name ?? '';
    let node = cached;
    for (let attempt = 0; ; attempt++) {
      const now = this.ctx.clock.now();
      const lease = this.leases.getByName(NODE_LEASE_NAMESPACE, name);
      const h = observeHealth(this.health.get(name), node, lease, now.getTime());
      this.health.set(name, h);
      const observed = readyCondition(node)?.status;
      if (!isSilent(h, gracePeriodMs(node, this.ctx.config.nodeMonitorGracePeriodMs), now.getTime())) {
        return { node, observed, current: observed };
      }
      const conditions = unknownConditions(node, now);
      if (!conditions) return { node, observed, current: observed };
      const next = structuredClone(node);
      next.status = { ...(next.status ?? {}), conditions };
      try {
        const written = await this.ctx.client.update<LifecycleNode>(refs.nodes, next, { subresource: 'status' });
        this.health.set(name, { ...h, readyTransitionMs: now.getTime() });
        this.ctx.log(`node-lifecycle: node ${name} stopped posting status; Ready is now Unknown`);
        return { node: written, observed, current: 'Unknown' };
      } catch (err) {
        if (!isApiError(err) || err.code !== 'SKIFF_CONFLICT' || attempt >= WRITE_RETRIES) {
          this.ctx.log(`node-lifecycle: updating status of node ${name}: ${message(err)}`);
          return { node, observed, current: observed };
        }
        node = await this.ctx.client.get<LifecycleNode>(refs.nodes, name);
      }
    }
  }

  /** processTaintBaseEviction. */
  private async processTaintBasedEviction(node: LifecycleNode, observedReady: string): Promise<void> {
    const name = node.metadata.name ?? '';
    const d = noExecuteDecision(node, observedReady);
    if (d.kind === 'reachable') await this.markReachable(name, node);
    else if (d.kind === 'swap') await this.updateTaints(name, () => d.change);
    else this.tainter.mark(zoneKey(node), name, this.ctx.clock.now().getTime());
  }

  /** markNodeAsReachable: no NoExecute not-ready/unreachable taint, out of the zone queue. */
  private async markReachable(name: string, node = this.nodes.get(name)): Promise<void> {
    this.tainter.unmark(name);
    if (!node || !(hasTaint(node, NOT_READY_NO_EXECUTE) || hasTaint(node, UNREACHABLE_NO_EXECUTE))) return;
    await this.updateTaints(name, () => REACHABLE_CHANGE);
  }

  /** doNoExecuteTaintingPass: queued nodes the zone limiters admit get their NoExecute taint. */
  private async taintingPass(): Promise<void> {
    if (this.tainting || this.stopped) return;
    this.tainting = true;
    try {
      for (const { node: name } of this.tainter.take(this.ctx.clock.now().getTime())) {
        const node = this.nodes.get(name);
        const change = node ? noExecuteTaintFor(readyCondition(node)?.status) : undefined;
        if (!change) {
          this.tainter.done(name);
          continue;
        }
        if (await this.updateTaints(name, (live) => noExecuteTaintFor(readyCondition(live)?.status))) this.tainter.done(name);
      }
    } finally {
      this.tainting = false;
    }
  }

  /** doNoScheduleTaintingPass, from the node queue. */
  private async syncConditionTaints(name: string): Promise<void> {
    const node = this.nodes.get(name);
    if (!node) return;
    const change = noScheduleTaintChange(node);
    if (change.add.length === 0 && change.remove.length === 0) return;
    if (!(await this.updateTaints(name, (live) => noScheduleTaintChange(live)))) throw new Error(`could not update the taints of node ${name}`);
  }

  private updateTaints(name: string, changeFor: (live: LifecycleNode) => TaintChange | undefined): Promise<boolean> {
    return updateNodeTaints(this.ctx, name, changeFor);
  }

  /** processPod: a pod newly bound to a node that is not ready is marked not ready. */
  private async processPod(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.getByName(namespace, name);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName || !this.health.has(nodeName)) return;
    const node = this.nodes.get(nodeName);
    const ready = node && readyCondition(node);
    if (!ready || ready.status === 'True') return;
    if (!(await this.markPodsNotReady(nodeName, [pod]))) throw new Error('could not mark the pod not ready');
  }

  /** MarkPodsNotReady, remembering a node whose pods must be retried on the next pass. */
  private async markPodsNotReady(nodeName: string, pods: Pod[]): Promise<boolean> {
    const ok = await markPodsNotReady({ ...this.ctx, recorder: this.recorder }, nodeName, pods);
    if (ok) this.retryPods.delete(nodeName);
    else this.retryPods.add(nodeName);
    return ok;
  }
}

function nodeRef(name: string): LifecycleNode {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name } };
}

