/**
 * bench/pod-start: pod start latency on one real node, against raw CRI.
 *
 *   npm run bench:pod-start -- --pods 20
 *
 * A real `skiff up` (server, agent, its supervised containerd, the
 * busybox image from the airgap dir). Two phases, each measured twice in
 * the same run on the same containerd:
 * - sequential: N pods one at a time, each through the API (POST → Running
 *   seen on a watch) interleaved with one raw CRI start (RunPodSandbox +
 *   CreateContainer + StartContainer, raw-cri.ts);
 * - burst: N pods POSTed at once until all are Running, then (the API
 *   pods deleted and gone) N raw CRI starts at once. Each burst starts on
 *   an empty node, 5 s after the previous teardown.
 * One unmeasured warm-up start of each kind comes first (the first gRPC
 * call on a channel costs ~50 ms). Pods are busybox `sleep 3600` with
 * imagePullPolicy IfNotPresent and terminationGracePeriodSeconds 0.
 *
 * Results: bench/results/pod-start.json, `{sequential, burst}` each with
 * pods, p50Ms, p99Ms, criP50Ms, criP99Ms, overheadP50Ms (p50 − CRI p50)
 * and overheadRatio (p50 / CRI p50), plus a per-stage breakdown (medians
 * from the start, using containerd's own created/started timestamps) and
 * the machine and load. Everything started is removed at the end.
 * `--profile-dir DIR` also writes DIR/samples.json (every start on the
 * wall clock) and DIR/skiff-up.log (the node's output), to line up with
 * timestamps an instrumented agent logs.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRuntime } from '../../agent/cri/create-runtime.js';
import type { Runtime } from '../../agent/cri/runtime.js';
import { MANAGED_SELECTOR } from '../../agent/kubelet/cri-labels.js';
import { ApiClient } from '../../control-plane/api/client/api-client.js';
import { credentialsFromKubeconfig } from '../../control-plane/api/client/kubeconfig.js';
import { HttpsTransport } from '../../control-plane/api/client/transport.js';
import { testImageFiles } from '../../test/helpers/containerd.js';
import { startSkiffUp, type SkiffUpHandle } from '../../test/helpers/skiff-up.js';
import { tempDir, type TempDir } from '../../test/helpers/temp-dir.js';
import { percentile, round, summarize } from '../api/stats.js';
import { ApiPods, type ApiStart } from './api-pods.js';
import { criTimes, type CriTimes } from './cri-times.js';
import { diffSnapshots, kubeletSnapshot, type KubeletSnapshot } from './kubelet-metrics.js';
import { RawCri, removeCgroupParent, type RawStart } from './raw-cri.js';

const root = join(import.meta.dirname, '..', '..', '..');
const IMAGE = 'localhost/busybox:1.0';
const COMMAND = ['sleep', '3600'];
const NAMESPACE = 'bench-pod-start';
/** Pause after a teardown, so containerd's asynchronous clean-up (shims, snapshots) does not weigh on the next burst. */
const SETTLE_MS = 5000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface PhaseResult {
  pods: number;
  p50Ms: number;
  p99Ms: number;
  criP50Ms: number;
  criP99Ms: number;
  overheadP50Ms: number;
  overheadRatio: number;
}

/** Medians (ms from each start's t0) of the stage boundaries. */
type Breakdown = Record<string, number>;

const median = (xs: number[]): number => round(percentile([...xs].filter(Number.isFinite).sort((a, b) => a - b), 50), 1);

function apiBreakdown(starts: ApiStart[], times: Map<string, CriTimes>): Breakdown {
  const rel = (f: (s: ApiStart, t: CriTimes | undefined) => number) => median(starts.map((s) => f(s, times.get(s.uid)) - s.t0));
  return {
    postAnswered: rel((s) => s.created),
    boundSeen: rel((s) => s.bound),
    sandboxCreated: rel((_, t) => t?.sandboxCreated ?? NaN),
    containerCreated: rel((_, t) => t?.containerCreated ?? NaN),
    containerStarted: rel((_, t) => t?.containerStarted ?? NaN),
    firstStatusSeen: rel((s) => s.firstStatus),
    runningSeen: rel((s) => s.running),
  };
}

function rawBreakdown(starts: RawStart[], times: Map<string, CriTimes>): Breakdown {
  const rel = (f: (s: RawStart, t: CriTimes | undefined) => number) => median(starts.map((s) => f(s, times.get(s.uid)) - s.t0));
  return {
    sandboxCreated: rel((_, t) => t?.sandboxCreated ?? NaN),
    runPodSandboxDone: rel((s) => s.sandboxDone),
    containerCreated: rel((_, t) => t?.containerCreated ?? NaN),
    createContainerDone: rel((s) => s.createDone),
    containerStarted: rel((_, t) => t?.containerStarted ?? NaN),
    startContainerDone: rel((s) => s.startDone),
  };
}

async function timesOf(runtime: Runtime, uids: string[]): Promise<Map<string, CriTimes>> {
  const out = new Map<string, CriTimes>();
  for (const uid of uids) {
    const t = await criTimes(runtime, uid).catch(() => undefined);
    if (t) out.set(uid, t);
  }
  return out;
}

function phaseResult(api: ApiStart[], raw: RawStart[]): PhaseResult {
  const a = summarize(api.map((s) => s.running - s.t0));
  const r = summarize(raw.map((s) => s.startDone - s.t0));
  return {
    pods: api.length,
    p50Ms: a.p50Ms,
    p99Ms: a.p99Ms,
    criP50Ms: r.p50Ms,
    criP99Ms: r.p99Ms,
    overheadP50Ms: round(a.p50Ms - r.p50Ms),
    overheadRatio: round(a.p50Ms / r.p50Ms),
  };
}

/** Waits until the kubelet has removed every sandbox it made (the deleted pods' teardown is over). */
async function kubeletSandboxesGone(runtime: Runtime, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await runtime.listPodSandbox({ labelSelector: MANAGED_SELECTOR })).length > 0) {
    if (Date.now() > until) throw new Error('the kubelet did not remove the deleted pods\u2019 sandboxes');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function waitForServiceAccount(client: ApiClient, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await client.get({ group: '', version: 'v1', resource: 'serviceaccounts', namespace: NAMESPACE }, 'default');
      return;
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function table(rows: [string, PhaseResult][]): string {
  const head = ['mode', 'pods', 'p50 ms', 'p99 ms', 'CRI p50 ms', 'CRI p99 ms', 'overhead p50 ms', 'ratio'];
  const body = rows.map(([mode, r]) => [mode, r.pods, r.p50Ms, r.p99Ms, r.criP50Ms, r.criP99Ms, r.overheadP50Ms, r.overheadRatio].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}

/**
 * skiff up's CNI bridge (skiff0) and pod CIDR are host-wide: a second node
 * on this host would share them, and either one's clean-up removes them
 * from under the other. Names what is in the way, if anything.
 */
function otherNode(): string | undefined {
  if (existsSync('/sys/class/net/skiff0')) return 'the bridge skiff0 exists';
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile
    }
    const i = argv.findIndex((a) => a.endsWith('skiff.js') || a.endsWith('/skiff'));
    if (i >= 0 && (argv[i + 1] === 'up' || argv[i + 1] === 'agent')) return `process ${pid}: ${argv.slice(i, i + 2).join(' ')}`;
  }
  return undefined;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { pods: { type: 'string', default: '20' }, 'profile-dir': { type: 'string' } } });
  const profileDir = values['profile-dir'];
  const n = Number(values.pods);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--pods must be a positive integer, not ${values.pods}`);
  const other = otherNode();
  if (other) throw new Error(`another Skiff node runs on this host (${other}); bench:pod-start needs the host to itself`);
  const loadBefore = loadavg().map((l) => round(l));
  process.stderr.write(`bench:pod-start: starting skiff up (load ${loadBefore.join(' ')})…\n`);
  let up: SkiffUpHandle | undefined;
  let transport: HttpsTransport | undefined;
  let runtime: Runtime | undefined;
  let api: ApiPods | undefined;
  let raw: RawCri | undefined;
  let tmp: TempDir | undefined;
  try {
    up = await startSkiffUp({ images: [testImageFiles().busybox] });
    const creds = credentialsFromKubeconfig(up.kubeconfig);
    transport = new HttpsTransport(creds);
    const kubeletPort = up.kubeletPort;
    // Best effort: the breakdown goes without the agent's view if /metrics is unreachable.
    const snapshot = (): Promise<KubeletSnapshot> => kubeletSnapshot(creds, kubeletPort).catch(() => new Map());
    const client = new ApiClient(transport);
    runtime = createRuntime(`unix://${join(up.dataDir, 'agent', 'containerd', 'containerd.sock')}`);
    tmp = tempDir('skiff-bench-pod-start-');
    raw = new RawCri({ runtime, image: IMAGE, command: COMMAND, dir: tmp.path });
    await client.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    await waitForServiceAccount(client);
    api = await ApiPods.open(client, NAMESPACE, { image: IMAGE, command: COMMAND });

    // Warm-up, not measured.
    await api.start('warm-up');
    await raw.startOne();

    process.stderr.write(`bench:pod-start: ${n} sequential starts (API and raw CRI interleaved)…\n`);
    const seqBefore = await snapshot();
    const seqApi: ApiStart[] = [];
    const seqRaw: RawStart[] = [];
    for (let i = 0; i < n; i++) {
      seqApi.push(await api.start(`seq-${i}`));
      seqRaw.push(await raw.startOne());
    }
    const seqAgent = diffSnapshots(seqBefore, await snapshot());
    const seqApiTimes = await timesOf(runtime, seqApi.map((s) => s.uid));
    const seqRawTimes = await timesOf(runtime, seqRaw.map((s) => s.uid));
    await api.deleteAll();
    await kubeletSandboxesGone(runtime);
    await raw.removeAll();
    await sleep(SETTLE_MS);

    process.stderr.write(`bench:pod-start: burst of ${n} through the API…\n`);
    const burstBefore = await snapshot();
    const burstApi = await Promise.all(Array.from({ length: n }, (_, i) => api!.start(`burst-${i}`)));
    const burstAgent = diffSnapshots(burstBefore, await snapshot());
    const burstApiTimes = await timesOf(runtime, burstApi.map((s) => s.uid));
    await api.deleteAll();
    await kubeletSandboxesGone(runtime);
    await sleep(SETTLE_MS);
    process.stderr.write(`bench:pod-start: burst of ${n} raw CRI starts…\n`);
    const burstRaw = await Promise.all(Array.from({ length: n }, () => raw!.startOne()));
    const burstRawTimes = await timesOf(runtime, burstRaw.map((s) => s.uid));
    await raw.removeAll();

    const sequential = phaseResult(seqApi, seqRaw);
    const burst = phaseResult(burstApi, burstRaw);
    const breakdown = {
      sequential: { api: apiBreakdown(seqApi, seqApiTimes), rawCri: rawBreakdown(seqRaw, seqRawTimes), agentCriCalls: seqAgent },
      burst: { api: apiBreakdown(burstApi, burstApiTimes), rawCri: rawBreakdown(burstRaw, burstRawTimes), agentCriCalls: burstAgent },
    };
    const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? '', memoryGiB: round(totalmem() / 2 ** 30, 0), node: process.version };
    const load = { before: loadBefore, after: loadavg().map((l) => round(l)) };
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(
      join(root, 'bench', 'results', 'pod-start.json'),
      `${JSON.stringify({ sequential, burst, breakdown, machine, load, date: new Date().toISOString() }, null, 2)}\n`,
    );
    process.stdout.write(`${table([['sequential', sequential], ['burst', burst]])}\n\n`);
    process.stdout.write(`stage medians, ms from the start (API: from the POST; raw CRI: from RunPodSandbox):\n${JSON.stringify(breakdown, null, 2)}\n`);
    if (profileDir) {
      // Per-start samples on the wall clock (ms since the epoch), to line up with timestamps in the agent's log.
      const wall = (t: number): number => round(performance.timeOrigin + t, 3);
      const api = (xs: ApiStart[]) => xs.map((s) => ({ ...s, t0: wall(s.t0), created: wall(s.created), bound: wall(s.bound), firstStatus: wall(s.firstStatus), running: wall(s.running) }));
      const rawOut = (xs: RawStart[]) => xs.map((s) => ({ ...s, t0: wall(s.t0), sandboxDone: wall(s.sandboxDone), createDone: wall(s.createDone), startDone: wall(s.startDone) }));
      mkdirSync(profileDir, { recursive: true });
      writeFileSync(join(profileDir, 'samples.json'), `${JSON.stringify({ sequential: { api: api(seqApi), raw: rawOut(seqRaw) }, burst: { api: api(burstApi), raw: rawOut(burstRaw) } }, null, 1)}\n`);
    }
    process.stdout.write(`load average before ${load.before.join(' ')}, after ${load.after.join(' ')}\n`);
  } finally {
    await api?.deleteAll().catch(() => undefined);
    api?.close();
    if (runtime) await kubeletSandboxesGone(runtime, 60_000).catch(() => undefined);
    await raw?.removeAll().catch(() => undefined);
    runtime?.close();
    transport?.close();
    if (profileDir && up) {
      mkdirSync(profileDir, { recursive: true });
      writeFileSync(join(profileDir, 'skiff-up.log'), up.logs());
    }
    await up?.destroy();
    removeCgroupParent();
    tmp?.remove();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:pod-start failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
