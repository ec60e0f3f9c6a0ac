/**
 * Pod counts the snapshot keeps for topology spreading, so a scheduling
 * cycle never walks every pod of the cluster:
 * - ownerCounts(key): per node, the pods of one controller (controllerKey),
 *   for upstream's default spreading;
 * - matchCounts(namespace, selector): per node, the pods of that namespace
 *   matching a label selector. Built lazily on the first request (one walk
 *   over all pods), then maintained on every pod change; only the most
 *   recently requested MAX_SELECTOR_CACHE selectors are kept;
 * - domainCounts(counts, key): one of those count maps summed per value of
 *   a node label (a topology domain), maintained incrementally and rebuilt
 *   only when node labels change (status heartbeats do not invalidate it);
 * - topologyDomains(key): the values a node label takes.
 * Terminating pods (deletionTimestamp set) are not counted, as upstream's
 * countPodsMatchSelector. Pure.
 */
import { labelSelectorRequirements, matchesLabels, type LabelRequirement, type LabelSelector } from '../api/selectors/label-selector.js';
import { controllerKey, type PodView } from './types.js';

/** How many distinct (namespace, selector) counts are maintained. */
export const MAX_SELECTOR_CACHE = 256;

/** The part of the snapshot's NodeInfo the counts read. */
export interface CountedNode {
  readonly name: string;
  node: unknown;
  labels: Record<string, string>;
  pods: ReadonlyMap<string, PodView>;
}

interface SelectorCount {
  namespace: string;
  reqs: LabelRequirement[];
  perNode: Map<string, number>;
}

const EMPTY_COUNTS: ReadonlyMap<string, number> = new Map();

function isTerminating(pod: PodView): boolean {
  return !!pod.metadata.deletionTimestamp;
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const v = (map.get(key) ?? 0) + by;
  if (v === 0) map.delete(key);
  else map.set(key, v);
}

function countsFor(entry: SelectorCount, pod: PodView): boolean {
  return (pod.metadata.namespace ?? '') === entry.namespace && matchesLabels(entry.reqs, pod.metadata.labels);
}

export class PodCounts {
  private readonly owners = new Map<string, Map<string, number>>();
  private readonly selectors = new Map<string, SelectorCount>();
  /** Per count map, per label key: the counts summed per label value. */
  private domainSums = new WeakMap<ReadonlyMap<string, number>, Map<string, Map<string, number>>>();
  private readonly domainValues = new Map<string, string[]>();

  constructor(private readonly infos: ReadonlyMap<string, CountedNode>) {}

  ownerCounts(key: string): ReadonlyMap<string, number> {
    return this.owners.get(key) ?? EMPTY_COUNTS;
  }

  matchCounts(namespace: string, selector: LabelSelector | null | undefined): ReadonlyMap<string, number> {
    if (!selector) return EMPTY_COUNTS;
    let reqs: LabelRequirement[];
    try {
      reqs = labelSelectorRequirements(selector);
    } catch {
      return EMPTY_COUNTS;
    }
    const key = `${namespace}\u0000${JSON.stringify(reqs)}`;
    const hit = this.selectors.get(key);
    if (hit) {
      // Refresh recency.
      this.selectors.delete(key);
      this.selectors.set(key, hit);
      return hit.perNode;
    }
    const entry: SelectorCount = { namespace, reqs, perNode: new Map() };
    for (const info of this.infos.values()) {
      let n = 0;
      for (const p of info.pods.values()) if (!isTerminating(p) && countsFor(entry, p)) n++;
      if (n > 0) entry.perNode.set(info.name, n);
    }
    if (this.selectors.size >= MAX_SELECTOR_CACHE) {
      const oldest = this.selectors.keys().next().value;
      if (oldest !== undefined) this.selectors.delete(oldest);
    }
    this.selectors.set(key, entry);
    return entry.perNode;
  }

  domainCounts(counts: ReadonlyMap<string, number>, key: string): ReadonlyMap<string, number> {
    let byKey = this.domainSums.get(counts);
    if (!byKey) this.domainSums.set(counts, (byKey = new Map()));
    let sums = byKey.get(key);
    if (!sums) {
      sums = new Map();
      for (const [name, n] of counts) {
        const info = this.infos.get(name);
        const v = info?.node ? info.labels[key] : undefined;
        if (v !== undefined) sums.set(v, (sums.get(v) ?? 0) + n);
      }
      byKey.set(key, sums);
    }
    return sums;
  }

  topologyDomains(key: string): readonly string[] {
    let values = this.domainValues.get(key);
    if (!values) {
      const set = new Set<string>();
      for (const info of this.infos.values()) {
        const v = info.node ? info.labels[key] : undefined;
        if (v !== undefined) set.add(v);
      }
      this.domainValues.set(key, (values = [...set]));
    }
    return values;
  }

  /** A pod was placed on (+1) or removed from (-1) a node. */
  podChanged(pod: PodView, nodeName: string, sign: 1 | -1): void {
    if (isTerminating(pod)) return;
    const owner = controllerKey(pod);
    if (owner !== undefined) {
      let m = this.owners.get(owner);
      if (!m) this.owners.set(owner, (m = new Map()));
      bump(m, nodeName, sign);
      this.bumpDomains(m, nodeName, sign);
      if (m.size === 0) this.owners.delete(owner);
    }
    for (const entry of this.selectors.values()) {
      if (!countsFor(entry, pod)) continue;
      bump(entry.perNode, nodeName, sign);
      this.bumpDomains(entry.perNode, nodeName, sign);
    }
  }

  /** A node appeared, disappeared or changed its labels. */
  labelsChanged(): void {
    this.domainSums = new WeakMap();
    this.domainValues.clear();
  }

  private bumpDomains(counts: ReadonlyMap<string, number>, nodeName: string, sign: 1 | -1): void {
    const byKey = this.domainSums.get(counts);
    if (!byKey) return;
    const info = this.infos.get(nodeName);
    if (!info?.node) return;
    for (const [key, sums] of byKey) {
      const v = info.labels[key];
      if (v !== undefined) bump(sums, v, sign);
    }
  }
}
