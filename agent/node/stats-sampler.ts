/**
 * Samples the host and the runtime every 10 s (as cAdvisor's housekeeping
 * and the kubelet's CRI stats provider do) and keeps the latest sample, so
 * CPU rates (usageNanoCores) exist: they are the difference of cumulative
 * CPU time between two samples over the time between them.
 *
 * Serves the stats Summary (`summary(pods)`, for the agent's /stats/summary
 * and the server's metrics.k8s.io) and the readings the node's pressure
 * conditions are judged on (`latest()`).
 *
 * Contract: sample() takes a reading now (a failure of one source leaves
 * that part out and is logged once per kind of failure, never thrown);
 * start() samples at once and then every interval; stop() ends the timer.
 * summary() samples first when nothing has been sampled yet. Times come
 * from the injected clock; CRI timestamps, when set, time container CPU.
 */
import type { Clock } from '../../control-plane/api/meta.js';
import type { Runtime } from '../cri/runtime.js';
import type { HostProbe } from './host-info.js';
import { buildSummary, nanoCores, type ContainerSample, type HostSample, type PodRef, type Summary } from './stats-summary.js';

export const SAMPLE_INTERVAL_MS = 10_000;

export interface StatsSamplerDeps {
  host: HostProbe;
  runtime: Runtime;
  clock: Clock;
  nodeName: string;
  /** The filesystem of this directory is the node filesystem (nodefs). */
  dataDir: string;
  log: (msg: string) => void;
  intervalMs?: number;
}

function num(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

export class StatsSampler {
  private current: HostSample | undefined;
  private inFlight: Promise<HostSample> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly failures = new Set<string>();

  constructor(private readonly d: StatsSamplerDeps) {}

  start(): void {
    if (this.timer) return;
    const tick = (): void => {
      void this.sample().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.d.intervalMs ?? SAMPLE_INTERVAL_MS).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The most recent sample, if any. */
  latest(): HostSample | undefined {
    return this.current;
  }

  /** Takes a sample now (joining one in flight). */
  sample(): Promise<HostSample> {
    this.inFlight ??= this.take().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** The stats Summary for these pods (the node's always). */
  async summary(pods: readonly PodRef[]): Promise<Summary> {
    const s = this.current ?? (await this.sample());
    const machine = await this.d.host.machine();
    return buildSummary(this.d.nodeName, machine.bootTimeMs, s, pods);
  }

  private async attempt<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      const v = await fn();
      this.failures.delete(what);
      return v;
    } catch (e) {
      if (!this.failures.has(what)) this.d.log(`stats: ${what}: ${e instanceof Error ? e.message : String(e)}`);
      this.failures.add(what);
      return undefined;
    }
  }

  private async take(): Promise<HostSample> {
    const { host, runtime } = this.d;
    const atMs = this.d.clock.now().getTime();
    const prev = this.current;
    const [cpu, memory, nodefs, pids, imageFsInfo, stats] = await Promise.all([
      this.attempt('cpu', () => host.cpu()),
      this.attempt('memory', () => host.memory()),
      this.attempt('nodefs', () => host.fs(this.d.dataDir)),
      this.attempt('pids', () => host.pids()),
      this.attempt('imagefs', () => runtime.imageFsInfo()),
      this.attempt('container stats', () => runtime.listContainerStats()),
    ]);
    const sample: HostSample = { atMs, containers: new Map() };
    if (cpu) {
      const rate = prev?.cpu ? nanoCores(prev.cpu.usageCoreNanoSeconds, prev.atMs * 1e6, cpu.usageCoreNanoSeconds, atMs * 1e6) : undefined;
      sample.cpu = rate === undefined ? { usageCoreNanoSeconds: cpu.usageCoreNanoSeconds } : { usageCoreNanoSeconds: cpu.usageCoreNanoSeconds, usageNanoCores: rate };
    }
    if (memory) sample.memory = memory;
    if (nodefs) sample.nodefs = nodefs;
    if (pids) sample.pids = pids;
    const img = imageFsInfo?.[0];
    if (img) {
      const fs = img.mountpoint ? await this.attempt('imagefs statfs', () => host.fs(img.mountpoint)) : nodefs;
      const base = fs ?? nodefs;
      if (base) sample.imagefs = { ...base, criUsedBytes: num(img.usedBytes), criInodesUsed: num(img.inodesUsed) };
    } else if (nodefs) {
      sample.imagefs = { ...nodefs };
    }
    for (const st of stats ?? []) {
      const id = st.attributes.id;
      const cpuNs = num(st.cpu?.usageCoreNanoSeconds);
      const tsNs = num(st.cpu?.timestamp);
      const c: ContainerSample = { atMs: tsNs && tsNs > 0 ? Math.floor(tsNs / 1e6) : atMs };
      if (cpuNs !== undefined) {
        c.usageCoreNanoSeconds = cpuNs;
        c.cpuAtNs = tsNs && tsNs > 0 ? tsNs : atMs * 1e6;
        const p = prev?.containers.get(id);
        if (p?.usageCoreNanoSeconds !== undefined && p.cpuAtNs !== undefined) {
          const rate = nanoCores(p.usageCoreNanoSeconds, p.cpuAtNs, cpuNs, c.cpuAtNs);
          if (rate !== undefined) c.usageNanoCores = rate;
          // The runtime had no newer reading: keep the rate it gave last.
          else if (p.cpuAtNs === c.cpuAtNs && p.usageNanoCores !== undefined) c.usageNanoCores = p.usageNanoCores;
        }
      }
      const ws = num(st.memory?.workingSetBytes);
      if (ws !== undefined) c.workingSetBytes = ws;
      const wl = num(st.writableLayer?.usedBytes);
      if (wl !== undefined) c.writableLayerBytes = wl;
      sample.containers.set(id, c);
    }
    this.current = sample;
    return sample;
  }
}
