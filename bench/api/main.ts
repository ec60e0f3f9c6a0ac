/**
 * bench/api: API write throughput and latency against the raw datastore
 * rate, watch fan-out latency, and memory with 10,000 pods.
 *
 *   npm run bench:api            (writes bench/results/api.json)
 *
 * The server runs as its own process (the real `skiff server`), the load
 * generator in this one; both backends are measured in the same run.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { ApiClient } from '../../control-plane/api/client/api-client.js';
import { HttpsTransport } from '../../control-plane/api/client/transport.js';
import { credentialsFromKubeconfig } from '../../control-plane/api/client/kubeconfig.js';
import { startSkiff, type SkiffHandle } from '../../test/helpers/skiff.js';
import { startEtcd } from '../../test/helpers/etcd.js';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { rawEtcdPutsPerSec, rawSqliteInsertsPerSec } from './raw-baselines.js';
import { bulk, closedLoop, configMap1k, configmaps, watchFanOut } from './workloads.js';
import { round, summarize } from './stats.js';
import { applyThroughput, type ApplyRun } from './apply.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = [1, 16, 64];
const root = join(import.meta.dirname, '..', '..', '..');

interface Run {
  backend: string;
  concurrency: number;
  createsPerSec: number;
  updatesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  updateP50Ms: number;
  updateP99Ms: number;
  rawPerSec: number;
  ratio: number;
}

function clientFor(server: SkiffHandle, maxSockets: number): { client: ApiClient; close(): void } {
  const t = new HttpsTransport(credentialsFromKubeconfig(server.kubeconfig), { maxSockets });
  return { client: new ApiClient(t), close: () => t.close() };
}

async function ensureNamespace(client: ApiClient, name: string): Promise<void> {
  await client.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

async function writeRuns(backend: string, server: SkiffHandle, rawPerSec: number): Promise<Run[]> {
  const runs: Run[] = [];
  for (const c of CONCURRENCY) {
    const { client, close } = clientFor(server, c);
    const ns = `bench-${c}`;
    await ensureNamespace(client, ns);
    const ref = configmaps(ns);
    const created = await closedLoop(c, SECONDS, (i) => client.create(ref, configMap1k(`cm-${i}`)));
    const updated = await closedLoop(c, SECONDS, (i) => client.update(ref, configMap1k(`cm-${i % created.ops}`, String(i))));
    close();
    const cs = summarize(created.latenciesMs);
    const us = summarize(updated.latenciesMs);
    const run: Run = {
      backend,
      concurrency: c,
      createsPerSec: round(created.perSec, 1),
      updatesPerSec: round(updated.perSec, 1),
      p50Ms: cs.p50Ms,
      p99Ms: cs.p99Ms,
      updateP50Ms: us.p50Ms,
      updateP99Ms: us.p99Ms,
      rawPerSec: round(rawPerSec, 1),
      ratio: round(created.perSec / rawPerSec, 3),
    };
    console.log(
      `${backend.padEnd(6)} c=${String(c).padEnd(3)} creates/s=${run.createsPerSec} (p50 ${cs.p50Ms} ms, p99 ${cs.p99Ms} ms) ` +
        `updates/s=${run.updatesPerSec} (p50 ${us.p50Ms} ms, p99 ${us.p99Ms} ms) raw/s=${run.rawPerSec} ratio=${run.ratio}`,
    );
    runs.push(run);
  }
  return runs;
}

function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return round(kb / 1024, 1);
}

async function main(): Promise<void> {
  const scratch = tempDir('skiff-bench-');
  const runs: Run[] = [];
  let watch = { watchers: 1000, p50Ms: NaN, p99Ms: NaN, delivered: 0, expected: 0 };
  let rssMb10kPods = NaN;
  const apply: ApplyRun[] = [];
  try {
    // SQLite: raw rate first, then the API on the same disk.
    const rawSqlite = rawSqliteInsertsPerSec(scratch.path, SECONDS);
    console.log(`raw better-sqlite3 sequential 1 KiB inserts (WAL, synchronous=FULL): ${round(rawSqlite, 1)}/s`);
    const sqlite = await startSkiff({});
    try {
      runs.push(...(await writeRuns('sqlite', sqlite, rawSqlite)));

      const fan = clientFor(sqlite, 2000);
      await ensureNamespace(fan.client, 'bench-watch');
      const w = await watchFanOut(fan.client, 'bench-watch', 1000, 20);
      fan.close();
      watch = { watchers: 1000, ...summarize(w.latenciesMs), delivered: w.latenciesMs.length, expected: w.expected };
      console.log(`watch fan-out: 1000 watchers, ${w.latenciesMs.length}/${w.expected} deliveries, p50 ${watch.p50Ms} ms, p99 ${watch.p99Ms} ms`);

      const applier = clientFor(sqlite, 16);
      await ensureNamespace(applier.client, 'bench-apply');
      for (const size of [1, 10]) {
        const a = await applyThroughput(applier.client, 'bench-apply', size, 16, SECONDS);
        apply.push(a);
        console.log(`client-side apply SMP patches, ${size} KiB Deployments, c=16: ${a.patchesPerSec}/s (p50 ${a.p50Ms} ms, p99 ${a.p99Ms} ms)`);
      }
      applier.close();

      const pods = clientFor(sqlite, 64);
      await ensureNamespace(pods.client, 'bench-pods');
      const podRef = { group: '', version: 'v1', resource: 'pods', namespace: 'bench-pods' };
      await bulk(10_000, 64, (i) =>
        pods.client.create(podRef, {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `pod-${i}`, labels: { app: 'bench', shard: String(i % 10) } },
          spec: { containers: [{ name: 'c', image: 'busybox:1.36', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
        }),
      );
      await pods.client.list(podRef, { limit: 500 });
      pods.close();
      rssMb10kPods = rssMb(sqlite.pid());
      console.log(`server RSS with 10,000 stored pods: ${rssMb10kPods} MiB`);
    } finally {
      await sqlite.stop();
    }

    const etcd = await startEtcd();
    try {
      const rawEtcd = await rawEtcdPutsPerSec(etcd.endpoint, SECONDS);
      console.log(`raw etcd sequential 1 KiB puts: ${round(rawEtcd, 1)}/s`);
      const server = await startSkiff({ datastore: `etcd://${etcd.endpoint.replace(/^https?:\/\//, '')}` });
      try {
        runs.push(...(await writeRuns('etcd', server, rawEtcd)));
      } finally {
        await server.stop();
      }
    } finally {
      await etcd.stop();
    }
  } finally {
    scratch.remove();
  }

  const result = {
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', memoryGiB: round(totalmem() / 2 ** 30, 1), node: process.version },
    date: new Date().toISOString(),
    secondsPerPhase: SECONDS,
    runs,
    watch,
    rssMb10kPods,
    apply: { backend: 'sqlite', runs: apply },
  };
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'api.json'), JSON.stringify(result, null, 2) + '\n');
  console.log('wrote bench/results/api.json');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
