/**
 * The DaemonSet controller end to end: a real `skiff server` (with the
 * scheduler), simulated nodes and the real kubectl 1.32.
 * - one pod per node, placed by the default scheduler through the
 *   `matchFields metadata.name` affinity, carrying the default tolerations;
 * - a NoSchedule-tainted node gets a pod only from a DaemonSet that
 *   tolerates the taint;
 * - a node that registers later (a second `skiff sim --prefix late-`) gets
 *   a pod;
 * - an image change rolls out and `kubectl rollout status ds/...` returns;
 *   `kubectl rollout undo` rolls back to the renumbered old revision;
 * - a NoExecute taint removes the pod of a DaemonSet that does not
 *   tolerate it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Kubectl } from '../helpers/kubectl.js';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

let server: SkiffHandle;
let sim: SimHandle;
let late: SimHandle | undefined;
let home: TempDir;
let k: Kubectl;

function dsYaml(name: string, o: { image?: string; tolerateDedicated?: boolean } = {}): string {
  return [
    'apiVersion: apps/v1',
    'kind: DaemonSet',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  selector:',
    '    matchLabels:',
    `      app: ${name}`,
    '  template:',
    '    metadata:',
    '      labels:',
    `        app: ${name}`,
    '    spec:',
    '      terminationGracePeriodSeconds: 1',
    ...(o.tolerateDedicated ? ['      tolerations:', '      - key: dedicated', '        operator: Exists'] : []),
    '      containers:',
    '      - name: c',
    `        image: ${o.image ?? 'busybox:1.36'}`,
    '',
  ].join('\n');
}

interface PodRow {
  name: string;
  node: string;
  phase: string;
  image: string;
  deleting: boolean;
}

async function pods(app: string): Promise<PodRow[]> {
  const out = await k.ok([
    'get',
    'pods',
    '-l',
    `app=${app}`,
    '-o',
    'jsonpath={range .items[*]}{.metadata.name}|{.spec.nodeName}|{.status.phase}|{.spec.containers[0].image}|{.metadata.deletionTimestamp}{"\\n"}{end}',
  ]);
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [name = '', node = '', phase = '', image = '', deleting = ''] = l.split('|');
      return { name, node, phase, image, deleting: deleting !== '' };
    });
}

const live = (ps: PodRow[]): PodRow[] => ps.filter((p) => !p.deleting);
const nodesOf = (ps: PodRow[]): string[] => live(ps).map((p) => p.node).sort();
const running = (ps: PodRow[]): boolean => live(ps).every((p) => p.phase === 'Running');

async function waitFor<T>(get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await get();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

describe('daemonsets', { timeout: 150_000 }, () => {
  before(async () => {
    home = tempDir('skiff-ds-home-');
    server = await startSkiff({});
    sim = await startSim({ kubeconfig: server.kubeconfig, nodes: 3 });
    k = new Kubectl('1.32', server.kubeconfig, home.path);
    await waitFor(async () => (await k.ok(['get', 'nodes', '-o', 'name'])).split('\n').filter(Boolean).length, (n) => n === 3, 20_000, '3 nodes');
  });
  after(async () => {
    await late?.stop();
    await sim?.stop();
    await server?.stop();
    home?.remove();
  });

  it('runs one pod on every node, skipping a tainted node unless the taint is tolerated', async () => {
    await k.ok(['taint', 'nodes', 'sim-2', 'dedicated=db:NoSchedule']);
    await k.ok(['apply', '-f', '-'], `${dsYaml('agent')}---\n${dsYaml('tolerant', { tolerateDedicated: true })}`);
    const agent = await waitFor(() => pods('agent'), (ps) => nodesOf(ps).join() === 'sim-0,sim-1' && running(ps), 30_000, 'agent on sim-0 and sim-1');
    await waitFor(() => pods('tolerant'), (ps) => nodesOf(ps).join() === 'sim-0,sim-1,sim-2' && running(ps), 30_000, 'tolerant on every node');
    // Placed by the scheduler through the node-name affinity, with the DaemonSet tolerations.
    const pod = JSON.parse(await k.ok(['get', 'pod', agent[0]!.name, '-o', 'json'])) as {
      spec: { affinity: unknown; tolerations: { key: string; effect: string }[] };
      metadata: { labels: Record<string, string> };
    };
    assert.deepEqual(pod.spec.affinity, {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [agent[0]!.node] }] }] } },
    });
    const tolerations = pod.spec.tolerations.map((t) => `${t.key}:${t.effect}`);
    for (const t of ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unschedulable:NoSchedule']) assert.ok(tolerations.includes(t), tolerations.join());
    assert.ok(pod.metadata.labels['controller-revision-hash']);
    const described = await k.ok(['describe', 'pod', agent[0]!.name]);
    assert.match(described, /default-scheduler\s+Successfully assigned default\//);
    const status = await waitFor(
      async () => JSON.parse(await k.ok(['get', 'ds', 'agent', '-o', 'jsonpath={.status}'])) as Record<string, number>,
      (s) => s.numberReady === 2,
      15_000,
      'agent status',
    );
    assert.deepEqual(
      [status.desiredNumberScheduled, status.currentNumberScheduled, status.numberAvailable, status.updatedNumberScheduled, status.numberMisscheduled ?? 0],
      [2, 2, 2, 2, 0],
    );
    const events = await k.ok(['get', 'events', '--field-selector', 'involvedObject.name=agent', '-o', 'jsonpath={range .items[*]}{.reason}|{.source.component}|{.message}{"\\n"}{end}']);
    assert.match(events, /SuccessfulCreate\|daemonset-controller\|Created pod: agent-[a-z0-9]{5}/);
  });

  it('starts a pod on a node that registers later', async () => {
    late = await startSim({ kubeconfig: server.kubeconfig, nodes: 1, prefix: 'late-' });
    await waitFor(() => pods('agent'), (ps) => nodesOf(ps).join() === 'late-0,sim-0,sim-1' && running(ps), 30_000, 'agent on late-0');
    await waitFor(() => pods('tolerant'), (ps) => nodesOf(ps).length === 4 && running(ps), 30_000, 'tolerant on late-0');
  });

  it('rolls an image change out node by node and kubectl rollout status returns', async () => {
    await k.ok(['set', 'image', 'ds/agent', 'c=busybox:1.37']);
    const r = await k.run(['rollout', 'status', 'ds/agent', '--timeout=60s']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /daemon set "agent" successfully rolled out/);
    const ps = await waitFor(() => pods('agent'), (p) => live(p).length === 3 && running(p), 20_000, 'agent pods after rollout');
    assert.deepEqual(
      live(ps).map((p) => p.image),
      ['busybox:1.37', 'busybox:1.37', 'busybox:1.37'],
    );
    const revisions = await k.ok(['get', 'controllerrevisions', '-l', 'app=agent', '-o', 'jsonpath={range .items[*]}{.revision}{" "}{end}']);
    assert.deepEqual(revisions.trim().split(' ').sort(), ['1', '2']);
  });

  it('rolls back with kubectl rollout undo, renumbering the old revision', async () => {
    await k.ok(['rollout', 'undo', 'ds/agent']);
    const r = await k.run(['rollout', 'status', 'ds/agent', '--timeout=60s']);
    assert.equal(r.code, 0, r.stderr);
    const ps = await waitFor(() => pods('agent'), (p) => live(p).length === 3 && running(p) && live(p).every((x) => x.image === 'busybox:1.36'), 20_000, 'agent pods rolled back');
    assert.equal(live(ps).length, 3);
    const revisions = await k.ok(['get', 'controllerrevisions', '-l', 'app=agent', '-o', 'jsonpath={range .items[*]}{.revision}{" "}{end}']);
    assert.deepEqual(revisions.trim().split(' ').sort(), ['2', '3']);
  });

  it('removes the pod from a node that gets an untolerated NoExecute taint', async () => {
    await k.ok(['taint', 'nodes', 'sim-1', 'evict=yes:NoExecute']);
    await waitFor(() => pods('agent'), (ps) => nodesOf(ps).join() === 'late-0,sim-0', 30_000, 'agent gone from sim-1');
    const status = await waitFor(
      async () => JSON.parse(await k.ok(['get', 'ds', 'agent', '-o', 'jsonpath={.status}'])) as Record<string, number>,
      (s) => s.desiredNumberScheduled === 2 && s.numberReady === 2,
      15_000,
      'agent status after taint',
    );
    assert.equal(status.currentNumberScheduled, 2);
  });
});
