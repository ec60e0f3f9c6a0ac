/**
 * The StatefulSet controller end to end: a real `skiff server` (with the
 * scheduler), three simulated nodes and the real kubectl 1.32.
 * - OrderedReady: web-1 is not created until web-0 is Running and Ready
 *   (a readiness gate holds web-0 unready until the test opens it);
 * - stable identity: names, hostname/subdomain, identity labels;
 * - scale down removes the highest ordinal first, one at a time (from a
 *   pod watch);
 * - a partitioned rolling update replaces only ordinals >= partition, and
 *   `kubectl rollout status sts/...` reports it;
 * - volumeClaimTemplates are refused at admission with a clear message.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Kubectl } from '../helpers/kubectl.js';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

let server: SkiffHandle;
let sim: SimHandle;
let home: TempDir;
let k: Kubectl;

const GATE = 'skiff.test/open';

function stsYaml(name: string, o: { replicas: number; image?: string; gated?: boolean; partition?: number }): string {
  return [
    'apiVersion: apps/v1',
    'kind: StatefulSet',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    `  serviceName: ${name}-svc`,
    `  replicas: ${o.replicas}`,
    '  selector:',
    '    matchLabels:',
    `      app: ${name}`,
    ...(o.partition === undefined ? [] : ['  updateStrategy:', '    type: RollingUpdate', '    rollingUpdate:', `      partition: ${o.partition}`]),
    '  template:',
    '    metadata:',
    '      labels:',
    `        app: ${name}`,
    '    spec:',
    '      terminationGracePeriodSeconds: 1',
    ...(o.gated ? ['      readinessGates:', `      - conditionType: ${GATE}`] : []),
    '      containers:',
    '      - name: c',
    `        image: ${o.image ?? 'nginx:1.27'}`,
    '',
  ].join('\n');
}

interface PodRow {
  name: string;
  phase: string;
  ready: string;
  revision: string;
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
    'jsonpath={range .items[*]}{.metadata.name}|{.status.phase}|{.status.conditions[?(@.type=="Ready")].status}|{.metadata.labels.controller-revision-hash}|{.spec.containers[0].image}|{.metadata.deletionTimestamp}{"\\n"}{end}',
  ]);
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [name = '', phase = '', ready = '', revision = '', image = '', deleting = ''] = l.split('|');
      return { name, phase, ready, revision, image, deleting: deleting !== '' };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

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

const allReady = (n: number) => (ps: PodRow[]) => ps.length === n && ps.every((p) => p.phase === 'Running' && p.ready === 'True' && !p.deleting);

async function openGate(pod: string): Promise<void> {
  const patch = JSON.stringify({ status: { conditions: [{ type: GATE, status: 'True' }] } });
  await k.ok(['patch', 'pod', pod, '--subresource=status', '--type=strategic', '-p', patch]);
}

describe('statefulsets', { timeout: 150_000 }, () => {
  before(async () => {
    home = tempDir('skiff-sts-home-');
    server = await startSkiff({});
    sim = await startSim({ kubeconfig: server.kubeconfig, nodes: 3 });
    k = new Kubectl('1.32', server.kubeconfig, home.path);
    await waitFor(async () => (await k.ok(['get', 'nodes', '-o', 'name'])).split('\n').filter(Boolean).length, (n) => n === 3, 20_000, '3 nodes');
  });
  after(async () => {
    await sim?.stop();
    await server?.stop();
    home?.remove();
  });

  it('OrderedReady creates web-1 only after web-0 is Running and Ready', async () => {
    await k.ok(['apply', '-f', '-'], stsYaml('gated', { replicas: 2, gated: true }));
    await waitFor(() => pods('gated'), (ps) => ps.length === 1 && ps[0]!.phase === 'Running', 30_000, 'gated-0 Running');
    // Running but not Ready: nothing else may appear.
    await new Promise((r) => setTimeout(r, 2_000));
    const held = await pods('gated');
    assert.deepEqual(
      held.map((p) => [p.name, p.ready]),
      [['gated-0', 'False']],
    );
    await openGate('gated-0');
    const two = await waitFor(() => pods('gated'), (ps) => ps.length === 2 && ps[1]!.phase === 'Running', 30_000, 'gated-1 Running');
    assert.deepEqual(
      two.map((p) => [p.name, p.ready]),
      [
        ['gated-0', 'True'],
        ['gated-1', 'False'],
      ],
    );
    await openGate('gated-1');
    await waitFor(() => pods('gated'), allReady(2), 30_000, '2 gated pods Ready');
    const events = await k.ok(['get', 'events', '--field-selector', 'involvedObject.name=gated', '-o', 'jsonpath={range .items[*]}{.reason}|{.source.component}|{.message}{"\\n"}{end}']);
    for (const i of [0, 1]) assert.ok(events.includes(`SuccessfulCreate|statefulset-controller|create Pod gated-${i} in StatefulSet gated successful`), events);
    await waitFor(
      async () => JSON.parse(await k.ok(['get', 'sts', 'gated', '-o', 'jsonpath={.status}'])) as Record<string, unknown>,
      (s) => s.readyReplicas === 2 && s.availableReplicas === 2 && s.replicas === 2,
      15_000,
      'gated status',
    );
    await k.ok(['delete', 'sts', 'gated', '--wait=false']);
  });

  it('gives pods stable names, identity labels, hostname and subdomain, and reports status', async () => {
    await k.ok(['apply', '-f', '-'], stsYaml('web', { replicas: 3 }));
    await waitFor(() => pods('web'), allReady(3), 40_000, '3 web pods Ready');
    const pod = JSON.parse(await k.ok(['get', 'pod', 'web-1', '-o', 'json'])) as {
      metadata: { labels: Record<string, string>; ownerReferences: { kind: string; name: string; controller: boolean }[] };
      spec: { hostname: string; subdomain: string };
    };
    assert.equal(pod.metadata.labels['statefulset.kubernetes.io/pod-name'], 'web-1');
    assert.equal(pod.metadata.labels['apps.kubernetes.io/pod-index'], '1');
    assert.equal(pod.spec.hostname, 'web-1');
    assert.equal(pod.spec.subdomain, 'web-svc');
    assert.deepEqual(
      pod.metadata.ownerReferences.map((r) => [r.kind, r.name, r.controller]),
      [['StatefulSet', 'web', true]],
    );
    const status = await waitFor(
      async () => JSON.parse(await k.ok(['get', 'sts', 'web', '-o', 'jsonpath={.status}'])) as Record<string, unknown>,
      (s) => s.readyReplicas === 3 && s.currentReplicas === 3 && s.updatedReplicas === 3,
      15_000,
      'web status',
    );
    assert.equal(status.currentRevision, status.updateRevision);
    assert.equal(pod.metadata.labels['controller-revision-hash'], status.updateRevision);
    const revs = await k.ok(['get', 'controllerrevisions', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.revision}{"\\n"}{end}']);
    assert.equal(revs.trim(), `${String(status.updateRevision)}=1`);
  });

  it('scales down from the highest ordinal, one pod at a time', async () => {
    const watch = k.spawn(['get', 'pods', '-l', 'app=web', '--watch-only', '--output-watch-events', '--no-headers']);
    try {
      await new Promise((r) => setTimeout(r, 1_000));
      await k.ok(['scale', 'sts', 'web', '--replicas=1']);
      await waitFor(() => pods('web'), (ps) => ps.length === 1 && ps[0]!.name === 'web-0', 30_000, 'only web-0 left');
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      watch.child.kill();
    }
    const lines = watch.output().split('\n').filter((l) => l.trim());
    const first = (pred: (l: string) => boolean): number => lines.findIndex(pred);
    const web2Deleted = first((l) => /^DELETED\s+web-2\s/.test(l));
    const web1Terminating = first((l) => /\sweb-1\s/.test(l) && (l.includes('Terminating') || l.startsWith('DELETED')));
    assert.ok(web2Deleted >= 0 && web1Terminating > web2Deleted, `web-2 must be gone before web-1 terminates:\n${lines.join('\n')}`);
    assert.ok(!lines.some((l) => /\sweb-0\s/.test(l) && l.includes('Terminating')), lines.join('\n'));
    const events = await k.ok(['get', 'events', '--field-selector', 'involvedObject.name=web,reason=SuccessfulDelete', '-o', 'jsonpath={range .items[*]}{.message}{"\\n"}{end}']);
    assert.ok(events.includes('delete Pod web-2 in StatefulSet web successful'), events);
    assert.ok(events.includes('delete Pod web-1 in StatefulSet web successful'), events);
  });

  it('rolls a partitioned update only over ordinals at or above the partition', async () => {
    await k.ok(['apply', '-f', '-'], stsYaml('web', { replicas: 3, partition: 2 }));
    await waitFor(() => pods('web'), allReady(3), 40_000, '3 web pods Ready again');
    const before = await pods('web');
    await k.ok(['set', 'image', 'sts/web', 'c=nginx:1.28']);
    const rolled = await waitFor(
      () => pods('web'),
      (ps) => allReady(3)(ps) && ps[2]!.image === 'nginx:1.28',
      40_000,
      'web-2 replaced',
    );
    assert.deepEqual(
      rolled.map((p) => p.image),
      ['nginx:1.27', 'nginx:1.27', 'nginx:1.28'],
    );
    assert.equal(rolled[0]!.revision, before[0]!.revision);
    assert.notEqual(rolled[2]!.revision, before[2]!.revision);
    const status = await k.run(['rollout', 'status', 'sts/web', '--timeout=30s']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /partitioned roll out complete: 1 new pods have been updated/);
    // Nothing below the partition moves, even after a while.
    await new Promise((r) => setTimeout(r, 1_500));
    assert.deepEqual(
      (await pods('web')).map((p) => p.image),
      ['nginx:1.27', 'nginx:1.27', 'nginx:1.28'],
    );
    await k.ok(['patch', 'sts', 'web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}']);
    const done = await k.run(['rollout', 'status', 'sts/web', '--timeout=60s']);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /partitioned roll out complete: 3 new pods have been updated/);
    const all = await waitFor(() => pods('web'), (ps) => allReady(3)(ps) && ps.every((p) => p.image === 'nginx:1.28'), 20_000, 'all updated');
    const sts = JSON.parse(await k.ok(['get', 'sts', 'web', '-o', 'jsonpath={.status}'])) as Record<string, unknown>;
    assert.equal(all[0]!.revision, sts.updateRevision);
    const revisions = await k.ok(['get', 'controllerrevisions', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.revision}{" "}{end}']);
    assert.deepEqual(revisions.trim().split(' ').sort(), ['1', '2']);
  });

  it('refuses volumeClaimTemplates at admission with a clear message', async () => {
    const yaml = `${stsYaml('db', { replicas: 1 })}  volumeClaimTemplates:\n  - metadata:\n      name: data\n    spec:\n      accessModes: [ReadWriteOnce]\n      resources:\n        requests:\n          storage: 1Gi\n`;
    const r = await k.run(['apply', '-f', '-'], yaml);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.volumeClaimTemplates: Forbidden: not supported: Skiff has no persistent volume storage yet/);
  });
});
