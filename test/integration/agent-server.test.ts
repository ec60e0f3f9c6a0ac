/**
 * The agent's HTTPS server behind a real `skiff server`, driven by the real
 * kubectl: the API server finds it through the Node object (InternalIP
 * 127.0.0.1, kubeletEndpoint = its port), connects with its kubelet-client
 * certificate, and the agent server reads the container's CRI log file
 * from disk and splices exec/port-forward upgrades to a streaming server
 * standing in for containerd's (kubectl's SPDY offers reach it intact).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import * as x509 from '@peculiar/x509';
import { issueServingCert } from '../../control-plane/pki/certificates.js';
import { importKeyPair } from '../../control-plane/pki/keys.js';
import { RuntimeError, type Runtime } from '../../agent/cri/runtime.js';
import { AgentMetrics } from '../../agent/metrics/agent-metrics.js';
import { startKubeletServer, type KubeletServer } from '../../agent/server/kubelet-server.js';
import { containerNotFound, logContainerNotInSpec, logPodNotFound, streamPodNotFound, type PodLocator } from '../../agent/server/pod-locator.js';
import { Kubectl } from '../helpers/kubectl.js';
import { freePort } from '../helpers/free-port.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';
import { adminCreds, api, waitFor, type Creds } from './streaming-client.js';

const API_ONLY = ['--disable-controller-manager', '--disable-scheduler'];

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
}

describe('the agent server behind the API server, with the real kubectl', () => {
  let server: SkiffHandle;
  let agent: KubeletServer;
  let streaming: Server;
  let home: TempDir;
  let logs: TempDir;
  let creds: Creds;
  let running = true;
  const seen: Seen[] = [];
  const sockets = new Set<Duplex>();
  const calls: string[] = [];

  before(async () => {
    home = tempDir('skiff-agent-e2e-home-');
    logs = tempDir('skiff-agent-e2e-logs-');
    mkdirSync(join(logs.path, 'app'));
    const logPath = join(logs.path, 'app', '0.log');
    writeFileSync(logPath, ['2026-11-28T10:00:00Z stdout F hello', '2026-11-28T10:00:01Z stderr F oops', '2026-11-28T10:00:02Z stdout F bye', ''].join('\n'));

    // containerd's streaming server, as far as the proxy can tell: 101 to SPDY, 403 to WebSocket v5.
    streaming = createServer((_req, res) => res.writeHead(400).end());
    streaming.on('upgrade', (req, socket: Duplex) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      seen.push({ url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders });
      if (String(req.headers.upgrade).toLowerCase() !== 'spdy/3.1') {
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n');
    });
    streaming.listen(0, '127.0.0.1');
    await once(streaming, 'listening');
    const sAddr = streaming.address();
    const streamPort = sAddr !== null && typeof sAddr === 'object' ? sAddr.port : 0;

    server = await startSkiff({ extraArgs: API_ONLY });
    creds = adminCreds(server.dataDir);
    const tls = join(server.dataDir, 'tls');
    const caPem = readFileSync(join(tls, 'ca.crt'), 'utf8');
    const ca = { cert: new x509.X509Certificate(caPem), keys: await importKeyPair(readFileSync(join(tls, 'ca.key'), 'utf8')) };
    const serving = await issueServingCert(ca, 'node-a', { dns: ['localhost'], ips: ['127.0.0.1'] }, new Date());

    const pods: PodLocator = {
      async containerLog(ns, pod, container) {
        if (ns !== 'default' || pod !== 'web') return logPodNotFound(pod);
        if (container !== 'app') return logContainerNotInSpec(container, pod);
        return { paths: [logPath], running: () => running };
      },
      async containerId(ns, pod, _uid, container) {
        if (ns !== 'default' || pod !== 'web') return streamPodNotFound();
        return container === 'app' ? 'cid-app' : containerNotFound(container);
      },
      async sandboxId(ns, pod) {
        return ns === 'default' && pod === 'web' ? 'sandbox-web' : streamPodNotFound();
      },
    };
    let n = 0;
    const impl: Partial<Runtime> = {
      exec: async (req) => (calls.push(`exec ${req.containerId} ${req.cmd.join(' ')}`), `http://127.0.0.1:${streamPort}/exec/t${++n}`),
      portForward: async (req) => (calls.push(`portforward ${req.podSandboxId}`), `http://127.0.0.1:${streamPort}/portforward/t${++n}`),
    };
    const runtime = new Proxy(impl, { get: (t, k) => (k in t ? t[k as keyof Runtime] : () => Promise.reject(new RuntimeError('UNIMPLEMENTED', String(k)))) }) as Runtime;
    agent = await startKubeletServer({
      host: '127.0.0.1',
      port: 0,
      tls: { certPem: serving.certPem, keyPem: serving.keyPem, caPem },
      pods,
      runtime,
      statsSummary: async () => ({ node: { nodeName: 'node-a' }, pods: [] }),
      metrics: new AgentMetrics({ nodeName: 'node-a' }).registry,
    });

    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' } };
    assert.equal((await api(server.port, creds, 'POST', '/api/v1/nodes', node)).status, 201);
    const cur = (await api(server.port, creds, 'GET', '/api/v1/nodes/node-a')).body as Record<string, unknown>;
    const status = { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: agent.port } } };
    assert.equal((await api(server.port, creds, 'PUT', '/api/v1/nodes/node-a/status', { ...cur, status })).status, 200);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'busybox' }] } };
    assert.equal((await api(server.port, creds, 'POST', '/api/v1/namespaces/default/pods', pod)).status, 201);
    const web = (await api(server.port, creds, 'GET', '/api/v1/namespaces/default/pods/web')).body as Record<string, unknown>;
    assert.equal((await api(server.port, creds, 'PUT', '/api/v1/namespaces/default/pods/web/status', { ...web, status: { phase: 'Running' } })).status, 200);
  });

  after(async () => {
    await agent?.close();
    for (const s of sockets) s.destroy();
    streaming?.closeAllConnections();
    await new Promise<void>((resolve) => (streaming ? streaming.close(() => resolve()) : resolve()));
    await server?.stop();
    home?.remove();
    logs?.remove();
  });

  const k = () => new Kubectl('1.33', server.kubeconfig, home.path);

  test('kubectl logs reads the CRI log file through the API server', async () => {
    assert.equal(await k().ok(['logs', 'web']), 'hello\noops\nbye\n');
    assert.equal(await k().ok(['logs', 'web', '--tail=1']), 'bye\n');
    assert.match(await k().ok(['logs', 'web', '--timestamps', '--tail=1']), /^2026-11-28T10:00:02(\.0+)?Z bye\n$/);
  });

  test('kubectl logs -f follows until the container stops', async () => {
    running = true;
    const run = k().spawn(['logs', '-f', 'web', '--tail=1']);
    await waitFor(() => run.output().includes('bye\n'));
    appendFileSync(join(logs.path, 'app', '0.log'), '2026-11-28T10:00:03Z stdout F more\n');
    await waitFor(() => run.output().includes('more\n'));
    running = false;
    appendFileSync(join(logs.path, 'app', '0.log'), '2026-11-28T10:00:04Z stdout F last\n');
    assert.equal(await run.exited, 0, run.stderr());
    assert.ok(run.output().startsWith('bye\nmore\n'), run.output());
  });

  test("kubectl logs for a container not in the pod shows the API server's error", async () => {
    const r = await k().run(['logs', 'web', '-c', 'zz']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /container zz is not valid for pod web/);
  });

  test('kubectl exec reaches the streaming URL through the agent, WebSocket v5 refused then SPDY', async () => {
    const before = seen.length;
    const run = k().spawn(['exec', 'web', '--', 'ls', '/']);
    try {
      await waitFor(() => seen.slice(before).some((s) => String(s.headers.upgrade).toLowerCase() === 'spdy/3.1'));
    } finally {
      run.child.kill('SIGKILL');
    }
    const mine = seen.slice(before);
    assert.ok(calls.includes('exec cid-app ls /'));
    const ws = mine.find((s) => String(s.headers.upgrade).toLowerCase() === 'websocket');
    assert.equal(ws?.headers['sec-websocket-protocol']?.includes('v5.channel.k8s.io'), true);
    const spdy = mine.find((s) => String(s.headers.upgrade).toLowerCase() === 'spdy/3.1');
    assert.match(spdy?.url ?? '', /^\/exec\/t\d+$/);
    const offers = spdy?.rawHeaders.filter((_h, i, a) => i % 2 === 1 && a[i - 1]?.toLowerCase() === 'x-stream-protocol-version');
    assert.ok(offers?.includes('v4.channel.k8s.io'), String(offers));
  });

  test("kubectl port-forward reaches the runtime's port-forward URL through the agent", async () => {
    const before = seen.length;
    const run = k().spawn(['port-forward', 'pod/web', `${await freePort()}:8080`]);
    try {
      await waitFor(() => seen.slice(before).some((s) => s.url.startsWith('/portforward/')));
    } finally {
      run.child.kill('SIGKILL');
    }
    assert.ok(calls.includes('portforward sandbox-web'));
  });

  test('nodes/proxy reaches the agent: healthz, stats and metrics', async () => {
    const h = await api(server.port, creds, 'GET', '/api/v1/nodes/node-a/proxy/healthz');
    assert.deepEqual([h.status, h.text], [200, 'ok']);
    const s = await api(server.port, creds, 'GET', '/api/v1/nodes/node-a/proxy/stats/summary');
    assert.deepEqual(s.body, { node: { nodeName: 'node-a' }, pods: [] });
    const m = await api(server.port, creds, 'GET', '/api/v1/nodes/node-a/proxy/metrics');
    assert.match(m.text, /^kubelet_node_name\{node="node-a"\} 1$/m);
  });
});
