/**
 * The scheduler end to end: a real `skiff server`, three simulated nodes
 * (`skiff sim`, 2 cpu / 4Gi each) and the real kubectl 1.32. Pods are bound
 * and run, spread over the nodes; cordoned and tainted nodes are avoided;
 * a pod too big for every node stays Pending with upstream's
 * FailedScheduling message until a big node appears; a high-priority pod
 * preempts a low-priority one. Tests run in order and clean up after
 * themselves.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, Kubectl } from '../helpers/kubectl.js';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

let server: SkiffHandle;
let sim: SimHandle;
let home: TempDir;
let k: Kubectl;

interface PodSummary {
  name: string;
  node: string;
  phase: string;
  nominated: string;
}

interface PodOptions {
  cpu?: string;
  labels?: Record<string, string>;
  priorityClass?: string;
  nodeSelector?: Record<string, string>;
  schedulerName?: string;
}

function podYaml(name: string, o: PodOptions = {}): string {
  const labels = Object.entries(o.labels ?? {}).map(([key, v]) => `    ${key}: ${v}\n`).join('');
  const selector = Object.entries(o.nodeSelector ?? {}).map(([key, v]) => `    ${key}: ${v}\n`).join('');
  return (
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n${labels ? `  labels:\n${labels}` : ''}spec:\n` +
    `  terminationGracePeriodSeconds: 1\n` +
    (o.priorityClass ? `  priorityClassName: ${o.priorityClass}\n` : '') +
    (o.schedulerName ? `  schedulerName: ${o.schedulerName}\n` : '') +
    (selector ? `  nodeSelector:\n${selector}` : '') +
    `  containers:\n  - name: c\n    image: busybox:1.36\n` +
    (o.cpu ? `    resources:\n      requests:\n        cpu: ${o.cpu}\n` : '')
  );
}

async function apply(...docs: string[]): Promise<void> {
  await k.ok(['apply', '-f', '-'], docs.join('---\n'));
}

async function pods(selector?: string): Promise<PodSummary[]> {
  const out = await k.ok([
    'get',
    'pods',
    ...(selector ? ['-l', selector] : []),
    '-o',
    'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.phase} {.status.nominatedNodeName}{"\\n"}{end}',
  ]);
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [name = '', node = '', phase = '', nominated = ''] = l.split(' ');
      return { name, node, phase, nominated };
    });
}

/** Polls get() until ok(value); on timeout fails showing the last value. */
async function waitFor<T>(get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  let last: T | undefined;
  try {
    await eventually(async () => ok((last = await get())), timeoutMs, what);
  } catch (err) {
    throw new Error(`${(err as Error).message}; last: ${JSON.stringify(last)}`);
  }
  return last as T;
}

async function deleteAllPods(): Promise<void> {
  await k.ok(['delete', 'pods', '--all', '--grace-period=0', '--force', '--wait=true', '--timeout=30s']);
}

describe('scheduler', { timeout: 120_000 }, () => {
  before(async () => {
    home = tempDir('skiff-scheduling-home-');
    server = await startSkiff({});
    sim = await startSim({ kubeconfig: server.kubeconfig, nodes: 3, cpu: '2', memory: '4Gi' });
    k = new Kubectl('1.32', server.kubeconfig, home.path);
    await eventually(async () => (await k.ok(['get', 'nodes', '-o', 'name'])).split('\n').filter(Boolean).length === 3, 20_000, '3 nodes');
  });
  after(async () => {
    await sim?.stop();
    await server?.stop();
    home?.remove();
  });

  it('binds pods to simulated nodes, spreads a set of them and reports Scheduled; ignores other schedulers’ pods', async () => {
    await apply(podYaml('other', { schedulerName: 'my-scheduler' }));
    await apply(...Array.from({ length: 6 }, (_, i) => podYaml(`web-${i}`, { cpu: '100m', labels: { app: 'web' } })));
    await eventually(async () => {
      const ps = await pods('app=web');
      return ps.length === 6 && ps.every((p) => p.node.startsWith('sim-') && p.phase === 'Running');
    }, 30_000, '6 web pods Running');
    const nodes = new Set((await pods('app=web')).map((p) => p.node));
    assert.ok(nodes.size >= 2, `spread over ${[...nodes].join(', ')}`);
    const node = (await pods('app=web')).find((p) => p.name === 'web-0')?.node ?? '';
    await eventually(
      async () => (await k.ok(['describe', 'pod', 'web-0'])).includes(`Successfully assigned default/web-0 to ${node}`),
      10_000,
      'Scheduled event',
    );
    const described = await k.ok(['describe', 'pod', 'web-0']);
    assert.match(described, /Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\/web-0 to sim-\d/);
    assert.equal(await k.ok(['get', 'pod', 'other', '-o', 'jsonpath={.spec.nodeName}{.status.conditions}']), '', 'left to my-scheduler');
    await deleteAllPods();
  });

  it('keeps new pods off a cordoned node and a NoSchedule-tainted one, and retries when the node is uncordoned', async () => {
    await k.ok(['cordon', 'sim-0']);
    await k.ok(['taint', 'nodes', 'sim-1', 'dedicated=gpu:NoSchedule']);
    await apply(...Array.from({ length: 4 }, (_, i) => podYaml(`avoid-${i}`, { cpu: '100m', labels: { app: 'avoid' } })));
    await apply(podYaml('pinned', { nodeSelector: { 'kubernetes.io/hostname': 'sim-0' } }));
    await eventually(async () => {
      const ps = await pods('app=avoid');
      return ps.length === 4 && ps.every((p) => p.node !== '');
    }, 30_000, 'avoid pods bound');
    assert.deepEqual([...new Set((await pods('app=avoid')).map((p) => p.node))], ['sim-2']);
    const expected =
      "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}, " +
      '1 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
    const message = (): Promise<string> => k.ok(['get', 'pod', 'pinned', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}']);
    await waitFor(message, (m) => m === expected, 15_000, 'pinned unschedulable');
    await k.ok(['uncordon', 'sim-0']);
    await eventually(async () => (await pods()).find((p) => p.name === 'pinned')?.node === 'sim-0', 20_000, 'pinned bound to sim-0 after uncordon');
    await k.ok(['taint', 'nodes', 'sim-1', 'dedicated=gpu:NoSchedule-']);
    await deleteAllPods();
  });

  it('leaves a pod bigger than every node Pending with FailedScheduling, and binds it once a big node appears', async () => {
    await apply(podYaml('huge', { cpu: '8' }));
    const expected = '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
    await waitFor(() => k.ok(['describe', 'pod', 'huge']), (d) => d.includes(expected), 15_000, 'FailedScheduling in describe');
    const described = await k.ok(['describe', 'pod', 'huge']);
    assert.match(described, /Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/3 nodes are available: 3 Insufficient cpu\./);
    assert.match(described, /PodScheduled\s+False/);
    assert.equal((await pods()).find((p) => p.name === 'huge')?.phase, 'Pending');
    const big = await startSim({ kubeconfig: server.kubeconfig, nodes: 1, prefix: 'big-', cpu: '64' });
    try {
      await eventually(async () => {
        const p = (await pods()).find((x) => x.name === 'huge');
        return p?.node === 'big-0' && p.phase === 'Running';
      }, 30_000, 'huge Running on big-0');
      await deleteAllPods();
    } finally {
      await big.stop();
    }
    await k.ok(['delete', 'node', 'big-0']);
  });

  it('preempts a low-priority pod for a high-priority one that fits nowhere else', async () => {
    await apply(
      'apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: low\nvalue: 10\n',
      'apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: high\nvalue: 1000\n',
    );
    await apply(...Array.from({ length: 6 }, (_, i) => podYaml(`low-${i}`, { cpu: '900m', labels: { tier: 'low' }, priorityClass: 'low' })));
    await eventually(async () => {
      const ps = await pods('tier=low');
      return ps.length === 6 && ps.every((p) => p.phase === 'Running');
    }, 30_000, 'low pods Running');
    await apply(podYaml('vip', { cpu: '1', priorityClass: 'high' }));
    let nominated = '';
    await eventually(async () => {
      const p = (await pods()).find((x) => x.name === 'vip');
      if (p?.nominated) nominated = p.nominated;
      return p?.phase === 'Running' && p.node !== '';
    }, 40_000, 'vip Running');
    const vip = (await pods()).find((x) => x.name === 'vip');
    const lows = await pods('tier=low');
    assert.equal(lows.length, 5, 'one low-priority pod was evicted');
    nominated ||= vip?.nominated ?? '';
    assert.equal(nominated, vip?.node, 'status.nominatedNodeName named the node it was bound to');
    const events = await k.ok(['get', 'events', '-o', 'jsonpath={range .items[?(@.reason=="Preempted")]}{.involvedObject.name}: {.message}{"\\n"}{end}']);
    const uid = await k.ok(['get', 'pod', 'vip', '-o', 'jsonpath={.metadata.uid}']);
    const preempted = events.split('\n').filter(Boolean);
    assert.equal(preempted.length, 1, events);
    assert.match(preempted[0] ?? '', new RegExp(`^low-\\d: Preempted by pod ${uid} on node ${vip?.node ?? ''}$`));
    assert.ok(!lows.some((p) => preempted[0]?.startsWith(`${p.name}:`)), 'the Preempted pod is the one gone');
    await deleteAllPods();
  });
});
