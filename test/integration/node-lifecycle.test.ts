/**
 * Node IPAM, node lifecycle, taint eviction and DefaultTolerationSeconds
 * end to end: a real `skiff server` (--cluster-cidr 10.99.0.0/24 split into
 * /26 blocks, --node-monitor-grace-period 10s), three simulated nodes and
 * the real kubectl 1.32.
 * - the nodes get 10.99.0.0/26, .64/26 and .128/26; a fourth gets .192/26,
 *   a fifth none and a CIDRNotAvailable event until a block is released;
 * - a node whose heartbeats stop goes NotReady (Ready Unknown) with the
 *   unreachable taints; a ReplicaSet pod tolerating unreachable for 5 s is
 *   evicted and replaced on another node, a pod with the default 300 s
 *   stays but is marked not ready; when the node resumes it is Ready again
 *   and the taints are gone;
 * - new pods carry the default not-ready/unreachable tolerations.
 * Tests run in order.
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

const STOPPED = 'sim.skiff.dev/stopped';

async function waitFor<T>(get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  let last: T | undefined;
  try {
    await eventually(async () => ok((last = await get())), timeoutMs, what);
  } catch (err) {
    throw new Error(`${(err as Error).message}; last: ${JSON.stringify(last)}`);
  }
  return last as T;
}

async function podCidrs(): Promise<Map<string, string>> {
  const out = await k.ok(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.podCIDR} {.spec.podCIDRs[*]}{"\\n"}{end}']);
  const m = new Map<string, string>();
  for (const line of out.split('\n').filter((l) => l.trim())) {
    const [name = '', cidr = '', cidrs = ''] = line.split(' ');
    m.set(name, cidr && cidrs === cidr ? cidr : cidr || cidrs ? `${cidr}|${cidrs}` : '');
  }
  return m;
}

interface EventLine {
  reason: string;
  object: string;
  message: string;
  component: string;
  type: string;
}

async function events(): Promise<EventLine[]> {
  const out = await k.ok([
    'get',
    'events',
    '-n',
    'default',
    '-o',
    'jsonpath={range .items[*]}{.reason}|{.involvedObject.name}|{.message}|{.source.component}|{.type}{"\\n"}{end}',
  ]);
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [reason = '', object = '', message = '', component = '', type = ''] = l.split('|');
      return { reason, object, message, component, type };
    });
}

interface PodLine {
  name: string;
  node: string;
  phase: string;
  deleting: boolean;
  ready: string;
}

async function pods(selector: string): Promise<PodLine[]> {
  const out = await k.ok([
    'get',
    'pods',
    '-l',
    selector,
    '-o',
    'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.phase} {.metadata.deletionTimestamp}- {.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
  ]);
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [name = '', node = '', phase = '', deleting = '', ready = ''] = l.split(' ');
      return { name, node, phase, deleting: deleting !== '-', ready };
    });
}

async function nodeStatus(name: string): Promise<string> {
  const out = await k.ok(['get', 'node', name, '--no-headers']);
  return out.trim().split(/\s+/)[1] ?? '';
}

async function taints(name: string): Promise<string[]> {
  const out = await k.ok(['get', 'node', name, '-o', 'jsonpath={range .spec.taints[*]}{.key}:{.effect}{"\\n"}{end}']);
  return out.split('\n').filter((l) => l.trim()).sort();
}

const fakeNode = (name: string): string => `apiVersion: v1\nkind: Node\nmetadata:\n  name: ${name}\nspec:\n  unschedulable: true\n`;

describe('node lifecycle', { timeout: 150_000 }, () => {
  before(async () => {
    home = tempDir('skiff-node-lifecycle-home-');
    server = await startSkiff({ extraArgs: ['--node-monitor-grace-period', '10s', '--cluster-cidr', '10.99.0.0/24', '--node-cidr-mask-size', '26'] });
    sim = await startSim({ kubeconfig: server.kubeconfig, nodes: 3, cpu: '2', memory: '4Gi' });
    k = new Kubectl('1.32', server.kubeconfig, home.path);
  });
  after(async () => {
    await sim?.stop();
    await server?.stop();
    home?.remove();
  });

  it('gives every node a /26 of the cluster CIDR as podCIDR and podCIDRs', async () => {
    const m = await waitFor(podCidrs, (m) => m.size === 3 && [...m.values()].every((c) => c !== ''), 20_000, '3 nodes with pod CIDRs');
    assert.deepEqual([...m.values()].sort(), ['10.99.0.0/26', '10.99.0.128/26', '10.99.0.64/26']);
  });

  it('gives a fifth node no block and a CIDRNotAvailable event until one is released', async () => {
    await k.ok(['apply', '-f', '-'], fakeNode('extra-3'));
    await waitFor(podCidrs, (m) => m.get('extra-3') === '10.99.0.192/26', 10_000, 'extra-3 gets the last block');
    await k.ok(['apply', '-f', '-'], fakeNode('extra-4'));
    const ev = await waitFor(events, (es) => es.some((e) => e.reason === 'CIDRNotAvailable' && e.object === 'extra-4'), 15_000, 'CIDRNotAvailable event');
    const e = ev.find((x) => x.reason === 'CIDRNotAvailable')!;
    assert.equal(e.message, 'Node extra-4 status is now: CIDRNotAvailable');
    assert.equal(e.component, 'cidrAllocator');
    assert.equal((await podCidrs()).get('extra-4'), '');
    await k.ok(['delete', 'node', 'extra-3']);
    await waitFor(podCidrs, (m) => m.get('extra-4') === '10.99.0.192/26', 10_000, 'extra-4 gets the released block');
    await k.ok(['delete', 'node', 'extra-4']);
  });

  it('adds the default not-ready and unreachable tolerations to new pods', async () => {
    await k.ok(['run', 'plain', '--image=busybox:1.36', '--labels=app=plain']);
    const out = await k.ok(['get', 'pod', 'plain', '-o', 'jsonpath={range .spec.tolerations[*]}{.key} {.operator} {.effect} {.tolerationSeconds}{"\\n"}{end}']);
    assert.deepEqual(out.trim().split('\n'), ['node.kubernetes.io/not-ready Exists NoExecute 300', 'node.kubernetes.io/unreachable Exists NoExecute 300']);
  });

  it('marks a silent node NotReady, taints it, evicts intolerant pods and untaints it when it returns', async () => {
    await k.ok(
      ['apply', '-f', '-'],
      'apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: web\n' +
        '  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      terminationGracePeriodSeconds: 1\n' +
        '      tolerations:\n      - key: node.kubernetes.io/unreachable\n        operator: Exists\n        effect: NoExecute\n        tolerationSeconds: 5\n' +
        '      containers:\n      - name: c\n        image: busybox:1.36\n',
    );
    const running = await waitFor(() => pods('app=web'), (ps) => ps.length === 3 && ps.every((p) => p.phase === 'Running' && p.node), 30_000, '3 web pods Running');
    const victim = running[0]!;
    const node = victim.node;
    const tol = await k.ok(['get', 'pod', victim.name, '-o', 'jsonpath={range .spec.tolerations[*]}{.key}={.tolerationSeconds} {end}']);
    assert.equal(tol.trim(), 'node.kubernetes.io/unreachable=5 node.kubernetes.io/not-ready=300', 'the pod keeps its own unreachable toleration');
    await k.ok(
      ['apply', '-f', '-'],
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: pinned\n  labels:\n    app: pinned\nspec:\n  nodeName: ${node}\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox:1.36\n`,
    );
    await waitFor(() => pods('app=pinned'), (ps) => ps[0]?.ready === 'True', 15_000, 'pinned pod Ready');

    await k.ok(['annotate', 'node', node, `${STOPPED}=true`]);
    await waitFor(() => nodeStatus(node), (s) => s === 'NotReady', 30_000, `${node} NotReady`);
    const ready = await k.ok(['get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.conditions[?(@.type=="Ready")].reason}']);
    assert.equal(ready, 'Unknown NodeStatusUnknown');
    await waitFor(
      () => taints(node),
      (ts) => ts.includes('node.kubernetes.io/unreachable:NoExecute') && ts.includes('node.kubernetes.io/unreachable:NoSchedule'),
      15_000,
      'unreachable taints',
    );

    // The web pod on the node is evicted after its 5 s toleration and replaced elsewhere.
    await waitFor(events, (es) => es.some((e) => e.reason === 'TaintManagerEviction' && e.message === `Marking for deletion Pod default/${victim.name}`), 20_000, 'eviction event');
    const replaced = await waitFor(
      () => pods('app=web'),
      (ps) => ps.filter((p) => !p.deleting && p.phase === 'Running' && p.node !== node).length === 3,
      30_000,
      '3 web pods Running on the other nodes',
    );
    assert.ok(!replaced.some((p) => p.name === victim.name && !p.deleting), 'the evicted pod is gone or terminating');
    const evicted = (await events()).find((e) => e.reason === 'TaintManagerEviction' && e.object === victim.name)!;
    assert.equal(evicted.component, 'taint-eviction-controller');

    // The pinned pod tolerates for 300 s: still there, but no longer Ready.
    const pinned = await waitFor(() => pods('app=pinned'), (ps) => ps[0]?.ready === 'False', 10_000, 'pinned pod marked not ready');
    assert.equal(pinned[0]!.deleting, false);
    assert.ok((await events()).some((e) => e.reason === 'NodeNotReady' && e.object === node && e.message === `Node ${node} status is now: NodeNotReady`));

    await k.ok(['annotate', 'node', node, `${STOPPED}-`]);
    await waitFor(() => nodeStatus(node), (s) => s === 'Ready', 30_000, `${node} Ready again`);
    await waitFor(() => taints(node), (ts) => !ts.some((t) => t.startsWith('node.kubernetes.io/unreachable')), 15_000, 'unreachable taints removed');
    await k.ok(['delete', 'rs', 'web', '--cascade=foreground', '--wait=false']);
    await k.ok(['delete', 'pods', '--all', '--grace-period=0', '--force', '--wait=false']);
  });
});
