/**
 * `kubectl get` output from server-side Tables: the real kubectl 1.27 and
 * 1.33 against a real `skiff server`. Pods get handcrafted statuses through
 * the status subresource, so every STATUS / RESTARTS derivation is what a
 * kubelet-reported pod would show. Expected output is upstream's: the
 * server's column names upper-cased, cells verbatim, NAMESPACE / LABELS /
 * -L columns from the rows' PartialObjectMetadata, `--sort-by` through
 * includeObject=Object, and `get -w` rows from Table watch events.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Kubectl, eventually } from '../helpers/kubectl.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

/** The API alone: no scheduler or controllers acting on the objects these tests write by hand. */
const API_ONLY = ['--disable-controller-manager', '--disable-scheduler'];

const V = '--validate=false';
const AGE = '\\d+[smhdy]\\d*[smhd]?';

function ago(minutes: number): string {
  return new Date(Date.now() - minutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Rows of kubectl's table output, cells split on runs of two or more spaces. */
function rows(out: string): string[][] {
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s{2,}/));
}

function podYaml(name: string, labels: Record<string, string>, extra = ''): string {
  const ls = Object.entries(labels)
    .map(([k, v]) => `    ${k}: "${v}"`)
    .join('\n');
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  labels:\n${ls}\nspec:\n${extra}  containers:\n  - name: app\n    image: nginx:1.25\n---\n`;
}

describe('kubectl get prints server-side Tables', () => {
  let server: SkiffHandle;
  let home: TempDir;

  before(async () => {
    home = tempDir('skiff-kubectl-get-home-');
    server = await startSkiff({ extraArgs: API_ONLY });
  });

  after(async () => {
    await server?.stop();
    home?.remove();
  });

  for (const version of ['1.27', '1.30', '1.33']) {
    const ns = `get-${version.replace('.', '-')}`;
    // Node ports are cluster-wide: one per version.
    const nodePort = 30080 + Number(version.split('.')[1]);
    const k = (): Kubectl => new Kubectl(version, server.kubeconfig, home.path);
    const status = (name: string, s: unknown): Promise<string> =>
      k().ok(['patch', '-n', ns, 'pod', name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: s })]);

    test(`kubectl ${version}: pods with kubelet-like statuses print READY, STATUS and RESTARTS as upstream`, async () => {
      await k().ok(['create', V, '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`);
      const manifest =
        podYaml('web-0', { app: 'web', order: '3' }, '  nodeName: node1\n') +
        podYaml('pending', { app: 'db', order: '1' }) +
        podYaml('crashy', { app: 'web', order: '2' }) +
        podYaml('done', { app: 'batch', order: '4' }) +
        podYaml('init', { app: 'db', order: '5' }, '  initContainers:\n  - name: i1\n    image: busybox\n  - name: i2\n    image: busybox\n');
      await k().ok(['create', V, '-n', ns, '-f', '-'], manifest);
      const running = { running: { startedAt: ago(30) } };
      await status('web-0', {
        phase: 'Running',
        podIP: '10.1.0.5',
        podIPs: [{ ip: '10.1.0.5' }],
        conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'app', image: 'nginx:1.25', imageID: '', ready: true, restartCount: 3, state: running, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(20) } } }],
      });
      await status('crashy', {
        phase: 'Running',
        containerStatuses: [{ name: 'app', image: 'nginx:1.25', imageID: '', ready: false, restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 2, finishedAt: ago(2.5) } } }],
      });
      await status('done', { phase: 'Succeeded', containerStatuses: [{ name: 'app', image: 'nginx:1.25', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] });
      await status('init', {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'i1', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { running: {} } },
          { name: 'i2', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
        ],
      });

      const out = rows(await k().ok(['get', '-n', ns, 'pods']));
      assert.deepEqual(out[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
      const byName = new Map(out.slice(1).map((r) => [r[0], r.slice(1, 4)]));
      assert.deepEqual(byName.get('web-0'), ['1/1', 'Running', '3 (20m ago)']);
      assert.deepEqual(byName.get('pending'), ['0/1', 'Pending', '0']);
      assert.deepEqual(byName.get('crashy')?.slice(0, 2), ['0/1', 'CrashLoopBackOff']);
      assert.match(byName.get('crashy')?.[2] ?? '', /^7 \(2m\d+s ago\)$/);
      assert.deepEqual(byName.get('done'), ['0/1', 'Completed', '0']);
      assert.deepEqual(byName.get('init'), ['0/1', 'Init:0/2', '0']);
      for (const r of out.slice(1)) assert.match(r[4] ?? '', new RegExp(`^${AGE}$`));

      const one = rows(await k().ok(['get', '-n', ns, 'pod', 'web-0']));
      assert.deepEqual(one.length, 2);
      assert.deepEqual(one[1]?.slice(0, 4), ['web-0', '1/1', 'Running', '3 (20m ago)']);
    });

    test(`kubectl ${version}: -o wide adds IP, NODE, NOMINATED NODE and READINESS GATES`, async () => {
      const out = rows(await k().ok(['get', '-n', ns, 'pods', '-o', 'wide']));
      assert.deepEqual(out[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
      const web = out.find((r) => r[0] === 'web-0');
      assert.deepEqual(web?.slice(5), ['10.1.0.5', 'node1', '<none>', '<none>']);
      const pending = out.find((r) => r[0] === 'pending');
      assert.deepEqual(pending?.slice(5), ['<none>', '<none>', '<none>', '<none>']);
    });

    test(`kubectl ${version}: --show-labels and -L print labels from the rows' metadata`, async () => {
      const shown = rows(await k().ok(['get', '-n', ns, 'pod', 'web-0', '--show-labels']));
      assert.deepEqual(shown[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'LABELS']);
      assert.equal(shown[1]?.[5], 'app=web,order=3');
      const col = rows(await k().ok(['get', '-n', ns, 'pods', '-L', 'app']));
      assert.deepEqual(col[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'APP']);
      assert.equal(col.find((r) => r[0] === 'done')?.[5], 'batch');
    });

    test(`kubectl ${version}: -A prints the NAMESPACE column from the rows' metadata`, async () => {
      const out = rows(await k().ok(['get', 'pods', '-A']));
      assert.deepEqual(out[0], ['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
      assert.ok(out.some((r) => r[0] === ns && r[1] === 'web-0' && r[3] === 'Running'), 'web-0 listed with its namespace');
    });

    test(`kubectl ${version}: --sort-by sorts on the full row objects (includeObject=Object)`, async () => {
      const out = rows(await k().ok(['get', '-n', ns, 'pods', '--sort-by=.metadata.labels.order']));
      assert.deepEqual(out.slice(1).map((r) => r[0]), ['pending', 'crashy', 'web-0', 'done', 'init']);
      const byName = rows(await k().ok(['get', '-n', ns, 'pods', '--sort-by=.metadata.name']));
      assert.deepEqual(byName.slice(1).map((r) => r[0]), ['crashy', 'done', 'init', 'pending', 'web-0']);
    });

    test(`kubectl ${version}: get deploy,svc,cm prints one table per kind with its columns`, async () => {
      await k().ok(
        ['create', V, '-n', ns, '-f', '-'],
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.25\n---\n` +
          `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n  selector:\n    app: web\n  ports:\n  - port: 80\n    nodePort: ${nodePort}\n---\n` +
          `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: "1"\n  b: "2"\n`,
      );
      const out = await k().ok(['get', '-n', ns, 'deploy,svc,cm']);
      const sections = out.split('\n\n').map(rows);
      assert.equal(sections.length, 3);
      assert.deepEqual(sections[0]?.[0], ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
      assert.deepEqual(sections[0]?.[1]?.slice(0, 4), ['deployment.apps/web', '0/2', '0', '0']);
      assert.deepEqual(sections[1]?.[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
      const svc = sections[1]?.[1] ?? [];
      assert.equal(svc[0], 'service/web');
      assert.equal(svc[1], 'NodePort');
      assert.match(svc[2] ?? '', /^\d+\.\d+\.\d+\.\d+$/);
      assert.deepEqual(svc.slice(3, 5), ['<none>', `80:${nodePort}/TCP`]);
      assert.deepEqual(sections[2]?.[0], ['NAME', 'DATA', 'AGE']);
      assert.deepEqual(sections[2]?.[1]?.slice(0, 2), ['configmap/cfg', '2']);
      const wide = rows(await k().ok(['get', '-n', ns, 'deploy', '-o', 'wide']));
      assert.deepEqual(wide[0], ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
      assert.deepEqual(wide[1]?.slice(5), ['app', 'nginx:1.25', 'app=web']);
    });

    test(`kubectl ${version}: get all lists pods, services and deployments`, async () => {
      const out = await k().ok(['get', 'all', '-n', ns]);
      assert.match(out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\npod\/crashy\s/m);
      assert.match(out, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\nservice\/web\s+NodePort\s/m);
      assert.match(out, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\ndeployment\.apps\/web\s+0\/2\s/m);
    });

    test(`kubectl ${version}: get nodes prints STATUS, ROLES and VERSION, and wide node info`, async () => {
      const node = `node-${version.replace('.', '-')}`;
      await k().ok(['create', V, '-f', '-'], `apiVersion: v1\nkind: Node\nmetadata:\n  name: ${node}\n  labels:\n    node-role.kubernetes.io/control-plane: ""\nspec:\n  unschedulable: true\n`);
      await k().ok([
        'patch',
        'node',
        node,
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({
          status: {
            conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ok', lastHeartbeatTime: ago(0), lastTransitionTime: ago(5) }],
            addresses: [{ type: 'InternalIP', address: '192.168.1.10' }],
            nodeInfo: { kubeletVersion: 'v1.33.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0-18-amd64', containerRuntimeVersion: 'containerd://1.7.24', machineID: '', systemUUID: '', bootID: '', kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64' },
          },
        }),
      ]);
      const out = rows(await k().ok(['get', 'node', node]));
      assert.deepEqual(out[0], ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
      assert.deepEqual([out[1]?.[0], out[1]?.[1], out[1]?.[2], out[1]?.[4]], [node, 'Ready,SchedulingDisabled', 'control-plane', 'v1.33.0']);
      const wide = rows(await k().ok(['get', 'node', node, '-o', 'wide']));
      assert.deepEqual(wide[0], ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
      assert.deepEqual(wide[1]?.slice(5), ['192.168.1.10', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0-18-amd64', 'containerd://1.7.24']);
    });

    test(`kubectl ${version}: get events prints LAST SEEN, TYPE, REASON, OBJECT and MESSAGE`, async () => {
      await k().ok(
        ['create', V, '-n', ns, '-f', '-'],
        `apiVersion: v1\nkind: Event\nmetadata:\n  name: web-0.pulled\ninvolvedObject:\n  kind: Pod\n  name: web-0\n  namespace: ${ns}\nreason: Pulled\nmessage: Container image "nginx:1.25" already present on machine\ntype: Normal\nfirstTimestamp: "${ago(30)}"\nlastTimestamp: "${ago(12)}"\ncount: 4\nsource:\n  component: kubelet\n  host: node1\n`,
      );
      const out = rows(await k().ok(['get', 'events', '-n', ns]));
      assert.deepEqual(out[0], ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
      assert.deepEqual(out[1], ['12m', 'Normal', 'Pulled', 'pod/web-0', 'Container image "nginx:1.25" already present on machine']);
      const wide = rows(await k().ok(['get', 'events', '-n', ns, '-o', 'wide']));
      assert.deepEqual(wide[0], ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME']);
    });

    test(`kubectl ${version}: get -w prints a row for an update under the list's header`, async () => {
      const w = k().spawn(['get', '-n', ns, 'pod', 'web-0', '-w']);
      try {
        await eventually(() => /web-0\s+1\/1\s+Running/.test(w.output()), 10_000, 'initial row');
        await status('web-0', { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ name: 'app', image: 'nginx:1.25', imageID: '', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(1) } } }] });
        await eventually(() => /web-0\s+0\/1\s+CrashLoopBackOff\s+4 \(\d+s ago\)/.test(w.output()), 10_000, 'updated row');
        const lines = w.output().split('\n').filter((l) => l !== '');
        assert.match(lines[0] ?? '', /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
        assert.equal(lines.filter((l) => l.startsWith('NAME')).length, 1, 'the header is printed once');
      } finally {
        w.child.kill();
      }
    });

    test(`kubectl ${version}: get -w --output-watch-events adds the EVENT column`, async () => {
      const w = k().spawn(['get', '-n', ns, 'cm', '-w', '--output-watch-events']);
      try {
        await eventually(() => /ADDED\s+cfg\s+2\s/.test(w.output()), 10_000, 'initial ADDED');
        await k().ok(['label', '-n', ns, 'cm', 'cfg', 'seen=yes']);
        await eventually(() => /MODIFIED\s+cfg\s+2\s/.test(w.output()), 10_000, 'MODIFIED event');
        assert.match(w.output(), /^EVENT\s+NAME\s+DATA\s+AGE\n/);
      } finally {
        w.child.kill();
      }
    });
  }
});
