/**
 * Rate-limited NoExecute tainting per zone, as upstream's node lifecycle
 * controller (zoneNoExecuteTainter, ComputeZoneState, handleDisruption).
 * Pure: times come in as arguments.
 *
 * Why: a NoExecute taint evicts pods, so a network partition that makes
 * many nodes look dead at once must not evict everything at once. Upstream
 * semantics, kept here:
 * - nodes are grouped by zone (topology.kubernetes.io/region and zone
 *   labels); each zone has a FIFO of nodes waiting for a NoExecute taint
 *   and a token bucket (burst 1) gating how fast they get it;
 * - a zone is Normal, PartialDisruption (more than 2 not-ready nodes and at
 *   least 55 % of the zone) or FullDisruption (no ready node);
 *   Normal and FullDisruption taint at --node-eviction-rate (0.1 nodes/s),
 *   PartialDisruption at --secondary-node-eviction-rate (0.01/s) in zones
 *   of more than 50 nodes (--large-cluster-size-threshold), else not at all;
 * - when every zone is fully disrupted the controller assumes the problem
 *   is its own (master disruption mode): it stops tainting and removes the
 *   NoExecute taints it set; leaving that mode resets every node's probe
 *   time so nodes get a fresh grace period;
 * - a node leaves the queue once tainted but stays "marked" (so it is not
 *   queued again and does not use another token) until it is reachable
 *   again (upstream's UniqueQueue set semantics).
 */
import type { LifecycleNode } from './node-health.js';

export const EVICTION_QPS = 0.1;
export const SECONDARY_EVICTION_QPS = 0.01;
export const LARGE_CLUSTER_THRESHOLD = 50;
export const UNHEALTHY_ZONE_THRESHOLD = 0.55;
export const EXCLUDE_DISRUPTION_LABEL = 'node.kubernetes.io/exclude-disruption';

export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

/** upstream's GetZoneKey: region and zone labels (current or the beta failure-domain ones). */
export function zoneKey(node: LifecycleNode): string {
  const l = node.metadata.labels ?? {};
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\u0000:${zone}`;
}

export function computeZoneState(readyStatuses: readonly (string | undefined)[]): { notReady: number; state: ZoneState } {
  const ready = readyStatuses.filter((s) => s === 'True').length;
  const notReady = readyStatuses.length - ready;
  if (ready === 0 && notReady > 0) return { notReady, state: 'FullDisruption' };
  if (notReady > 2 && notReady / (notReady + ready) >= UNHEALTHY_ZONE_THRESHOLD) return { notReady, state: 'PartialDisruption' };
  return { notReady, state: 'Normal' };
}

export function qpsFor(state: ZoneState, zoneSize: number): number {
  if (state === 'PartialDisruption') return zoneSize > LARGE_CLUSTER_THRESHOLD ? SECONDARY_EVICTION_QPS : 0;
  return EVICTION_QPS;
}

/** A token bucket with burst 1 that starts full; qps 0 never admits. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    readonly qps: number,
    nowMs: number,
    private readonly burst = 1,
  ) {
    this.tokens = burst;
    this.at = nowMs;
  }

  tryAccept(nowMs: number): boolean {
    if (this.qps <= 0) return false;
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.at) / 1000) * this.qps);
    this.at = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

interface Zone {
  state: ZoneState;
  limiter: TokenBucket;
  queue: string[];
  marked: Set<string>;
}

export type DisruptionChange = 'none' | 'entered-master-disruption' | 'exited-master-disruption';

export class ZoneTainter {
  private readonly zones = new Map<string, Zone>();

  constructor(private readonly qps = EVICTION_QPS) {}

  private zone(key: string, nowMs: number): Zone {
    let z = this.zones.get(key);
    if (!z) {
      z = { state: 'Initial', limiter: new TokenBucket(this.qps, nowMs), queue: [], marked: new Set() };
      this.zones.set(key, z);
    }
    return z;
  }

  /** markNodeForTainting: queue the node unless it is already marked. */
  mark(zoneKey: string, node: string, nowMs: number): boolean {
    const z = this.zone(zoneKey, nowMs);
    if (z.marked.has(node)) return false;
    z.marked.add(node);
    z.queue.push(node);
    return true;
  }

  /** The node is reachable again (or gone): forget it. */
  unmark(node: string): void {
    for (const z of this.zones.values()) {
      if (!z.marked.delete(node)) continue;
      const i = z.queue.indexOf(node);
      if (i >= 0) z.queue.splice(i, 1);
    }
  }

  stateOf(zoneKey: string): ZoneState | undefined {
    return this.zones.get(zoneKey)?.state;
  }

  /**
   * The queued nodes the limiters let through now, in queue order per
   * zone. The caller reports each outcome with done() (tainted or no
   * longer needed) or leaves it queued (failed: tried again next time).
   */
  take(nowMs: number): { zone: string; node: string }[] {
    const out: { zone: string; node: string }[] = [];
    for (const [key, z] of this.zones) {
      for (const node of z.queue) {
        if (!z.limiter.tryAccept(nowMs)) break;
        out.push({ zone: key, node });
      }
    }
    return out;
  }

  /** The node was tainted (or needs no taint): out of the queue, still marked. */
  done(node: string): void {
    for (const z of this.zones.values()) {
      const i = z.queue.indexOf(node);
      if (i >= 0) z.queue.splice(i, 1);
    }
  }

  /**
   * handleDisruption: new zone states from every (non-excluded) node's
   * current Ready status, with the limiters set to match. Zones without
   * nodes are forgotten.
   */
  updateStates(readyByZone: ReadonlyMap<string, readonly (string | undefined)[]>, nowMs: number): DisruptionChange {
    const next = new Map<string, ZoneState>();
    let allAreFull = readyByZone.size > 0;
    for (const [key, statuses] of readyByZone) {
      const { state } = computeZoneState(statuses);
      next.set(key, state);
      if (state !== 'FullDisruption') allAreFull = false;
      this.zone(key, nowMs);
    }
    let allWereFull = readyByZone.size > 0;
    for (const [key, z] of [...this.zones]) {
      if (!readyByZone.has(key)) {
        if (z.queue.length === 0) this.zones.delete(key);
        continue;
      }
      if (z.state !== 'FullDisruption') allWereFull = false;
    }
    if (allAreFull && allWereFull) return 'none';
    const setState = (z: Zone, state: ZoneState, qps: number): void => {
      if (z.limiter.qps !== qps) z.limiter = new TokenBucket(qps, nowMs);
      z.state = state;
    };
    if (allAreFull) {
      for (const z of this.zones.values()) setState(z, 'FullDisruption', 0);
      return 'entered-master-disruption';
    }
    for (const [key, z] of this.zones) {
      const state = next.get(key);
      if (!state || (state === z.state && !allWereFull)) continue;
      setState(z, state, qpsFor(state, readyByZone.get(key)?.length ?? 0));
    }
    return allWereFull ? 'exited-master-disruption' : 'none';
  }
}
