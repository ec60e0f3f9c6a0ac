/**
 * The ReplicaSet and Deployment controllers end to end: a real `skiff
 * server` (controllers and scheduler), three simulated nodes, and the real
 * kubectl 1.32.
 * - a 5-replica Deployment rolls out and `kubectl rollout status` returns;
 *   ReplicaSet `<deployment>-<pod-template-hash>`, its annotations, pod
 *   names and events are upstream's;
 * - `kubectl set image` rolls over while a pod watch never sees fewer than
 *   replicas - maxUnavailable ready pods;
 * - `kubectl rollout undo` brings the previous template back (reusing its
 *   ReplicaSet under a new revision);
 * - `kubectl scale` up and down, and scaling a paused Deployment;
 * - Recreate never runs old and new pods together (through `kubectl
 *   rollout restart`, a template annotation change);
 * - a Deployment whose pods cannot be scheduled times out
 *   (ProgressDeadlineExceeded) and `kubectl rollout status` says so;
 * - a ReplicaSet adopts a matching orphan pod and releases one whose
 *   labels stop matching.
 * Sim pods turn Ready right after binding, so the Deployments use
 * minReadySeconds to make availability take time.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient, type Watch } from '../../control-plane/api/client/api-client.js';
import { credentialsFromKubeconfig } from '../../control-plane/api/client/kubeconfig.js';
import { HttpsTransport } from '../../control-plane/api/client/transport.js';
import type { KubeObject } from '../../control-plane/api/meta.js';
import { Kubectl } from '../helpers/kubectl.js';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

let server: SkiffHandle;
let sim: SimHandle;
let home: TempDir;
let k: Kubectl;
let transport: HttpsTransport;
let client: ApiClient;

const PODS = { group: '', version: 'v1', resource: 'pods', namespace: 'default' };

function deploymentYaml(name: string, o: { image: string; replicas: number; strategy?: 'Recreate'; cause?: string }): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    ...(o.cause ? ['  annotations:', `    kubernetes.io/change-cause: ${o.cause}`] : []),
    'spec:',
    `  replicas: ${o.replicas}`,
    '  minReadySeconds: 1',
    '  selector:',
    '    matchLabels:',
    `      app: ${name}`,
    '  strategy:',
    ...(o.strategy === 'Recreate' ? ['    type: Recreate'] : ['    type: RollingUpdate', '    rollingUpdate:', '      maxSurge: 1', '      maxUnavailable: 1']),
    '  template:',
    '    metadata:',
    '      labels:',
    `        app: ${name}`,
    '    spec:',
    '      terminationGracePeriodSeconds: 1',
    '      containers:',
    '      - name: c',
    `        image: ${o.image}`,
    '',
  ].join('\n');
}

interface PodRow {
  name: string;
  image: string;
  hash: string;
  ready: boolean;
  deleting: boolean;
  owner: string;
}

type PodObject = KubeObject & {
  spec?: { containers?: { image?: string }[] };
  status?: { conditions?: { type: string; status: string }[] };
};

function row(p: PodObject): PodRow {
  return {
    name: p.metadata.name ?? '',
    image: p.spec?.containers?.[0]?.image ?? '',
    hash: p.metadata.labels?.['pod-template-hash'] ?? '',
    ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
    deleting: p.metadata.deletionTimestamp !== undefined,
    owner: p.metadata.ownerReferences?.find((r) => r.controller)?.name ?? '',
  };
}

async function pods(app: string): Promise<PodRow[]> {
  const list = await client.list<PodObject>(PODS, { labelSelector: `app=${app}` });
  return list.items.map(row);
}

const live = (ps: PodRow[]): PodRow[] => ps.filter((p) => !p.deleting);

/** Watches the pods of app from now on, keeping every observed moment's view. */
async function watchPods(app: string): Promise<{ moments: Map<string, PodRow>[]; stop: () => void }> {
  const list = await client.list<PodObject>(PODS, { labelSelector: `app=${app}` });
  const current = new Map(list.items.map((p) => [p.metadata.name ?? '', row(p)]));
  const moments = [new Map(current)];
  const w: Watch = await client.watch<PodObject>(PODS, { labelSelector: `app=${app}`, resourceVersion: list.metadata.resourceVersion }, (e) => {
    if (e.type === 'BOOKMARK' || e.type === 'ERROR') return;
    const name = e.object.metadata.name ?? '';
    if (e.type === 'DELETED') current.delete(name);
    else current.set(name, row(e.object));
    moments.push(new Map(current));
  });
  return { moments, stop: () => w.close() };
}

async function waitFor<T>(get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await get();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

interface RsRow {
  name: string;
  replicas: number;
  hash: string;
  annotations: Record<string, string>;
  image: string;
  templateAnnotations: Record<string, string>;
}

async function replicaSets(app: string): Promise<RsRow[]> {
  const out = JSON.parse(await k.ok(['get', 'rs', '-l', `app=${app}`, '-o', 'json'])) as {
    items: { metadata: { name: string; labels: Record<string, string>; annotations?: Record<string, string> }; spec: { replicas: number; template: { metadata: { annotations?: Record<string, string> }; spec: { containers: { image: string }[] } } } }[];
  };
  return out.items.map((i) => ({
    name: i.metadata.name,
    replicas: i.spec.replicas,
    hash: i.metadata.labels['pod-template-hash'] ?? '',
    annotations: i.metadata.annotations ?? {},
    image: i.spec.template.spec.containers[0]?.image ?? '',
    templateAnnotations: i.spec.template.metadata.annotations ?? {},
  }));
}

async function rolloutStatus(name: string): Promise<void> {
  const r = await k.run(['rollout', 'status', `deployment/${name}`, '--timeout=60s']);
  assert.equal(r.code, 0, `rollout status: ${r.stdout} ${r.stderr}`);
  assert.match(r.stdout, new RegExp(`deployment "${name}" successfully rolled out`));
}

async function events(name: string): Promise<string> {
  return k.ok(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'jsonpath={range .items[*]}{.reason}|{.source.component}|{.message}{"\\n"}{end}']);
}

describe('deployments', { timeout: 240_000 }, () => {
  before(async () => {
    home = tempDir('skiff-deploy-home-');
    server = await startSkiff({});
    sim = await startSim({ kubeconfig: server.kubeconfig, nodes: 3 });
    k = new Kubectl('1.32', server.kubeconfig, home.path);
    transport = new HttpsTransport(credentialsFromKubeconfig(server.kubeconfig));
    client = new ApiClient(transport);
    await waitFor(async () => (await k.ok(['get', 'nodes', '-o', 'name'])).split('\n').filter(Boolean).length, (n) => n === 3, 20_000, '3 nodes');
  });
  after(async () => {
    transport?.close();
    await sim?.stop();
    await server?.stop();
    home?.remove();
  });

  it('rolls out a 5-replica Deployment through a ReplicaSet named by its pod-template-hash', async () => {
    await k.ok(['apply', '-f', '-'], deploymentYaml('web', { image: 'nginx:1.25', replicas: 5, cause: 'first' }));
    await rolloutStatus('web');
    const [rs, ...more] = await replicaSets('web');
    assert.equal(more.length, 0);
    assert.ok(rs);
    assert.match(rs.hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(rs.name, `web-${rs.hash}`);
    assert.deepEqual(
      [rs.annotations['deployment.kubernetes.io/revision'], rs.annotations['deployment.kubernetes.io/desired-replicas'], rs.annotations['deployment.kubernetes.io/max-replicas'], rs.annotations['kubernetes.io/change-cause']],
      ['1', '5', '6', 'first'],
    );
    const ps = live(await pods('web'));
    assert.equal(ps.length, 5);
    for (const p of ps) {
      assert.match(p.name, new RegExp(`^web-${rs.hash}-[a-z0-9]{5}$`));
      assert.equal(p.owner, rs.name);
      assert.equal(p.hash, rs.hash);
    }
    const d = JSON.parse(await k.ok(['get', 'deployment', 'web', '-o', 'json'])) as {
      metadata: { generation: number; annotations: Record<string, string> };
      status: { observedGeneration: number; replicas: number; updatedReplicas: number; readyReplicas: number; availableReplicas: number; conditions: { type: string; status: string; reason: string }[] };
    };
    assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '1');
    assert.equal(d.status.observedGeneration, d.metadata.generation);
    assert.deepEqual([d.status.replicas, d.status.updatedReplicas, d.status.readyReplicas, d.status.availableReplicas], [5, 5, 5, 5]);
    const cond = Object.fromEntries(d.status.conditions.map((c) => [c.type, `${c.status}/${c.reason}`]));
    assert.deepEqual(cond, { Available: 'True/MinimumReplicasAvailable', Progressing: 'True/NewReplicaSetAvailable' });
    assert.match(await events('web'), new RegExp(`ScalingReplicaSet\\|deployment-controller\\|Scaled up replica set ${rs.name} from 0 to 5`));
    assert.match(await events(rs.name), new RegExp(`SuccessfulCreate\\|replicaset-controller\\|Created pod: ${rs.name}-[a-z0-9]{5}`));
  });

  it('keeps ready pods at or above replicas - maxUnavailable through kubectl set image', async () => {
    const watch = await watchPods('web');
    try {
      await k.ok(['set', 'image', 'deployment/web', 'c=nginx:1.26']);
      await rolloutStatus('web');
      await waitFor(() => pods('web'), (ps) => ps.length === 5 && ps.every((p) => p.image === 'nginx:1.26' && p.ready), 20_000, 'old pods gone');
    } finally {
      watch.stop();
    }
    const readyAt = watch.moments.map((m) => [...m.values()].filter((p) => p.ready && !p.deleting).length);
    assert.ok(watch.moments.length > 10, `watched ${watch.moments.length} moments`);
    assert.ok(Math.min(...readyAt) >= 4, `ready pods dropped to ${Math.min(...readyAt)} (replicas 5, maxUnavailable 1)`);
    const rss = await replicaSets('web');
    assert.equal(rss.length, 2);
    const byImage = Object.fromEntries(rss.map((r) => [r.image, r]));
    assert.equal(byImage['nginx:1.25']?.replicas, 0);
    assert.equal(byImage['nginx:1.26']?.replicas, 5);
    assert.equal(byImage['nginx:1.26']?.annotations['deployment.kubernetes.io/revision'], '2');
  });

  it('restores the previous image with kubectl rollout undo', async () => {
    const before = await replicaSets('web');
    const original = before.find((r) => r.image === 'nginx:1.25');
    assert.ok(original);
    const r = await k.run(['rollout', 'undo', 'deployment/web']);
    assert.equal(r.code, 0, r.stderr);
    await rolloutStatus('web');
    await waitFor(() => pods('web'), (ps) => ps.length === 5 && ps.every((p) => p.image === 'nginx:1.25'), 20_000, 'pods back on nginx:1.25');
    const after = await replicaSets('web');
    assert.equal(after.length, 2, 'the old ReplicaSet is reused, not a new one created');
    const reused = after.find((x) => x.name === original.name);
    assert.equal(reused?.replicas, 5);
    assert.equal(reused?.annotations['deployment.kubernetes.io/revision'], '3');
    assert.equal(reused?.annotations['deployment.kubernetes.io/revision-history'], '1');
    const history = await k.ok(['rollout', 'history', 'deployment/web']);
    assert.match(history, /^2\s/m);
    assert.match(history, /^3\s+first/m);
  });

  it('scales with kubectl scale, also while paused', async () => {
    await k.ok(['scale', 'deployment/web', '--replicas=8']);
    await waitFor(() => pods('web'), (ps) => live(ps).length === 8 && live(ps).every((p) => p.ready), 30_000, '8 ready pods');
    await k.ok(['scale', 'deployment/web', '--replicas=2']);
    await waitFor(() => pods('web'), (ps) => ps.length === 2, 30_000, '2 pods');
    const ev = await events('web');
    assert.match(ev, /Scaled up replica set web-[a-z0-9]+ from 5 to 8/);
    assert.match(ev, /Scaled down replica set web-[a-z0-9]+ from 8 to 2/);

    await k.ok(['rollout', 'pause', 'deployment/web']);
    await k.ok(['set', 'image', 'deployment/web', 'c=nginx:1.27']);
    await k.ok(['scale', 'deployment/web', '--replicas=3']);
    await waitFor(() => pods('web'), (ps) => live(ps).length === 3, 30_000, '3 pods while paused');
    assert.ok(
      (await pods('web')).every((p) => p.image === 'nginx:1.25'),
      'no rollout while paused',
    );
    assert.equal((await replicaSets('web')).length, 2);
    await k.ok(['rollout', 'resume', 'deployment/web']);
    await rolloutStatus('web');
    await waitFor(() => pods('web'), (ps) => ps.length === 3 && ps.every((p) => p.image === 'nginx:1.27'), 20_000, 'rolled out after resume');
  });

  it('never runs old and new pods together with the Recreate strategy, restarted by kubectl rollout restart', async () => {
    await k.ok(['apply', '-f', '-'], deploymentYaml('batch', { image: 'busybox:1.36', replicas: 3, strategy: 'Recreate' }));
    await rolloutStatus('batch');
    const [first] = await replicaSets('batch');
    assert.ok(first);
    const watch = await watchPods('batch');
    try {
      await k.ok(['rollout', 'restart', 'deployment/batch']);
      await rolloutStatus('batch');
      await waitFor(() => pods('batch'), (ps) => ps.length === 3 && ps.every((p) => p.hash !== first.hash), 20_000, 'recreated pods');
    } finally {
      watch.stop();
    }
    const mixed = watch.moments.filter((m) => new Set([...m.values()].map((p) => p.hash)).size > 1);
    assert.equal(mixed.length, 0, `old and new pods coexisted: ${JSON.stringify(mixed[0] ? [...mixed[0].values()] : [])}`);
    assert.ok(watch.moments.some((m) => m.size === 0), 'the old pods were all gone before new ones were created');
    const rss = await replicaSets('batch');
    const restarted = rss.find((r) => r.replicas === 3);
    assert.ok(restarted && restarted.name !== first.name);
    assert.ok(restarted.templateAnnotations['kubectl.kubernetes.io/restartedAt'], 'the restart is a template change');
    assert.equal(rss.find((r) => r.name === first.name)?.replicas, 0);
  });

  it('reports ProgressDeadlineExceeded when pods cannot start and kubectl rollout status fails', async () => {
    const yaml = deploymentYaml('stuck', { image: 'busybox:1.36', replicas: 2 })
      .replace('  minReadySeconds: 1\n', '  progressDeadlineSeconds: 2\n')
      .replace('      terminationGracePeriodSeconds: 1\n', '      terminationGracePeriodSeconds: 1\n      nodeSelector:\n        nowhere: "true"\n');
    await k.ok(['apply', '-f', '-'], yaml);
    const r = await k.run(['rollout', 'status', 'deployment/stuck', '--timeout=30s']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /deployment "stuck" exceeded its progress deadline/);
    const cond = JSON.parse(await k.ok(['get', 'deployment', 'stuck', '-o', 'jsonpath={.status.conditions[?(@.type=="Progressing")]}'])) as { status: string; reason: string; message: string };
    assert.deepEqual([cond.status, cond.reason], ['False', 'ProgressDeadlineExceeded']);
    assert.match(cond.message, /^ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/);
    await k.ok(['delete', 'deployment', 'stuck']);
  });

  it('adopts a matching orphan pod and releases a pod whose labels stop matching', async () => {
    await client.create(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'stray', labels: { app: 'solo' } },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox:1.36' }] },
    });
    await k.ok(
      ['apply', '-f', '-'],
      [
        'apiVersion: apps/v1',
        'kind: ReplicaSet',
        'metadata:',
        '  name: solo',
        'spec:',
        '  replicas: 2',
        '  selector:',
        '    matchLabels:',
        '      app: solo',
        '  template:',
        '    metadata:',
        '      labels:',
        '        app: solo',
        '    spec:',
        '      terminationGracePeriodSeconds: 1',
        '      containers:',
        '      - name: c',
        '        image: busybox:1.36',
        '',
      ].join('\n'),
    );
    const ps = await waitFor(() => pods('solo'), (p) => p.length === 2 && p.every((x) => x.owner === 'solo' && x.ready), 30_000, 'stray adopted');
    assert.ok(ps.some((p) => p.name === 'stray'), 'the orphan counts toward replicas instead of a new pod');
    const rs = await waitFor(
      async () => JSON.parse(await k.ok(['get', 'rs', 'solo', '-o', 'jsonpath={.status}'])) as Record<string, number>,
      (s) => s.readyReplicas === 2,
      15_000,
      'solo status',
    );
    assert.deepEqual([rs.replicas, rs.fullyLabeledReplicas, rs.readyReplicas, rs.observedGeneration], [2, 2, 2, 1]);

    await k.ok(['label', 'pod', 'stray', 'app=loose', '--overwrite']);
    await waitFor(
      async () => JSON.parse(await k.ok(['get', 'pod', 'stray', '-o', 'json'])) as { metadata: { ownerReferences?: unknown[] } },
      (p) => (p.metadata.ownerReferences ?? []).length === 0,
      15_000,
      'stray released',
    );
    await waitFor(() => pods('solo'), (p) => live(p).length === 2 && !p.some((x) => x.name === 'stray'), 15_000, 'a replacement for the released pod');
  });
});
