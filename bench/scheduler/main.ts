/**
 * bench/scheduler: end-to-end scheduling throughput through the API.
 *
 *   npm run bench:scheduler -- --nodes 5000 --pods 10000 [--only]
 *
 * For each configuration: a fresh `skiff server` process (SQLite), a
 * `skiff sim` process with that many nodes, then one ReplicaSet of that
 * many pods. Measured from the POST of the ReplicaSet to the last binding
 * seen on a pod watch:
 * - pods bound per second;
 * - p50/p99 from a pod's creation (first seen on the watch) to its binding
 *   (first seen with spec.nodeName);
 * - seconds until every pod reports Running;
 * - the server's RSS at the end (and its peak).
 * Besides the configuration asked for, it runs 500 nodes / 5,000 pods and
 * 5,000 nodes / 50,000 pods, unless --only. Results go to
 * bench/results/scheduler.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ApiClient } from '../../control-plane/api/client/api-client.js';
import { credentialsFromKubeconfig } from '../../control-plane/api/client/kubeconfig.js';
import { HttpsTransport } from '../../control-plane/api/client/transport.js';
import type { KubeObject } from '../../control-plane/api/meta.js';
import { startSim } from '../../test/helpers/sim.js';
import { startSkiff } from '../../test/helpers/skiff.js';
import { round, summarize } from '../api/stats.js';
import { cpuShares, sampleCpu, type CpuSample, type CpuShares } from './cpu-shares.js';

interface Run {
  nodes: number;
  pods: number;
  podsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  allRunningSeconds: number;
  serverRssMb: number;
  serverPeakRssMb: number;
  simRegisterSeconds: number;
  /** CPU time (user + system) per pod from the POST until all Running, of the server and of the simulator. */
  serverCpuMsPerPod: number;
  simCpuMsPerPod: number;
  /** API requests per pod from the POST until all Running, by verb and resource (apiserver_request_total). */
  requestsPerPod: Record<string, number>;
  /** Percent of a CPU each process (and the server's main thread) used from the POST to the last binding, and the machine's idle share. */
  cpuWhileBinding: CpuShares;
  /** Pods seen bound and Running (equal to pods unless the run timed out). */
  bound: number;
  running: number;
}

const root = join(import.meta.dirname, '..', '..', '..');
const podsRef = (ns: string) => ({ group: '', version: 'v1', resource: 'pods', namespace: ns });
const rsRef = (ns: string) => ({ group: 'apps', version: 'v1', resource: 'replicasets', namespace: ns });

function rssMb(pid: number | undefined): { rss: number; peak: number } {
  if (!pid) return { rss: NaN, peak: NaN };
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN);
  return { rss: round(kb('VmRSS') / 1024, 0), peak: round(kb('VmHWM') / 1024, 0) };
}

/** apiserver_request_total summed by "verb resource[/subresource]". */
async function requestCounts(transport: HttpsTransport): Promise<Map<string, number>> {
  const res = await transport.request({ method: 'GET', path: '/metrics' });
  const out = new Map<string, number>();
  for (const m of res.body.matchAll(/^apiserver_request_total\{([^}]*)\} (\S+)$/gm)) {
    const labels = Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    const key = `${labels.verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ''}`;
    out.set(key, (out.get(key) ?? 0) + Number(m[2]));
  }
  return out;
}

/** The requests made between two counts, per pod, busiest first (those above 0.01 per pod). */
function perPod(before: Map<string, number>, after: Map<string, number>, pods: number): Record<string, number> {
  const rows = [...after].map(([k, v]): [string, number] => [k, round((v - (before.get(k) ?? 0)) / pods, 2)]);
  return Object.fromEntries(rows.filter(([, v]) => v >= 0.01).sort((a, b) => b[1] - a[1]));
}

/**
 * Waits until the cluster is settled, as scheduler benchmarks start from:
 * every node has its pod CIDR and the controllers' events about the new
 * nodes (RegisteredNode…) are written, i.e. no Event was posted for a second.
 */
async function settled(client: ApiClient, transport: HttpsTransport, nodes: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  let events = -1;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    const list = await client.list<KubeObject & { spec?: { podCIDR?: string } }>({ group: '', version: 'v1', resource: 'nodes' });
    const withCidr = list.items.filter((n) => n.spec?.podCIDR).length;
    const now = (await requestCounts(transport)).get('POST events') ?? 0;
    if (withCidr >= nodes && now === events) return;
    events = now;
  }
  process.stderr.write('bench:scheduler: the cluster did not settle in 120 s; measuring anyway\n');
}

/** utime + stime of a process in ms (clock ticks are 100 Hz on Linux). */
function cpuMs(pid: number | undefined): number {
  if (!pid) return NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

type PodView = KubeObject & { spec?: { nodeName?: string }; status?: { phase?: string } };

async function runOnce(nodes: number, pods: number): Promise<Run> {
  // A /24 per node, from a cluster CIDR with room for every node (the
  // default 10.42.0.0/16 holds 256), as a cluster of that size is set up.
  const server = await startSkiff({ extraArgs: ['--leader-elect=false', '--cluster-cidr=10.0.0.0/10'] });
  const transport = new HttpsTransport(credentialsFromKubeconfig(server.kubeconfig), { maxSockets: 8 });
  const client = new ApiClient(transport);
  const simStart = Date.now();
  const sim = await startSim({ kubeconfig: server.kubeconfig, nodes, cpu: '8', memory: '32Gi', maxPods: 110 });
  const simRegisterSeconds = round((Date.now() - simStart) / 1000, 1);
  try {
    const settleStart = Date.now();
    await settled(client, transport, nodes);
    process.stderr.write(`bench:scheduler: settled after ${round((Date.now() - settleStart) / 1000, 1)} s\n`);
    const ns = 'bench';
    await client.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const list = await client.list(podsRef(ns));
    const created = new Map<string, number>();
    const bound = new Map<string, number>();
    let running = 0;
    const runningSeen = new Set<string>();
    let lastBind = 0;
    let lastRunning = 0;
    let boundCpu: CpuSample | undefined;
    let resolveAll!: () => void;
    const allRunning = new Promise<void>((r) => (resolveAll = r));
    const watch = await client.watch<PodView>(podsRef(ns), { resourceVersion: list.metadata.resourceVersion }, (e) => {
      if (e.type !== 'ADDED' && e.type !== 'MODIFIED') return;
      const now = Date.now();
      const name = e.object.metadata.name ?? '';
      if (!created.has(name)) created.set(name, now);
      if (e.object.spec?.nodeName && !bound.has(name)) {
        bound.set(name, now);
        lastBind = now;
        if (bound.size === pods) boundCpu = sampleCpu(server.pid(), sim.pid());
      }
      if (e.object.status?.phase === 'Running' && !runningSeen.has(name)) {
        runningSeen.add(name);
        running++;
        lastRunning = now;
        if (running === pods) resolveAll();
      }
    });
    const t0 = Date.now();
    const cpu0 = { server: cpuMs(server.pid()), sim: cpuMs(sim.pid()) };
    const requests0 = await requestCounts(transport);
    const startCpu = sampleCpu(server.pid(), sim.pid());
    await client.create(rsRef(ns), {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'bench' },
      spec: {
        replicas: pods,
        selector: { matchLabels: { app: 'bench' } },
        template: {
          metadata: { labels: { app: 'bench' } },
          spec: { containers: [{ name: 'c', image: 'registry.local/pause:3.10', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
        },
      },
    });
    // A run that does not finish still reports what it reached.
    const timeoutMs = Math.max(300_000, pods * 40);
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([allRunning.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)))]);
    clearTimeout(timer);
    const cpu1 = { server: cpuMs(server.pid()), sim: cpuMs(sim.pid()) };
    const requestsPerPod = perPod(requests0, await requestCounts(transport), pods);
    watch.close();
    if (!finished) process.stderr.write(`bench:scheduler: timed out after ${timeoutMs / 1000} s: ${bound.size} bound, ${running} running of ${pods}\n`);
    const latencies = [...bound].map(([name, at]) => at - (created.get(name) ?? at));
    const { rss, peak } = rssMb(server.pid());
    return {
      nodes,
      pods,
      podsPerSecond: round(bound.size / ((lastBind - t0) / 1000), 0),
      bound: bound.size,
      running,
      ...summarize(latencies),
      allRunningSeconds: round((lastRunning - t0) / 1000, 1),
      serverRssMb: rss,
      serverPeakRssMb: peak,
      simRegisterSeconds,
      serverCpuMsPerPod: round((cpu1.server - cpu0.server) / pods, 2),
      simCpuMsPerPod: round((cpu1.sim - cpu0.sim) / pods, 2),
      requestsPerPod,
      cpuWhileBinding: cpuShares(startCpu, boundCpu ?? sampleCpu(server.pid(), sim.pid()), server.pid()),
    };
  } finally {
    transport.close();
    await sim.stop();
    await server.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { nodes: { type: 'string', default: '5000' }, pods: { type: 'string', default: '10000' }, only: { type: 'boolean', default: false } } });
  const asked = { nodes: Number(values.nodes), pods: Number(values.pods) };
  const configs = [asked];
  if (!values.only) {
    for (const c of [
      { nodes: 500, pods: 5000 },
      { nodes: 5000, pods: 50000 },
    ]) {
      if (!configs.some((x) => x.nodes === c.nodes && x.pods === c.pods)) configs.push(c);
    }
  }
  const runs: Run[] = [];
  const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? '', memoryGiB: round(totalmem() / 2 ** 30, 0), node: process.version };
  const save = (): void => {
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(join(root, 'bench', 'results', 'scheduler.json'), `${JSON.stringify({ machine, date: new Date().toISOString(), runs }, null, 2)}\n`);
  };
  for (const c of configs) {
    process.stderr.write(`bench:scheduler: ${c.nodes} nodes, ${c.pods} pods…\n`);
    const r = await runOnce(c.nodes, c.pods);
    runs.push(r);
    const cpu = r.cpuWhileBinding;
    process.stdout.write(
      `  CPU while binding (% of one core): server main thread ${cpu.serverMainThread}, its other threads ${cpu.serverOtherThreads}, sim ${cpu.sim}, this benchmark ${cpu.bench}; machine idle ${cpu.machineIdle} %\n`,
    );
    process.stdout.write(`  API requests per pod: ${Object.entries(r.requestsPerPod).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
    process.stdout.write(
      `${r.nodes} nodes / ${r.pods} pods: ${r.podsPerSecond} pods/s bound, creation→binding p50 ${r.p50Ms} ms p99 ${r.p99Ms} ms, ${r.running === r.pods ? 'all' : `${r.running}`} Running after ${r.allRunningSeconds} s, server RSS ${r.serverRssMb} MiB (peak ${r.serverPeakRssMb}), CPU per pod: server ${r.serverCpuMsPerPod} ms, sim ${r.simCpuMsPerPod} ms\n`,
    );
    save();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:scheduler failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
