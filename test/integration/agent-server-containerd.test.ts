/**
 * The whole streaming path on real containers: the real kubectl → a real
 * `skiff server` → the agent's HTTPS server → containerd's CRI streaming
 * server (a private containerd from test/helpers/containerd.ts). A busybox
 * pod is created directly through CRI; the PodLocator answers with its
 * ids and its CRI log file. Checks exec with stdin and the exit code,
 * logs of the real log file, and port-forward to busybox httpd.
 * Skips when containerd is not installed (or we are not root).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { issueServingCert } from '../../control-plane/pki/certificates.js';
import { importKeyPair } from '../../control-plane/pki/keys.js';
import { createRuntime } from '../../agent/cri/create-runtime.js';
import { CONTAINER_RUNNING, type ContainerConfig, type PodSandboxConfig, type Runtime } from '../../agent/cri/runtime.js';
import { AgentMetrics } from '../../agent/metrics/agent-metrics.js';
import { startKubeletServer, type KubeletServer } from '../../agent/server/kubelet-server.js';
import { containerNotFound, logContainerNotInSpec, logPodNotFound, streamPodNotFound, type PodLocator } from '../../agent/server/pod-locator.js';
import { BUSYBOX_IMAGE, containerdSkipReason, startTestContainerd, type TestContainerd } from '../helpers/containerd.js';
import { Kubectl } from '../helpers/kubectl.js';
import { freePort } from '../helpers/free-port.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';
import { adminCreds, api, waitFor } from './streaming-client.js';

const skip = containerdSkipReason();
const UID = '00000000-0000-4000-8000-00000000a9e7';

function httpGet(port: number, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const body: Buffer[] = [];
      res.on('data', (c: Buffer) => body.push(c));
      res.on('end', () => resolve(Buffer.concat(body)));
    });
    r.on('error', reject);
    r.end();
  });
}

describe('exec, logs and port-forward on real containers through the agent server', { skip }, () => {
  let ctd: TestContainerd;
  let runtime: Runtime;
  let server: SkiffHandle;
  let agent: KubeletServer;
  let home: TempDir;
  let logs: TempDir;
  let sandboxId = '';
  const containers = new Map<string, string>();
  let podConfig: PodSandboxConfig;

  before(async () => {
    home = tempDir('skiff-agent-ctd-home-');
    logs = tempDir('skiff-agent-ctd-logs-');
    ctd = await startTestContainerd();
    runtime = createRuntime(ctd.endpoint);
    podConfig = {
      metadata: { name: 'web', uid: UID, namespace: 'default', attempt: 0 },
      hostname: 'web',
      logDirectory: join(logs.path, `default_web_${UID}`),
      portMappings: [],
      labels: { 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': UID, 'skiff.dev/managed': 'true' },
      annotations: {},
      linux: { cgroupParent: '' },
    };
    sandboxId = await runtime.runPodSandbox(podConfig);
    const container = (name: string, script: string): ContainerConfig => ({
      metadata: { name, attempt: 0 },
      image: { image: BUSYBOX_IMAGE },
      command: ['sh', '-c'],
      args: [script],
      workingDir: '',
      envs: [],
      mounts: [],
      labels: { 'io.kubernetes.container.name': name, 'skiff.dev/managed': 'true' },
      annotations: {},
      logPath: `${name}/0.log`,
      stdin: false,
      stdinOnce: false,
      tty: false,
      linux: { securityContext: { namespaceOptions: { network: 0, pid: 1, ipc: 0 } } },
    });
    for (const [name, script] of [
      ['app', 'echo hello from app; sleep 0.5; echo to stderr >&2; exec sleep 3600'],
      ['www', 'mkdir -p /www && echo served by httpd > /www/index.html && exec httpd -f -p 8080 -h /www'],
      ['done', 'exit 0'],
    ] as const) {
      const id = await runtime.createContainer(sandboxId, container(name, script), podConfig);
      await runtime.startContainer(id);
      containers.set(name, id);
    }

    server = await startSkiff({ extraArgs: ['--disable-controller-manager', '--disable-scheduler'] });
    const creds = adminCreds(server.dataDir);
    const tls = join(server.dataDir, 'tls');
    const caPem = readFileSync(join(tls, 'ca.crt'), 'utf8');
    const ca = { cert: new x509.X509Certificate(caPem), keys: await importKeyPair(readFileSync(join(tls, 'ca.key'), 'utf8')) };
    const serving = await issueServingCert(ca, 'node-a', { dns: ['localhost'], ips: ['127.0.0.1'] }, new Date());

    const running = async (id: string) => (await runtime.containerStatus(id)).state === CONTAINER_RUNNING;
    const pods: PodLocator = {
      async containerLog(ns, pod, name) {
        if (ns !== 'default' || pod !== 'web') return logPodNotFound(pod);
        const id = containers.get(name);
        if (!id) return logContainerNotInSpec(name, pod);
        const alive = await running(id);
        return { paths: [(await runtime.containerStatus(id)).logPath], running: () => alive };
      },
      async containerId(ns, pod, _uid, name) {
        if (ns !== 'default' || pod !== 'web') return streamPodNotFound();
        const id = containers.get(name);
        return id && (await running(id)) ? id : containerNotFound(name);
      },
      async sandboxId(ns, pod) {
        return ns === 'default' && pod === 'web' ? sandboxId : streamPodNotFound();
      },
    };
    agent = await startKubeletServer({
      host: '127.0.0.1',
      port: 0,
      tls: { certPem: serving.certPem, keyPem: serving.keyPem, caPem },
      pods,
      runtime,
      statsSummary: async () => ({}),
      metrics: new AgentMetrics({ defaultMetrics: false }).registry,
    });

    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' } };
    assert.equal((await api(server.port, creds, 'POST', '/api/v1/nodes', node)).status, 201);
    const cur = (await api(server.port, creds, 'GET', '/api/v1/nodes/node-a')).body as Record<string, unknown>;
    const status = { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: agent.port } } };
    assert.equal((await api(server.port, creds, 'PUT', '/api/v1/nodes/node-a/status', { ...cur, status })).status, 200);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default', uid: UID },
      spec: { nodeName: 'node-a', containers: ['app', 'www', 'done'].map((name) => ({ name, image: BUSYBOX_IMAGE })) },
    };
    assert.equal((await api(server.port, creds, 'POST', '/api/v1/namespaces/default/pods', pod)).status, 201);
    const web = (await api(server.port, creds, 'GET', '/api/v1/namespaces/default/pods/web')).body as Record<string, unknown>;
    assert.equal((await api(server.port, creds, 'PUT', '/api/v1/namespaces/default/pods/web/status', { ...web, status: { phase: 'Running' } })).status, 200);
  });

  after(async () => {
    await agent?.close();
    await server?.stop();
    if (runtime && sandboxId) {
      await runtime.stopPodSandbox(sandboxId).catch(() => undefined);
      await runtime.removePodSandbox(sandboxId).catch(() => undefined);
    }
    runtime?.close();
    await ctd?.stop();
    home?.remove();
    logs?.remove();
  });

  const k = () => new Kubectl('1.33', server.kubeconfig, home.path);

  test('kubectl exec runs in the container, passes stdin and the exit code', async () => {
    const ok = await k().run(['exec', 'web', '-c', 'app', '--', 'sh', '-c', 'echo out; echo err >&2']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'out\n');
    assert.match(ok.stderr, /err/);
    const failed = await k().run(['exec', 'web', '-c', 'app', '--', 'sh', '-c', 'exit 7']);
    assert.equal(failed.code, 7, failed.stderr);
    const piped = await k().run(['exec', '-i', 'web', '-c', 'app', '--', 'cat'], 'through stdin\n');
    assert.equal(piped.stdout, 'through stdin\n', piped.stderr);
  });

  test("kubectl exec into a container that is not running shows the agent's error", async () => {
    const done = containers.get('done') ?? '';
    const deadline = Date.now() + 10_000;
    while ((await runtime.containerStatus(done)).state === CONTAINER_RUNNING && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const r = await k().run(['exec', 'web', '-c', 'done', '--', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /container not found \("done"\)/);
  });

  test('kubectl cp moves more than 1 MiB in and out of the container byte for byte', async () => {
    const data = randomBytes(1536 * 1024);
    const local = join(home.path, 'big.bin');
    writeFileSync(local, data);
    const up = await k().run(['cp', local, 'web:/tmp/big.bin', '-c', 'app']);
    assert.equal(up.code, 0, up.stderr);
    const back = join(home.path, 'back.bin');
    const down = await k().run(['cp', 'web:/tmp/big.bin', back, '-c', 'app']);
    assert.equal(down.code, 0, down.stderr);
    assert.ok(readFileSync(back).equals(data));
    const www = await k().run(['cp', local, 'web:/www/big.bin', '-c', 'www']);
    assert.equal(www.code, 0, www.stderr);
  });

  test("kubectl logs reads the container's CRI log file", async () => {
    let out = '';
    const deadline = Date.now() + 15_000;
    while (out !== 'hello from app\nto stderr\n' && Date.now() < deadline) {
      out = await k().ok(['logs', 'web', '-c', 'app']);
      if (out !== 'hello from app\nto stderr\n') await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(out, 'hello from app\nto stderr\n');
    assert.equal(await k().ok(['logs', 'web', '-c', 'app', '--tail=1']), 'to stderr\n');
  });

  test('kubectl port-forward reaches busybox httpd in the pod', async () => {
    const local = await freePort();
    const run = k().spawn(['port-forward', 'pod/web', `${local}:8080`]);
    try {
      await waitFor(() => run.output().includes('Forwarding from'), 20_000);
      assert.equal((await httpGet(local, '/index.html')).toString(), 'served by httpd\n');
      // copied in by the cp test: more than 1 MiB through the forwarded port
      const big = await httpGet(local, '/big.bin');
      assert.ok(big.equals(readFileSync(join(home.path, 'big.bin'))), `got ${big.length} bytes`);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});
