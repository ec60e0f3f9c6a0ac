/**
 * The agent's HTTPS server with real TLS: a cluster CA, a serving
 * certificate, client certificates for the API server, a non-admin and a
 * stranger from another CA; containerLogs read from CRI-format files on
 * disk; exec/attach/portForward upgrades spliced to a local streaming
 * server standing in for containerd's, reached through a runtime whose
 * streaming calls return its URL.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { createRequire } from 'node:module';
import { createCa, issueClientCert, issueServingCert } from '../../control-plane/pki/certificates.js';
import { tempDir, type TempDir } from '../../test/helpers/temp-dir.js';
import { api, rawRequest, waitFor, type Creds } from '../../test/integration/streaming-client.js';
import { RuntimeError, type Runtime } from '../cri/runtime.js';
import { AgentMetrics } from '../metrics/agent-metrics.js';
import { startKubeletServer, type KubeletServer } from './kubelet-server.js';
import { containerNotFound, LocatorError, logContainerNotInSpec, logPodNotFound, logPreviousNotFound, streamPodNotFound, type PodLocator } from './pod-locator.js';

const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => { name: string; type: string; metrics: { value?: string }[] }[];

interface StreamCall {
  kind: string;
  req: Record<string, unknown>;
}

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  received: Buffer[];
}

/** A stand-in for containerd's streaming server: 101 on SPDY, then echo; 403 to WebSocket v5. */
async function startStreamingServer(): Promise<{ server: Server; port: number; seen: Seen[]; sockets: Set<Duplex> }> {
  const seen: Seen[] = [];
  const sockets = new Set<Duplex>();
  const server = createServer((_req, res) => {
    res.writeHead(400);
    res.end('upgrade required');
  });
  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, received: [] };
    seen.push(s);
    if (String(req.headers.upgrade).toLowerCase() !== 'spdy/3.1') {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n`);
    const echo = (c: Buffer) => {
      s.received.push(c);
      socket.write(c);
    };
    if (head.length > 0) echo(head);
    socket.on('data', echo);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  return { server, port: addr !== null && typeof addr === 'object' ? addr.port : 0, seen, sockets };
}

/** A runtime that answers the streaming calls with URLs on the stand-in; anything else is UNIMPLEMENTED. */
function streamingRuntime(streamPort: number, calls: StreamCall[]): Runtime {
  let n = 0;
  const url = (kind: string, req: Record<string, unknown>) => {
    calls.push({ kind, req });
    if (req.containerId === 'gone' || req.podSandboxId === 'gone') return Promise.reject(new RuntimeError('NOT_FOUND', 'container "gone" not found'));
    return Promise.resolve(`http://127.0.0.1:${streamPort}/${kind}/token-${++n}`);
  };
  const impl: Partial<Runtime> = {
    exec: (req) => url('exec', req),
    attach: (req) => url('attach', req),
    portForward: (req) => url('portforward', req),
  };
  return new Proxy(impl, {
    get: (t, k) => (k in t ? t[k as keyof Runtime] : () => Promise.reject(new RuntimeError('UNIMPLEMENTED', String(k)))),
  }) as Runtime;
}

describe('the agent HTTPS server', () => {
  let dir: TempDir;
  let agent: KubeletServer;
  let stream: Awaited<ReturnType<typeof startStreamingServer>>;
  let admin: Creds;
  let masters: Creds;
  let alice: Creds;
  let stranger: Creds;
  let anonymous: Creds;
  const calls: StreamCall[] = [];
  const metrics = new AgentMetrics({ nodeName: 'node-a' });
  let running = true;
  let logPath: string;

  const pods: PodLocator = {
    async containerLog(ns, pod, container, previous) {
      if (ns !== 'default' || pod !== 'web') return logPodNotFound(pod);
      if (container !== 'app') return logContainerNotInSpec(container, pod);
      if (previous) return logPreviousNotFound(container, pod);
      return { paths: [logPath], running: () => running };
    },
    async containerId(ns, pod, uid, container) {
      if (ns !== 'default' || pod !== 'web' || (uid !== undefined && uid !== 'uid-web')) return streamPodNotFound();
      if (container === 'gone') return 'gone';
      if (container !== 'app') return containerNotFound(container);
      return 'cid-app';
    },
    async sandboxId(ns, pod, uid) {
      if (ns !== 'default' || pod !== 'web') return streamPodNotFound();
      if (uid !== undefined && uid !== 'uid-web') return new LocatorError(404, 'pod not found');
      return 'sandbox-web';
    },
    async pods() {
      return [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' } }];
    },
  };

  before(async () => {
    dir = tempDir('skiff-agent-server-');
    const now = new Date();
    const { ca, issued } = await createCa('skiff-ca', now);
    const other = await createCa('other-ca', now);
    const serving = await issueServingCert(ca, 'node-a', { dns: ['localhost'], ips: ['127.0.0.1'] }, now);
    const client = await issueClientCert(ca, 'kube-apiserver-kubelet-client', ['system:masters'], now);
    const root = await issueClientCert(ca, 'root', ['system:masters'], now);
    const dev = await issueClientCert(ca, 'alice', ['dev'], now);
    const foreign = await issueClientCert(other.ca, 'kube-apiserver-kubelet-client', ['system:masters'], now);
    admin = { ca: issued.certPem, cert: client.certPem, key: client.keyPem };
    masters = { ca: issued.certPem, cert: root.certPem, key: root.keyPem };
    alice = { ca: issued.certPem, cert: dev.certPem, key: dev.keyPem };
    stranger = { ca: issued.certPem, cert: foreign.certPem, key: foreign.keyPem };
    anonymous = { ca: issued.certPem };

    mkdirSync(join(dir.path, 'app'));
    logPath = join(dir.path, 'app', '0.log');
    writeFileSync(
      logPath,
      [
        '2026-11-28T10:00:00.000000001Z stdout F first line',
        '2026-11-28T10:00:01.5Z stderr F second line',
        '2026-11-28T10:00:02Z stdout P third ',
        '2026-11-28T10:00:02.1Z stdout F line',
        '',
      ].join('\n'),
    );

    stream = await startStreamingServer();
    metrics.setRunning(1, { running: 1 });
    agent = await startKubeletServer({
      host: '127.0.0.1',
      port: 0,
      tls: { certPem: serving.certPem, keyPem: serving.keyPem, caPem: issued.certPem },
      pods,
      runtime: streamingRuntime(stream.port, calls),
      statsSummary: async () => ({ node: { nodeName: 'node-a' }, pods: [] }),
      metrics: metrics.registry,
    });
  });

  after(async () => {
    await agent?.close();
    for (const s of stream?.sockets ?? []) s.destroy();
    stream?.server.closeAllConnections();
    await new Promise<void>((resolve) => (stream ? stream.server.close(() => resolve()) : resolve()));
    dir?.remove();
  });

  describe('authentication and authorization', () => {
    it("answers /healthz to the API server's kubelet client", async () => {
      const r = await api(agent.port, admin, 'GET', '/healthz');
      assert.equal(r.status, 200);
      assert.equal(r.text, 'ok');
    });

    it('answers a system:masters member too', async () => {
      assert.equal((await api(agent.port, masters, 'GET', '/healthz')).status, 200);
    });

    it('refuses a request without a client certificate with 401', async () => {
      const r = await api(agent.port, anonymous, 'GET', '/healthz');
      assert.equal(r.status, 401);
      assert.equal(r.text, 'Unauthorized');
    });

    it('refuses a certificate from another CA with 401, whatever its name', async () => {
      const r = await api(agent.port, stranger, 'GET', '/healthz');
      assert.equal(r.status, 401);
    });

    it("refuses a non-admin user with 403 and upstream's message", async () => {
      const r = await api(agent.port, alice, 'GET', '/stats/summary');
      assert.equal(r.status, 403);
      assert.equal(r.text, 'Forbidden (user=alice, verb=get, resource=nodes, subresource(s)=[stats])\n');
    });
  });

  describe('plain endpoints', () => {
    it('serves /metrics in the Prometheus text format', async () => {
      const r = await api(agent.port, admin, 'GET', '/metrics');
      assert.equal(r.status, 200);
      const families = new Map(parsePrometheus(r.text).map((f) => [f.name, f]));
      assert.equal(families.get('kubelet_running_pods')?.metrics[0]?.value, '1');
      assert.equal(families.get('kubelet_pod_start_duration_seconds')?.type, 'HISTOGRAM');
      assert.ok(families.has('process_resident_memory_bytes'));
    });

    it('serves /stats/summary as JSON', async () => {
      const r = await api(agent.port, admin, 'GET', '/stats/summary');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { node: { nodeName: 'node-a' }, pods: [] });
    });

    it("serves /pods as a PodList of the kubelet's pods", async () => {
      const r = await api(agent.port, admin, 'GET', '/pods');
      assert.equal(r.status, 200);
      assert.equal((r.body as { kind: string }).kind, 'PodList');
      assert.equal((r.body as { items: unknown[] }).items.length, 1);
    });

    it('answers 404 for unknown paths', async () => {
      const r = await api(agent.port, admin, 'GET', '/nope');
      assert.equal(r.status, 404);
      assert.equal(r.text, '404 page not found\n');
    });
  });

  describe('containerLogs', () => {
    const logs = (q = '') => api(agent.port, admin, 'GET', `/containerLogs/default/web/app${q}`);

    it('streams the whole log, joining partial lines', async () => {
      const r = await logs();
      assert.equal(r.status, 200);
      assert.equal(r.text, 'first line\nsecond line\nthird line\n');
    });

    it('counts tailLines in CRI records, partial chunks included, as upstream', async () => {
      assert.equal((await logs('?tailLines=2')).text, 'third line\n');
      assert.equal((await logs('?tailLines=1')).text, 'line\n');
    });

    it("prefixes each output line with the runtime's timestamp", async () => {
      const r = await logs('?timestamps=true&tailLines=3');
      assert.equal(r.text, '2026-11-28T10:00:01.5Z second line\n2026-11-28T10:00:02Z third line\n');
    });

    it('stops at limitBytes', async () => {
      assert.equal((await logs('?limitBytes=5')).text, 'first');
    });

    it('keeps only lines since sinceTime', async () => {
      assert.equal((await logs('?sinceTime=2026-11-28T10:00:01Z')).text, 'second line\nthird line\n');
    });

    it("answers the locator's errors with upstream's status and text", async () => {
      let r = await api(agent.port, admin, 'GET', '/containerLogs/default/nope/app');
      assert.deepEqual([r.status, r.text], [404, 'pod "nope" does not exist']);
      r = await api(agent.port, admin, 'GET', '/containerLogs/default/web/zz');
      assert.deepEqual([r.status, r.text], [404, 'container "zz" not found in pod "web"']);
      r = await logs('?previous=true');
      assert.deepEqual([r.status, r.text], [400, 'previous terminated container "app" in pod "web" not found']);
    });

    it('answers 422 for invalid options', async () => {
      const r = await logs('?tailLines=-1');
      assert.deepEqual([r.status, r.text], [422, '{"message": "Invalid request."}']);
    });

    it('follows new lines until the container stops running', async () => {
      running = true;
      const got: string[] = [];
      const done = new Promise<number>((resolve, reject) => {
        const r = httpsRequest({ host: '127.0.0.1', port: agent.port, path: '/containerLogs/default/web/app?follow=true&tailLines=1', ca: admin.ca, cert: admin.cert, key: admin.key }, (res) => {
          res.on('data', (c: Buffer) => got.push(c.toString()));
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        r.on('error', reject);
        r.end();
      });
      await waitFor(() => got.join('') === 'line\n');
      appendFileSync(logPath, '2026-11-28T10:00:03Z stdout F fourth line\n');
      await waitFor(() => got.join('').includes('fourth line\n'));
      running = false;
      appendFileSync(logPath, '2026-11-28T10:00:04Z stdout F fifth line\n');
      assert.equal(await done, 200);
      assert.ok(got.join('').startsWith('line\nfourth line\n'), got.join(''));
    });
  });

  describe('exec, attach and portForward', () => {
    const spdy = (method: string, path: string, extra: string[] = []) =>
      [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: Upgrade', 'Upgrade: SPDY/3.1', 'X-Stream-Protocol-Version: v4.channel.k8s.io', 'X-Stream-Protocol-Version: v3.channel.k8s.io', ...extra, '', ''].join('\r\n');

    it('proxies an exec upgrade byte for byte to the streaming URL the runtime returned', async () => {
      const before = stream.seen.length;
      const res = await rawRequest(agent.port, admin, spdy('POST', '/exec/default/web/app?command=sh&command=-c&command=echo%20hi&input=1&output=1&error=1'));
      assert.equal(res.status, 101, res.headText);
      assert.match(res.headText, /X-Stream-Protocol-Version: v4\.channel\.k8s\.io/);
      assert.deepEqual(calls.at(-1), { kind: 'exec', req: { containerId: 'cid-app', cmd: ['sh', '-c', 'echo hi'], stdin: true, stdout: true, stderr: true, tty: false } });
      const seen = stream.seen[before];
      assert.ok(seen);
      assert.equal(seen.method, 'POST');
      assert.match(seen.url, /^\/exec\/token-\d+$/);
      assert.equal(seen.headers.host, `127.0.0.1:${stream.port}`);
      assert.deepEqual(seen.rawHeaders.filter((_h, i, a) => i % 2 === 1 && a[i - 1] === 'X-Stream-Protocol-Version'), ['v4.channel.k8s.io', 'v3.channel.k8s.io']);
      const payload = Buffer.from([0x80, 0x03, 0x00, 0x01, 0x00, 0xff, 0x0d, 0x0a, 0x00, 0x68, 0x69]);
      res.socket.write(payload);
      await waitFor(() => res.rest().length >= payload.length);
      assert.deepEqual(res.rest(), payload);
      assert.deepEqual(Buffer.concat(seen.received), payload);
      res.socket.destroy();
    });

    it('proxies attach and portForward with the uid in the path', async () => {
      let res = await rawRequest(agent.port, admin, spdy('POST', '/attach/default/web/uid-web/app?input=1&output=1&tty=1'));
      assert.equal(res.status, 101);
      assert.deepEqual(calls.at(-1), { kind: 'attach', req: { containerId: 'cid-app', stdin: true, stdout: true, stderr: false, tty: true } });
      assert.match(stream.seen.at(-1)?.url ?? '', /^\/attach\/token-\d+$/);
      res.socket.destroy();
      res = await rawRequest(agent.port, admin, spdy('POST', '/portForward/default/web/uid-web?port=8080'));
      assert.equal(res.status, 101);
      assert.deepEqual(calls.at(-1), { kind: 'portforward', req: { podSandboxId: 'sandbox-web', port: [8080] } });
      res.socket.destroy();
    });

    it("passes the streaming server's refusal of a WebSocket upgrade through untouched", async () => {
      const head = ['GET /exec/default/web/app?command=ls&output=1 HTTP/1.1', 'Host: x', 'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol: v5.channel.k8s.io', '', ''].join('\r\n');
      const res = await rawRequest(agent.port, admin, head);
      assert.equal(res.status, 403);
      assert.equal(stream.seen.at(-1)?.headers['sec-websocket-protocol'], 'v5.channel.k8s.io');
      res.socket.destroy();
    });

    it("answers errors before forwarding with upstream's status and text", async () => {
      const cases: [string, number, string][] = [
        ['/exec/default/web/app?command=ls', 400, 'you must specify at least 1 of stdin, stdout, stderr'],
        ['/exec/default/nope/app?command=ls&output=1', 404, 'pod does not exist'],
        ['/exec/default/web/other-uid/app?command=ls&output=1', 404, 'pod does not exist'],
        ['/exec/default/web/stopped?command=ls&output=1', 500, 'container not found ("stopped")'],
        ['/exec/default/web/gone?command=ls&output=1', 404, 'container "gone" not found'],
        ['/portForward/default/web/other-uid', 404, 'pod not found'],
      ];
      for (const [path, status, text] of cases) {
        const res = await rawRequest(agent.port, admin, spdy('POST', path));
        assert.equal(res.status, status, path);
        await once(res.socket, 'close');
        assert.equal(res.rest().toString(), text, path);
      }
    });

    it('refuses upgrades from non-admins before asking the runtime', async () => {
      const n = calls.length;
      const res = await rawRequest(agent.port, alice, spdy('POST', '/exec/default/web/app?command=ls&output=1'));
      assert.equal(res.status, 403);
      await once(res.socket, 'close');
      assert.equal(res.rest().toString(), 'Forbidden (user=alice, verb=create, resource=nodes, subresource(s)=[proxy])\n');
      assert.equal(calls.length, n);
    });

    it('answers a plain request to a streaming path as upstream: Upgrade request required', async () => {
      const r = await api(agent.port, admin, 'POST', '/exec/default/web/app?command=ls&output=1');
      assert.deepEqual([r.status, r.text], [500, 'Upgrade request required\n']);
    });
  });

  it('cuts open streams when it closes', async () => {
    const res = await rawRequest(agent.port, admin, ['POST /exec/default/web/app?command=sh&input=1 HTTP/1.1', 'Host: x', 'Connection: Upgrade', 'Upgrade: SPDY/3.1', '', ''].join('\r\n'));
    assert.equal(res.status, 101);
    const closed = once(res.socket, 'close');
    await agent.close();
    await closed;
  });
});
