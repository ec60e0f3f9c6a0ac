import { strict as assert } from 'node:assert';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRunHook } from './lifecycle-hooks.js';
import type { ContainerSpec, Pod, RunHook } from './pod-deps.js';
import { hostExecSync } from './probes/host-exec.js';
import { ManualTimers } from './probes/timers.js';

const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'default', uid: 'u-1' } };
const runtime = { execSync: hostExecSync };
const hooks = createRunHook({ kubeVersion: 'v1.33.0+skiff.0.1.0' });
const withHook = (hook: string, handler: Record<string, unknown>, more: Record<string, unknown> = {}): ContainerSpec => ({ name: 'web', lifecycle: { [hook]: handler }, ...more });

describe('lifecycle hooks', () => {
  let server: Server;
  let port = 0;
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  before(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      res.statusCode = req.url === '/500' ? 500 : 200;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('is a RunHook for the kubelet', () => {
    const asRunHook: RunHook = hooks;
    assert.equal(typeof asRunHook, 'function');
  });

  it('does nothing for a container without the hook', async () => {
    assert.equal(await hooks(pod, { name: 'web' }, 'c1', 'postStart', '127.0.0.1', runtime), undefined);
  });

  it('runs an exec hook and succeeds on exit 0', async () => {
    assert.equal(await hooks(pod, withHook('postStart', { exec: { command: ['sh', '-c', 'echo hi'] } }), 'c1', 'postStart', undefined, runtime), undefined);
  });

  it('reports a failing exec hook in upstream words', async () => {
    const msg = await hooks(pod, withHook('preStop', { exec: { command: ['sh', '-c', 'echo out; echo bad >&2; exit 3'] } }), 'c1', 'preStop', undefined, runtime);
    assert.equal(msg, `Exec lifecycle hook ([sh -c echo out; echo bad >&2; exit 3]) for Container "web" in Pod "web-0_default(u-1)" failed - error: command 'sh -c echo out; echo bad >&2; exit 3' exited with 3: bad\n, message: "out\\nbad\\n"`);
  });

  it('sends an httpGet hook to the pod IP on a named port with kube-lifecycle as User-Agent, ignoring the status code', async () => {
    const c = withHook('postStart', { httpGet: { path: '/500', port: 'http' } }, { ports: [{ name: 'http', containerPort: port }] });
    assert.equal(await hooks(pod, c, 'c1', 'postStart', '127.0.0.1', runtime), undefined);
    const last = seen[seen.length - 1];
    assert.equal(last?.url, '/500');
    assert.equal(last?.headers['user-agent'], 'kube-lifecycle/1.33');
  });

  it('retries an HTTPS hook over HTTP when the server speaks HTTP', async () => {
    const n = seen.length;
    assert.equal(await hooks(pod, withHook('preStop', { httpGet: { path: '/tls', port, scheme: 'HTTPS' } }), 'c1', 'preStop', '127.0.0.1', runtime), undefined);
    assert.equal(seen.length, n + 1);
  });

  it('reports an unreachable httpGet hook', async () => {
    const s = createNetServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const p = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const msg = await hooks(pod, withHook('preStop', { httpGet: { path: '/stop', port: p } }), 'c1', 'preStop', '127.0.0.1', runtime);
    assert.equal(msg, `HTTP lifecycle hook (/stop) for Container "web" in Pod "web-0_default(u-1)" failed - error: Get "http://127.0.0.1:${p}/stop": dial tcp 127.0.0.1:${p}: connect: connection refused`);
  });

  it('sleeps for a sleep hook', async () => {
    const timers = new ManualTimers();
    const sleepy = createRunHook({ kubeVersion: 'v1.33.0', timers });
    let done = false;
    const p = sleepy(pod, withHook('preStop', { sleep: { seconds: 5 } }), 'c1', 'preStop', undefined, runtime).then((r) => ((done = true), r));
    await timers.advance(4000);
    assert.equal(done, false);
    await timers.advance(1000);
    assert.equal(await p, undefined);
    assert.equal(done, true);
  });

  it('refuses a tcpSocket hook as upstream does', async () => {
    const msg = await hooks(pod, withHook('postStart', { tcpSocket: { port: 80 } }), 'c1', 'postStart', '127.0.0.1', runtime);
    assert.equal(msg, 'Cannot run handler: invalid handler: &LifecycleHandler{Exec:nil,HTTPGet:nil,TCPSocket:&TCPSocketAction{Port:{0 80 },Host:,},Sleep:nil,}');
  });
});
