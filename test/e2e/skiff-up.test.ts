/**
 * End to end on one real node: `skiff up` (server, agent, and the
 * containerd it supervises) driven by the real kubectl 1.32, with the
 * busybox test image imported from DIR/agent/images (the airgap path) and
 * a local docker-registry for pulls. Each test names its own pods; the
 * node is shared. Skips when containerd is not installed or we are not
 * root.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createRuntime } from '../../agent/cri/create-runtime.js';
import type { Runtime } from '../../agent/cri/runtime.js';
import { containerdSkipReason, testImageFiles } from '../helpers/containerd.js';
import { buildBusyboxVariant, buildGracefulImage, type BuiltVariant } from '../helpers/images.js';
import { eventually, Kubectl, kubectlBinary } from '../helpers/kubectl.js';
import { freePort } from '../helpers/free-port.js';
import { registrySkipReason, startTestRegistry, type TestRegistry } from '../helpers/registry.js';
import { startSkiffUp, type SkiffUpHandle } from '../helpers/skiff-up.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

const skip = containerdSkipReason() ?? registrySkipReason(true);
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => { name: string; metrics: { value?: string; count?: string; labels?: Record<string, string> }[] }[];
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function httpGet(url: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const r = request(url, { timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    r.on('timeout', () => r.destroy(new Error('timeout')));
    r.on('error', reject);
    r.end();
  });
}

describe('skiff up: one real node on containerd', { skip, timeout: 600_000 }, () => {
  let up: SkiffUpHandle;
  let home: TempDir;
  let hostDir: TempDir;
  let kubectl: Kubectl;
  let graceful: BuiltVariant;
  let withKubectl: BuiltVariant;
  let runtime: Runtime;

  const pod = async (name: string): Promise<Obj> => JSON.parse(await kubectl.ok(['get', 'pod', name, '-o', 'json'])) as Obj;
  const apply = (yaml: string): Promise<string> => kubectl.ok(['apply', '-f', '-'], yaml);
  const waitPhase = (name: string, phase: string, ms = 60_000) =>
    eventually(async () => (await kubectl.run(['get', 'pod', name, '-o', 'jsonpath={.status.phase}'])).stdout === phase, ms, `pod ${name} ${phase}`);

  before(async () => {
    const images = testImageFiles();
    graceful = buildGracefulImage();
    withKubectl = buildBusyboxVariant({ ref: 'localhost/kubectl:1.0', files: { '/bin/kubectl': { content: readFileSync(kubectlBinary('1.32')), mode: 0o755 } } });
    home = tempDir('skiff-e2e-home-');
    hostDir = tempDir('skiff-e2e-host-');
    up = await startSkiffUp({ images: [images.busybox, graceful.tar, withKubectl.tar], extraArgs: ['--tls-san', '10.42.0.1'] });
    kubectl = new Kubectl('1.32', up.kubeconfig, home.path);
    runtime = createRuntime(`unix://${join(up.dataDir, 'agent', 'containerd', 'containerd.sock')}`);
    // The default ServiceAccount appears shortly after the namespace: pods need it.
    await eventually(async () => (await kubectl.run(['get', 'serviceaccount', 'default'])).code === 0, 30_000, 'default ServiceAccount');
  });

  after(async () => {
    if (kubectl) {
      const r = await kubectl.run(['delete', 'deployments,pods,configmaps,secrets', '--all', '--grace-period=1', '--wait=true', '--timeout=90s']);
      if (r.code !== 0) process.stderr.write(`# e2e clean-up: ${r.stderr}\n`);
    }
    runtime?.close();
    await up?.destroy();
    graceful?.remove();
    withKubectl?.remove();
    home?.remove();
    hostDir?.remove();
  });

  it('registers a Ready node with the host capacity, the runtime version and the airgap images', async () => {
    const node = JSON.parse(await kubectl.ok(['get', 'node', up.nodeName, '-o', 'json'])) as Obj;
    assert.equal(node.status.conditions.find((c: Obj) => c.type === 'Ready').status, 'True');
    assert.match(node.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\//);
    assert.ok(Number(node.status.capacity.pods) === 110);
    assert.ok(node.status.addresses.some((a: Obj) => a.type === 'InternalIP' && a.address === '127.0.0.1'));
    const names = (node.status.images ?? []).flatMap((i: Obj) => i.names as string[]);
    assert.ok(names.some((n: string) => n.includes('localhost/busybox:1.0')), JSON.stringify(names));
    process.stderr.write(`# skiff up: node Ready ${up.readyMs} ms after start\n`);
  });

  it('runs a Deployment of busybox httpd whose pods answer HTTP on their pod IPs, Ready only once the readiness probe passes', async () => {
    await apply(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: httpd
        image: localhost/busybox:1.0
        command: ["sh", "-c", "mkdir -p /www; echo hello from $(hostname) > /www/index.html; (sleep 3; touch /tmp/ready) & exec httpd -f -p 8080 -h /www"]
        readinessProbe: {exec: {command: ["cat", "/tmp/ready"]}, periodSeconds: 1}
`);
    const names = async () => (await kubectl.ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').filter(Boolean);
    await eventually(async () => (await names()).length === 2, 30_000, 'two web pods');
    // Running but not yet Ready while the probe fails.
    await eventually(async () => (await pod((await names())[0]!)).status.phase === 'Running', 30_000, 'web pod Running');
    const early = await pod((await names())[0]!);
    assert.equal(early.status.conditions.find((c: Obj) => c.type === 'Ready')?.status, 'False');
    await kubectl.ok(['rollout', 'status', 'deploy/web', '--timeout=60s']);
    for (const name of await names()) {
      const p = await pod(name);
      assert.equal(p.status.containerStatuses[0].ready, true);
      const res = await httpGet(`http://${p.status.podIP}:8080/index.html`);
      assert.equal(res.status, 200);
      assert.equal(res.body.toString().trim(), `hello from ${name}`);
    }
  });

  it('streams logs with -f, shows --previous, and restarts a crashing container with back-off (CrashLoopBackOff)', async () => {
    await apply(`apiVersion: v1
kind: Pod
metadata: {name: crash}
spec:
  containers:
  - name: app
    image: localhost/busybox:1.0
    command: ["sh", "-c", "echo run-$(cat /proc/uptime | cut -d. -f1); sleep 1; echo bye; exit 3"]
`);
    await eventually(async () => ((await pod('crash')).status.containerStatuses?.[0]?.restartCount ?? 0) >= 2, 90_000, 'two restarts');
    const p = await pod('crash');
    const cs = p.status.containerStatuses[0];
    assert.equal(cs.lastState.terminated.exitCode, 3);
    assert.equal(cs.lastState.terminated.reason, 'Error');
    await eventually(async () => (await pod('crash')).status.containerStatuses[0].state.waiting?.reason === 'CrashLoopBackOff', 60_000, 'CrashLoopBackOff');
    const previous = await kubectl.ok(['logs', 'crash', '--previous']);
    assert.match(previous, /^run-\d+\nbye\n$/);

    await apply(`apiVersion: v1
kind: Pod
metadata: {name: ticker}
spec:
  containers:
  - name: app
    image: localhost/busybox:1.0
    command: ["sh", "-c", "i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.2; done"]
`);
    await waitPhase('ticker', 'Running');
    const follow = kubectl.spawn(['logs', '-f', 'ticker']);
    try {
      await eventually(() => /tick-12\n/.test(follow.output()), 30_000, 'followed lines');
      assert.match(follow.output(), /^tick-0\ntick-1\n/);
    } finally {
      follow.child.kill();
    }
  });

  it('execs with stdin and a tty request, passing the exit code through, and moves more than 1 MiB with cp and port-forward', async () => {
    await apply(`apiVersion: v1
kind: Pod
metadata: {name: shell}
spec:
  containers:
  - name: sh
    image: localhost/busybox:1.0
    command: ["sh", "-c", "mkdir -p /www; exec httpd -f -p 8080 -h /www"]
`);
    await waitPhase('shell', 'Running');
    const r = await kubectl.run(['exec', '-i', 'shell', '--', 'sh', '-c', 'read x; echo got-$x; exit 7'], 'hello\n');
    assert.equal(r.code, 7, r.stderr);
    assert.equal(r.stdout, 'got-hello\n');
    const tty = await kubectl.run(['exec', '-it', 'shell', '--', 'sh', '-c', 'exit 4'], '');
    assert.equal(tty.code, 4, tty.stderr);
    // The oldest and newest kubectl we support: SPDY only (1.27), WebSocket first with the SPDY fall-back (1.33).
    for (const version of ['1.27', '1.33']) {
      const other = await new Kubectl(version, up.kubeconfig, home.path).run(['exec', '-i', 'shell', '--', 'sh', '-c', 'cat; exit 5'], `from ${version}`);
      assert.equal(other.code, 5, `${version}: ${other.stderr}`);
      assert.equal(other.stdout, `from ${version}`);
    }

    const data = randomBytes(1536 * 1024);
    const local = join(hostDir.path, 'big.bin');
    writeFileSync(local, data);
    await kubectl.ok(['cp', local, 'shell:/www/big.bin']);
    const back = join(hostDir.path, 'back.bin');
    await kubectl.ok(['cp', 'shell:/www/big.bin', back]);
    assert.ok(readFileSync(back).equals(data), 'cp round trip is byte-identical');

    const port = await freePort();
    const pf = kubectl.spawn(['port-forward', 'pod/shell', `${port}:8080`]);
    try {
      await eventually(() => /Forwarding from/.test(pf.output()), 20_000, 'port-forward ready');
      const res = await httpGet(`http://127.0.0.1:${port}/big.bin`);
      assert.equal(res.status, 200);
      assert.ok(res.body.equals(data), 'port-forward moves the file byte for byte');
    } finally {
      pf.child.kill();
    }
  });

  it('restarts a container whose liveness probe fails', async () => {
    await apply(`apiVersion: v1
kind: Pod
metadata: {name: live}
spec:
  containers:
  - name: app
    image: localhost/busybox:1.0
    command: ["sh", "-c", "touch /tmp/healthy; sleep 2; rm /tmp/healthy; sleep 3600"]
    livenessProbe: {exec: {command: ["cat", "/tmp/healthy"]}, periodSeconds: 1, failureThreshold: 1}
`);
    await eventually(async () => ((await pod('live')).status.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 60_000, 'liveness restart');
    const events = await kubectl.ok(['get', 'events', '--field-selector', 'involvedObject.name=live', '-o', 'jsonpath={.items[*].reason}']);
    assert.match(events, /Killing/);
  });

  it('gives containers env and volumes from a ConfigMap and a Secret, and updates the volumes in place', async () => {
    await kubectl.ok(['create', 'configmap', 'cfg', '--from-literal=color=blue']);
    await kubectl.ok(['create', 'secret', 'generic', 'sec', '--from-literal=password=s3cret']);
    await apply(`apiVersion: v1
kind: Pod
metadata: {name: conf}
spec:
  containers:
  - name: app
    image: localhost/busybox:1.0
    command: ["sh", "-c", "echo env=$COLOR/$PASSWORD; sleep 3600"]
    env:
    - {name: COLOR, valueFrom: {configMapKeyRef: {name: cfg, key: color}}}
    - {name: PASSWORD, valueFrom: {secretKeyRef: {name: sec, key: password}}}
    volumeMounts:
    - {name: c, mountPath: /etc/cfg}
    - {name: s, mountPath: /etc/sec}
  volumes:
  - {name: c, configMap: {name: cfg}}
  - {name: s, secret: {secretName: sec}}
`);
    await waitPhase('conf', 'Running');
    await eventually(async () => (await kubectl.run(['logs', 'conf'])).stdout === 'env=blue/s3cret\n', 20_000, 'env from ConfigMap and Secret');
    assert.equal(await kubectl.ok(['exec', 'conf', '--', 'cat', '/etc/cfg/color']), 'blue');
    assert.equal(await kubectl.ok(['exec', 'conf', '--', 'cat', '/etc/sec/password']), 's3cret');
    await kubectl.ok(['patch', 'configmap', 'cfg', '-p', '{"data":{"color":"green"}}']);
    await kubectl.ok(['patch', 'secret', 'sec', '-p', `{"data":{"password":"${Buffer.from('n3w').toString('base64')}"}}`]);
    await eventually(async () => (await kubectl.run(['exec', 'conf', '--', 'cat', '/etc/cfg/color'])).stdout === 'green', 60_000, 'ConfigMap update');
    await eventually(async () => (await kubectl.run(['exec', 'conf', '--', 'cat', '/etc/sec/password'])).stdout === 'n3w', 60_000, 'Secret update');
  });

  it('puts the container limits into its cgroup', async () => {
    await apply(`apiVersion: v1
kind: Pod
metadata: {name: limited}
spec:
  containers:
  - name: app
    image: localhost/busybox:1.0
    command: ["sleep", "3600"]
    resources: {limits: {memory: 64Mi, cpu: 500m}}
`);
    await waitPhase('limited', 'Running');
    const p = await pod('limited');
    assert.equal(p.status.qosClass, 'Guaranteed');
    const mem = await kubectl.ok(['exec', 'limited', '--', 'sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max']);
    assert.equal(mem.trim(), String(64 * 1024 * 1024));
    const cpu = await kubectl.ok(['exec', 'limited', '--', 'sh', '-c', 'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cut -d" " -f1 /sys/fs/cgroup/cpu.max']);
    assert.equal(cpu.trim(), '50000');
  });

  it('runs preStop on deletion, then leaves no sandbox, cgroup or log behind', async () => {
    mkdirSync(join(hostDir.path, 'hooks'), { recursive: true });
    await apply(`apiVersion: v1
kind: Pod
metadata: {name: bye}
spec:
  terminationGracePeriodSeconds: 20
  containers:
  - name: app
    image: localhost/graceful:1.0
    lifecycle: {preStop: {exec: {command: ["sh", "-c", "echo prestop-ran > /hooks/prestop"]}}}
    volumeMounts: [{name: hooks, mountPath: /hooks}]
  volumes:
  - {name: hooks, hostPath: {path: ${JSON.stringify(join(hostDir.path, 'hooks'))}}}
`);
    await waitPhase('bye', 'Running');
    const uid = (await pod('bye')).metadata.uid as string;
    await kubectl.ok(['delete', 'pod', 'bye', '--timeout=60s']);
    assert.equal(readFileSync(join(hostDir.path, 'hooks', 'prestop'), 'utf8'), 'prestop-ran\n');
    assert.deepEqual(await runtime.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': uid } }), []);
    assert.deepEqual(await runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': uid } }), []);
    assert.equal(existsSync(join(up.dataDir, 'agent', 'logs', 'pods', `default_bye_${uid}`)), false, 'log dir removed');
    assert.equal(existsSync(join(up.dataDir, 'agent', 'pods', uid)), false, 'pod dir removed');
    for (const ctrl of ['memory', 'cpu', 'pids']) assert.equal(existsSync(`/sys/fs/cgroup/${ctrl}/${up.cgroupRoot}/pod${uid}`), false, `${ctrl} cgroup removed`);
  });

  it('pulls from a registry with and without auth, and reports ErrImagePull for a missing image', async () => {
    const images = testImageFiles();
    let open: TestRegistry | undefined;
    let closed: TestRegistry | undefined;
    try {
      open = await startTestRegistry();
      closed = await startTestRegistry({ auth: true });
      const openRef = await open.push(images.busybox, 'busybox:1.0');
      const closedRef = await closed.push(images.busybox, 'private/busybox:1.0');
      await kubectl.ok(['create', 'secret', 'docker-registry', 'regcred', `--docker-server=${closed.host}`, `--docker-username=${closed.auth!.username}`, `--docker-password=${closed.auth!.password}`]);
      const podYaml = (name: string, image: string, secret?: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  ${secret ? `imagePullSecrets: [{name: ${secret}}]` : ''}
  containers:
  - {name: app, image: "${image}", imagePullPolicy: Always, command: ["sleep", "3600"]}
`;
      await apply(podYaml('pull-open', openRef));
      await apply(podYaml('pull-auth', closedRef, 'regcred'));
      await apply(podYaml('pull-denied', closedRef));
      await apply(podYaml('pull-missing', `${open.host}/nothing:here`));
      await waitPhase('pull-open', 'Running');
      await waitPhase('pull-auth', 'Running');
      const waiting = async (name: string) => (await pod(name)).status.containerStatuses?.[0]?.state?.waiting?.reason as string | undefined;
      await eventually(async () => ['ErrImagePull', 'ImagePullBackOff'].includes((await waiting('pull-denied')) ?? ''), 60_000, 'denied pull fails');
      await eventually(async () => ['ErrImagePull', 'ImagePullBackOff'].includes((await waiting('pull-missing')) ?? ''), 60_000, 'missing image fails');
      assert.match((await pod('pull-open')).status.containerStatuses[0].imageID, /sha256:/);
    } finally {
      await kubectl.run(['delete', 'pod', 'pull-open', 'pull-auth', 'pull-denied', 'pull-missing', '--grace-period=1', '--timeout=60s']);
      await open?.stop();
      await closed?.stop();
    }
  });

  it('lets a pod read the API with its ServiceAccount token, verifying the server with the mounted CA', async () => {
    // kubectl's in-cluster config: the token, ca.crt and namespace from the
    // kube-api-access volume. The Service proxy comes later, so the pod is
    // pointed at the API through the bridge gateway (a --tls-san of the server).
    await apply(`apiVersion: v1
kind: Pod
metadata: {name: reader}
spec:
  restartPolicy: Never
  containers:
  - name: app
    image: localhost/kubectl:1.0
    command: ["sh", "-c", "export HOME=/tmp KUBERNETES_SERVICE_HOST=$(ip route | awk '/default/ {print $3}') KUBERNETES_SERVICE_PORT=${up.port}; kubectl get pod reader -o json"]
`);
    await eventually(async () => ['Succeeded', 'Failed'].includes((await pod('reader')).status.phase), 60_000, 'reader finished');
    const out = await kubectl.ok(['logs', 'reader']);
    assert.equal((await pod('reader')).status.phase, 'Succeeded', out);
    const read = JSON.parse(out) as Obj;
    assert.equal(read.kind, 'Pod');
    assert.equal(read.metadata.name, 'reader');
    assert.match(read.spec.volumes.find((v: Obj) => v.name.startsWith('kube-api-access-'))?.name ?? '', /^kube-api-access-[a-z0-9]{5}$/);
  });

  it('serves kubectl top for the node and its pods', async () => {
    await eventually(async () => (await kubectl.run(['top', 'node'])).code === 0, 60_000, 'node metrics');
    assert.match(await kubectl.ok(['top', 'node']), new RegExp(`^NAME +CPU\\(cores\\).*\\n${up.nodeName} +\\d+m`));
    await eventually(async () => /shell +\d+m +\d+Mi/.test((await kubectl.run(['top', 'pod'])).stdout), 60_000, 'pod metrics');
  });

  it("exposes the agent's Prometheus metrics through nodes/proxy: pods, containers, pod start latency, CRI calls, probes", async () => {
    await eventually(async () => (await kubectl.run(['get', '--raw', `/api/v1/nodes/${up.nodeName}/proxy/metrics`])).stdout.includes('kubelet_running_pods'), 30_000, 'metrics');
    const text = await kubectl.ok(['get', '--raw', `/api/v1/nodes/${up.nodeName}/proxy/metrics`]);
    const families = new Map(parsePrometheus(text).map((f) => [f.name, f]));
    assert.ok(Number(families.get('kubelet_running_pods')?.metrics[0]?.value) >= 3, 'running pods');
    const running = families.get('kubelet_running_containers')?.metrics.find((m) => m.labels?.container_state === 'running');
    assert.ok(Number(running?.value) >= 3, 'running containers');
    assert.ok(Number(families.get('kubelet_pod_start_duration_seconds')?.metrics[0]?.count) >= 5, 'pod start latency observed');
    const ops = families.get('kubelet_runtime_operations_total')?.metrics ?? [];
    assert.ok(Number(ops.find((m) => m.labels?.operation_type === 'run_podsandbox')?.value) >= 5, 'RunPodSandbox calls counted');
    const probes = families.get('prober_probe_total')?.metrics ?? [];
    assert.ok(probes.some((m) => m.labels?.probe_type === 'Readiness' && m.labels?.result === 'successful'), 'readiness probe results');
    assert.ok(Number(families.get('node_memory_working_set_bytes')?.metrics[0]?.value) > 0, 'node memory');
  });

  it('adopts every running container after a restart of skiff up, restarting none', async () => {
    const ids = async () =>
      (await kubectl.ok(['get', 'pods', '--field-selector=status.phase=Running', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.containerStatuses[0].containerID}/{.status.containerStatuses[0].restartCount}{"\\n"}{end}']))
        .split('\n')
        .filter((l) => l && !l.startsWith('crash=') && !l.startsWith('live='))
        .sort();
    const before = await ids();
    assert.ok(before.length >= 4, before.join(','));
    await up.stop();
    await up.start();
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(await ids(), before);
  });
});
