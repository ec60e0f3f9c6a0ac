/**
 * The MetricsSource behind metrics.k8s.io: asks each node's agent for its
 * stats summary (GET /stats/summary over HTTPS with the apiserver's
 * kubelet-client certificate, as metrics-server does with its own) and
 * shapes the answers with summary-metrics.ts.
 *
 * Contract:
 * - Summaries are cached per node for `cacheMs` (default 5 s; agents
 *   sample every 10 s) and concurrent requests share one fetch, so a
 *   burst of `kubectl top` calls costs each agent one request.
 * - A node that cannot be reached in `timeoutMs` (default 5 s), answers
 *   non-200 or garbage is left out, as metrics-server leaves out nodes it
 *   cannot scrape; it never fails the whole list.
 * - Nodes and pods are read from the store, so only existing objects are
 *   reported, with their labels.
 */
import { request as httpsRequest } from 'node:https';
import type { Clock, KubeObject } from '../../api/meta.js';
import { formatTime } from '../../api/meta.js';
import type { MetricsSource, NodeMetrics, PodMetrics } from '../../api/resources/metrics.js';
import type { ResourceTable } from '../../api/resource-table.js';
import type { Store } from '../../storage/store.js';
import { collectionPrefix, decodeEntry } from '../rest/codec.js';
import { agentTls, type KubeletClientConfig } from '../streaming/agent-target.js';
import { nodeAgentEndpoint } from '../streaming/kubelet-paths.js';
import { nodeMetricsFrom, podMetricsFrom } from './summary-metrics.js';

const MAX_SUMMARY_BYTES = 16 * 1024 * 1024;

export interface AgentMetricsSourceOptions {
  store: Store;
  table: ResourceTable;
  kubelet: KubeletClientConfig | undefined;
  clock: Clock;
  cacheMs?: number;
  timeoutMs?: number;
}

interface Cached {
  at: number;
  summary: Promise<unknown>;
}

export class AgentMetricsSource implements MetricsSource {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly o: AgentMetricsSourceOptions) {}

  async nodeMetrics(): Promise<NodeMetrics[]> {
    const now = formatTime(this.o.clock.now());
    const nodes = await this.list('nodes', '');
    const out: NodeMetrics[] = [];
    await Promise.all(
      nodes.map(async (node) => {
        const m = nodeMetricsFrom(await this.summary(node), node, now);
        if (m) out.push(m);
      }),
    );
    return out.sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  }

  async podMetrics(namespace: string): Promise<PodMetrics[]> {
    const now = formatTime(this.o.clock.now());
    const [nodes, pods] = await Promise.all([this.list('nodes', ''), this.list('pods', namespace)]);
    const byKey = new Map(pods.map((p) => [`${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`, p] as const));
    const withPods = new Set(pods.map((p) => (p.spec as { nodeName?: string } | undefined)?.nodeName).filter((n): n is string => !!n));
    const out: PodMetrics[] = [];
    await Promise.all(
      nodes
        .filter((n) => withPods.has(n.metadata.name ?? ''))
        .map(async (node) => {
          out.push(...podMetricsFrom(await this.summary(node), namespace, byKey, now));
        }),
    );
    return out.sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  }

  private async list(resource: string, namespace: string): Promise<KubeObject[]> {
    const resolved = this.o.table.resolve('', 'v1', resource);
    if (!resolved) return [];
    const res = await this.o.store.list(collectionPrefix(resolved.entry, namespace));
    return res.entries.map(decodeEntry);
  }

  private summary(node: KubeObject): Promise<unknown> {
    const name = node.metadata.name ?? '';
    const now = this.o.clock.now().getTime();
    const hit = this.cache.get(name);
    if (hit && now - hit.at < (this.o.cacheMs ?? 5000)) return hit.summary;
    const summary = this.fetch(node).catch(() => undefined);
    this.cache.set(name, { at: now, summary });
    return summary;
  }

  private fetch(node: KubeObject): Promise<unknown> {
    const { host, port } = nodeAgentEndpoint(node);
    const tls = agentTls(this.o.kubelet, host);
    return new Promise((resolve, reject) => {
      const req = httpsRequest({ ...tls, host, port, path: '/stats/summary', method: 'GET', timeout: this.o.timeoutMs ?? 5000, headers: { accept: 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_SUMMARY_BYTES) req.destroy(new Error('stats summary too large'));
          else chunks.push(c);
        });
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`agent answered ${res.statusCode}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end();
    });
  }
}
