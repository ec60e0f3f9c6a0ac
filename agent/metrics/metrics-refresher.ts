/**
 * Keeps the agent's gauges current: running pods and containers by state
 * (from CRI, the same lists the kubelet relists), node CPU and memory (from
 * the stats sampler's last host sample), and forgets the per-pod series of
 * pods that are gone. Runs every `intervalMs` (default 10 s, the sampling
 * period) and once at start.
 */
import type { Runtime } from '../cri/runtime.js';
import { CONTAINER_CREATED, CONTAINER_EXITED, CONTAINER_RUNNING, SANDBOX_READY } from '../cri/runtime.js';
import { nodeMemory, type HostSample } from '../node/stats-summary.js';
import type { AgentMetrics } from './agent-metrics.js';

export interface MetricsRefresherDeps {
  metrics: AgentMetrics;
  runtime: Pick<Runtime, 'listPodSandbox' | 'listContainers'>;
  /** The newest host sample, if any. */
  hostSample: () => HostSample | undefined;
  /** `namespace/name` of the pods bound here now. */
  podKeys: () => Iterable<string>;
  log: (msg: string) => void;
  intervalMs?: number;
}

/** Skiff's own sandboxes and containers carry this label; anything else on the runtime is not ours to count. */
const MANAGED = { 'skiff.dev/managed': 'true' };

export class MetricsRefresher {
  private timer: NodeJS.Timeout | undefined;
  private known = new Set<string>();

  constructor(private readonly d: MetricsRefresherDeps) {}

  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.d.intervalMs ?? 10_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    try {
      const [sandboxes, containers] = await Promise.all([this.d.runtime.listPodSandbox({ state: SANDBOX_READY, labelSelector: MANAGED }), this.d.runtime.listContainers({ labelSelector: MANAGED })]);
      const byState = { created: 0, running: 0, exited: 0, unknown: 0 };
      for (const c of containers) {
        if (c.state === CONTAINER_CREATED) byState.created++;
        else if (c.state === CONTAINER_RUNNING) byState.running++;
        else if (c.state === CONTAINER_EXITED) byState.exited++;
        else byState.unknown++;
      }
      this.d.metrics.setRunning(sandboxes.length, byState);
    } catch (e) {
      this.d.log(`metrics: ${e instanceof Error ? e.message : String(e)}`);
    }
    const host = this.d.hostSample();
    if (host?.cpu && host.memory) {
      this.d.metrics.setNode(host.cpu.usageCoreNanoSeconds / 1e9, nodeMemory(host.memory).workingSetBytes);
    }
    const now = new Set(this.d.podKeys());
    for (const key of this.known) {
      if (now.has(key)) continue;
      const slash = key.indexOf('/');
      this.d.metrics.forgetPod(key.slice(0, slash), key.slice(slash + 1));
    }
    this.known = now;
  }
}
