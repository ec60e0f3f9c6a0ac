/**
 * Node IPAM, as upstream's range allocator (pkg/controller/nodeipam,
 * --allocate-node-cidrs with the RangeAllocator): every Node gets
 * spec.podCIDR and spec.podCIDRs, one block of --node-cidr-mask-size from
 * --cluster-cidr.
 *
 * Contract:
 * - At start the blocks of every existing node are marked taken (so a
 *   restart never hands out a block twice); afterwards each node without a
 *   podCIDR gets the next free block (CidrSet, next-fit as upstream).
 * - A set podCIDR is never changed (it is immutable upstream); a node
 *   carrying one is only recorded.
 * - A deleted node's block is released, and nodes still waiting for one
 *   are retried at once.
 * - When the range is exhausted the node gets none and upstream's event
 *   is recorded on it: Normal `CIDRNotAvailable` "Node <name> status is
 *   now: CIDRNotAvailable" (RecordNodeStatusChange, source cidrAllocator);
 *   the node is retried with backoff (5 s doubling to 5 min).
 * Writes: GET the live node and PUT it with the block (optimistic
 * concurrency; a conflict retries through the queue), for up to 30 nodes
 * at once (allocation itself is synchronous, so blocks never collide).
 */
import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { Controller, ControllerContext } from '../framework/controller.js';
import type { EventRecorder } from '../framework/event-recorder.js';
import type { Informer } from '../framework/informer.js';
import { refs } from '../framework/refs.js';
import { WorkQueue, type WorkResult } from '../framework/work-queue.js';
import { CidrSet } from './cidr-set.js';

type Node = KubeObject & { spec?: { podCIDR?: string; podCIDRs?: string[]; [k: string]: unknown } };

const RETRY_MIN_MS = 5_000;
const RETRY_MAX_MS = 5 * 60_000;
const UPDATE_WORKERS = 30;

/** The node's pod CIDRs as upstream reads them (podCIDRs, else the legacy podCIDR). */
export function podCidrsOf(node: Node): string[] {
  const list = node.spec?.podCIDRs;
  if (Array.isArray(list) && list.length > 0) return list.filter((c) => typeof c === 'string');
  return node.spec?.podCIDR ? [node.spec.podCIDR] : [];
}

export class NodeIpamController implements Controller {
  readonly name = 'node-ipam-controller';
  private ctx!: ControllerContext;
  private nodes!: Informer<Node>;
  private queue!: WorkQueue;
  private recorder!: EventRecorder;
  private cidrs: CidrSet | undefined;
  /** What this controller knows each node holds (from the node or from its own allocation). */
  private readonly held = new Map<string, string[]>();
  private readonly retryMs = new Map<string, number>();

  setup(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.recorder = ctx.recorder('cidrAllocator');
    try {
      this.cidrs = new CidrSet(ctx.config.clusterCidr, ctx.config.nodeCidrMaskSize);
    } catch (err) {
      ctx.log(`node-ipam: disabled: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.nodes = ctx.informers.informer<Node>(refs.nodes);
    this.queue = new WorkQueue((key) => this.sync(key), {
      name: this.name,
      // Upstream's cidrUpdateWorkers: a cluster's worth of new nodes gets
      // its blocks in seconds, not one round trip pair at a time.
      workers: UPDATE_WORKERS,
      onError: (key, err) => ctx.log(`node-ipam: node ${key}: ${err instanceof Error ? err.message : String(err)}`),
    });
    this.nodes.addHandler({
      add: (n) => this.queue.add(n.metadata.name ?? ''),
      update: (_o, n) => this.queue.add(n.metadata.name ?? ''),
      delete: (n) => this.onDelete(n),
    });
  }

  run(): void {
    if (!this.cidrs) return;
    for (const n of this.nodes.list()) this.record(n.metadata.name ?? '', podCidrsOf(n));
    this.queue.start();
  }

  stop(): void {
    this.queue.stop();
  }

  private record(name: string, cidrs: string[]): void {
    const mine = cidrs.filter((c) => this.cidrs?.contains(c));
    if (mine.length === 0) return;
    const before = this.held.get(name);
    if (before && before.join() === mine.join()) return;
    if (before) for (const c of before) this.cidrs?.release(c);
    for (const c of mine) this.cidrs?.occupy(c);
    this.held.set(name, mine);
  }

  private onDelete(node: Node): void {
    const name = node.metadata.name ?? '';
    const held = this.held.get(name) ?? podCidrsOf(node).filter((c) => this.cidrs?.contains(c));
    this.held.delete(name);
    this.retryMs.delete(name);
    for (const c of held) this.cidrs?.release(c);
    // A block came free: nodes waiting for one try again now.
    if (held.length > 0) for (const n of this.nodes.list()) if (podCidrsOf(n).length === 0) this.queue.add(n.metadata.name ?? '');
  }

  private async sync(name: string): Promise<WorkResult | void> {
    const cidrs = this.cidrs;
    const cached = this.nodes.get(name);
    if (!cidrs || !cached) return;
    const existing = podCidrsOf(cached);
    if (existing.length > 0) {
      this.record(name, existing);
      this.retryMs.delete(name);
      return;
    }
    let block = this.held.get(name)?.[0];
    const fresh = block === undefined;
    if (block === undefined) {
      block = cidrs.allocateNext();
      if (block === undefined) {
        this.recorder.record(cached, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
        const delay = Math.min((this.retryMs.get(name) ?? RETRY_MIN_MS / 2) * 2, RETRY_MAX_MS);
        this.retryMs.set(name, delay);
        return { requeueAfterMs: delay };
      }
      this.held.set(name, [block]);
    }
    try {
      await this.assign(name, block);
      this.retryMs.delete(name);
    } catch (err) {
      if (isApiError(err) && err.code === 'SKIFF_NOT_FOUND') {
        this.release(name);
        return;
      }
      if (fresh) this.release(name);
      throw err;
    }
  }

  private release(name: string): void {
    for (const c of this.held.get(name) ?? []) this.cidrs?.release(c);
    this.held.delete(name);
  }

  /** Sets the block on the live node unless it already has one (then that one is recorded instead). */
  private async assign(name: string, block: string): Promise<void> {
    const live = await this.ctx.client.get<Node>(refs.nodes, name);
    const has = podCidrsOf(live);
    if (has.length > 0) {
      if (has[0] !== block) {
        this.release(name);
        this.record(name, has);
      }
      return;
    }
    const next = structuredClone(live);
    next.spec = { ...(next.spec ?? {}), podCIDR: block, podCIDRs: [block] };
    await this.ctx.client.update(refs.nodes, next);
    this.ctx.log(`node-ipam: node ${name} got pod CIDR ${block}`);
  }
}
