/**
 * metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics: virtual resources
 * (nothing is stored) answered from live readings, so `kubectl top` works
 * with no add-on. Where the readings come from is injected as a
 * MetricsSource (the apiserver asks each node's agent for its stats
 * summary); this module only shapes the answers: label selectors, 404s for
 * unknown names, and the resources' discovery facts as metrics-server
 * serves them (get and list only).
 */
import { notFound } from '../errors.js';
import type { KubeObject } from '../meta.js';
import type { ResourceEntry } from '../resource-table.js';
import { matchesLabels, parseLabelSelector } from '../selectors/label-selector.js';
import { badRequest } from '../errors.js';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';

export interface ResourceUsage {
  /** CPU in cores as a quantity, e.g. `123456n` (nanocores). */
  cpu: string;
  /** Working-set memory as a quantity, e.g. `20480Ki`. */
  memory: string;
}

export interface NodeMetrics extends KubeObject {
  timestamp: string;
  window: string;
  usage: ResourceUsage;
}

export interface PodMetrics extends KubeObject {
  timestamp: string;
  window: string;
  containers: { name: string; usage: ResourceUsage }[];
}

/** Live readings: every node's metrics, and the pods' of one namespace ('' for all). */
export interface MetricsSource {
  nodeMetrics(): Promise<NodeMetrics[]>;
  podMetrics(namespace: string): Promise<PodMetrics[]>;
}

function selected<T extends KubeObject>(items: T[], labelSelector: string | undefined): T[] {
  if (!labelSelector) return items;
  let reqs;
  try {
    reqs = parseLabelSelector(labelSelector);
  } catch (e) {
    throw badRequest(`unable to parse requirement: ${e instanceof Error ? e.message : String(e)}`);
  }
  return items.filter((o) => matchesLabels(reqs, o.metadata.labels));
}

export function metricsEntries(source: MetricsSource): ResourceEntry[] {
  const nodes: ResourceEntry = {
    group: METRICS_GROUP,
    version: METRICS_VERSION,
    resource: 'nodes',
    singular: 'nodemetrics',
    kind: 'NodeMetrics',
    namespaced: false,
    verbs: ['get', 'list'],
    specFields: [],
    virtual: {
      async get(_ns, name) {
        const found = (await source.nodeMetrics()).find((m) => m.metadata.name === name);
        if (!found) throw notFound({ group: METRICS_GROUP, resource: 'nodes' }, name);
        return found;
      },
      async list(_ns, opts) {
        return selected(await source.nodeMetrics(), opts.labelSelector);
      },
    },
  };
  const pods: ResourceEntry = {
    group: METRICS_GROUP,
    version: METRICS_VERSION,
    resource: 'pods',
    singular: 'podmetrics',
    kind: 'PodMetrics',
    namespaced: true,
    verbs: ['get', 'list'],
    specFields: [],
    virtual: {
      async get(ns, name) {
        const found = (await source.podMetrics(ns)).find((m) => m.metadata.name === name);
        if (!found) throw notFound({ group: METRICS_GROUP, resource: 'pods' }, name);
        return found;
      },
      async list(ns, opts) {
        return selected(await source.podMetrics(ns), opts.labelSelector);
      },
    },
  };
  return [nodes, pods];
}
