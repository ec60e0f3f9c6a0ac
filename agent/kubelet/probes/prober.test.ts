import { strict as assert } from 'node:assert';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ContainerSpec, Pod } from '../pod-deps.js';
import { hostExecSync } from './host-exec.js';
import { probe, type ProberDeps } from './prober.js';
import { httpRequestFor, probeSpecOf, resolveContainerPort, type ProbeSpec } from './probe-target.js';
import { systemTimers } from './timers.js';

const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' } };

function spec(p: Partial<ProbeSpec>): ProbeSpec {
  return { initialDelaySeconds: 0, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3, ...p };
}

function deps(events: string[] = []): ProberDeps {
  return { exec: hostExecSync, kubeVersion: 'v1.33.0+skiff.0.1.0', timers: systemTimers, recordEvent: (_p, c, reason, msg) => events.push(`${c} ${reason} ${msg}`) };
}

describe('probe targets', () => {
  const c: ContainerSpec = { name: 'web', ports: [{ name: 'http', containerPort: 8080 }] };
  it('resolves a named container port, a number and a number written as a string', () => {
    assert.equal(resolveContainerPort('http', c), 8080);
    assert.equal(resolveContainerPort(81, c), 81);
    assert.equal(resolveContainerPort('82', c), 82);
  });
  it('rejects an unknown port name and an out-of-range port with upstream messages', () => {
    assert.throws(() => resolveContainerPort('nope', c), /strconv.Atoi: parsing "nope": invalid syntax/);
    assert.throws(() => resolveContainerPort(70000, c), /invalid port number: 70000/);
    assert.throws(() => resolveContainerPort(0, c), /invalid port number: 0/);
  });
  it('builds the URL from the pod IP, adds a leading slash and the default headers', () => {
    const r = httpRequestFor({ port: 'http', path: 'healthz?x=1', httpHeaders: [{ name: 'x-custom', value: 'a' }, { name: 'X-Custom', value: 'b' }] }, c, '10.42.0.7', 'probe', 'v1.33.0+skiff.0.1.0');
    assert.equal(r.url, 'http://10.42.0.7:8080/healthz?x=1');
    assert.deepEqual(r.headers.get('X-Custom'), ['a', 'b']);
    assert.deepEqual(r.headers.get('User-Agent'), ['kube-probe/1.33']);
    assert.deepEqual(r.headers.get('Accept'), ['*/*']);
  });
  it('keeps a user-given User-Agent and drops an Accept header given empty', () => {
    const r = httpRequestFor({ port: 80, scheme: 'HTTPS', host: 'fd00::1', httpHeaders: [{ name: 'User-Agent', value: 'me' }, { name: 'Accept', value: '' }] }, c, '10.0.0.1', 'lifecycle', 'v1.33.0');
    assert.equal(r.url, 'https://[fd00::1]:80');
    assert.deepEqual(r.headers.get('User-Agent'), ['me']);
    assert.equal(r.headers.has('Accept'), false);
  });
  it('applies the API defaults to a probe spec', () => {
    const s = probeSpecOf({ name: 'x', livenessProbe: { tcpSocket: { port: 80 } } }, 'Liveness');
    assert.deepEqual([s?.timeoutSeconds, s?.periodSeconds, s?.successThreshold, s?.failureThreshold, s?.initialDelaySeconds], [1, 10, 1, 3, 0]);
    assert.equal(probeSpecOf({ name: 'x' }, 'Readiness'), undefined);
  });
});

describe('httpGet probe', () => {
  let server: Server;
  let port = 0;
  let lastHeaders: IncomingHttpHeaders = {};
  before(async () => {
    server = createServer((req, res) => {
      lastHeaders = req.headers;
      const u = new URL(req.url ?? '/', 'http://x');
      const answer = (code: number, body = '', location?: string): void => {
        res.statusCode = code;
        if (location) res.setHeader('Location', location);
        res.end(body);
      };
      switch (u.pathname) {
        case '/ok': return answer(200, 'fine');
        case '/fail': return answer(500, 'broken');
        case '/hop': return answer(302, '', '/ok');
        case '/away': return answer(301, 'moved', `http://localhost:${port}/fail`);
        case '/loop': return answer(307, '', '/loop');
        case '/slow': return void setTimeout(() => res.end('late'), 3000).unref();
        case '/big': return answer(200, 'x'.repeat(1 << 20));
        default: return answer(404);
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const target = (path: string, events: string[] = []): Promise<unknown> =>
    probe(deps(events), 'Liveness', spec({ httpGet: { port, path } }), { pod, container: { name: 'web' }, containerId: 'c1', podIP: '127.0.0.1' });

  it('succeeds on 200 and sends kube-probe/<major.minor> as User-Agent', async () => {
    assert.deepEqual(await target('/ok'), { result: 'Success', output: 'fine' });
    assert.equal(lastHeaders['user-agent'], 'kube-probe/1.33');
    assert.equal(lastHeaders.accept, '*/*');
  });
  it('fails on 500 with the upstream message and records an Unhealthy event', async () => {
    const events: string[] = [];
    assert.deepEqual(await target('/fail', events), { result: 'Failure', output: 'HTTP probe failed with statuscode: 500' });
    assert.deepEqual(events, ['web Unhealthy Liveness probe failed: HTTP probe failed with statuscode: 500']);
  });
  it('follows a redirect to the same host', async () => {
    assert.deepEqual(await target('/hop'), { result: 'Success', output: 'fine' });
  });
  it('does not follow a redirect to another host: success with a ProbeWarning', async () => {
    const events: string[] = [];
    assert.deepEqual(await target('/away', events), { result: 'Success', output: 'Probe terminated redirects, Response body: moved' });
    assert.deepEqual(events, ['web ProbeWarning Liveness probe warning: Probe terminated redirects, Response body: moved']);
  });
  it('fails after 10 redirects', async () => {
    assert.deepEqual(await target('/loop'), { result: 'Failure', output: `Get "http://127.0.0.1:${port}/loop": stopped after 10 redirects` });
  });
  it('fails when the answer takes longer than timeoutSeconds', async () => {
    const t0 = Date.now();
    const r = (await target('/slow')) as { result: string; output: string };
    assert.equal(r.result, 'Failure');
    assert.match(r.output, /context deadline exceeded \(Client.Timeout exceeded while awaiting headers\)/);
    assert.ok(Date.now() - t0 < 2500);
  });
  it('reads at most 10 KiB of the body', async () => {
    const r = (await target('/big')) as { result: string; output: string };
    assert.equal(r.result, 'Success');
    assert.equal(r.output.length, 10 * 1024);
  });
  it('fails with Go dial wording when nothing listens', async () => {
    const closed = createNetServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const p = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await probe(deps(), 'Readiness', spec({ httpGet: { port: p, path: '/' } }), { pod, container: { name: 'web' }, containerId: 'c1', podIP: '127.0.0.1' });
    assert.deepEqual(r, { result: 'Failure', output: `Get "http://127.0.0.1:${p}/": dial tcp 127.0.0.1:${p}: connect: connection refused` });
  });
  it('errors (and so keeps the previous state) on a port name the container lacks', async () => {
    const events: string[] = [];
    const r = await probe(deps(events), 'Readiness', spec({ httpGet: { port: 'metrics' } }), { pod, container: { name: 'web' }, containerId: 'c1', podIP: '127.0.0.1' });
    assert.deepEqual(r, { error: 'strconv.Atoi: parsing "metrics": invalid syntax' });
    assert.deepEqual(events, ['web Unhealthy Readiness probe errored and resulted in unknown state: strconv.Atoi: parsing "metrics": invalid syntax']);
  });
});

describe('tcpSocket probe', () => {
  it('succeeds when the port accepts and fails with connection refused when it does not', async () => {
    const srv = createNetServer((s) => s.end());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const p = (srv.address() as AddressInfo).port;
    const t = { pod, container: { name: 'db' }, containerId: 'c1', podIP: '127.0.0.1' };
    assert.deepEqual(await probe(deps(), 'Liveness', spec({ tcpSocket: { port: p } }), t), { result: 'Success', output: '' });
    await new Promise<void>((r) => srv.close(() => r()));
    assert.deepEqual(await probe(deps(), 'Liveness', spec({ tcpSocket: { port: p } }), t), { result: 'Failure', output: `dial tcp 127.0.0.1:${p}: connect: connection refused` });
  });
});

describe('exec probe', () => {
  const t = { pod, container: { name: 'app' }, containerId: 'c1', podIP: undefined };
  it('succeeds on exit 0', async () => {
    assert.deepEqual(await probe(deps(), 'Liveness', spec({ exec: { command: ['sh', '-c', 'echo ok'] } }), t), { result: 'Success', output: 'ok\n' });
  });
  it('fails on a non-zero exit with stdout and stderr as the output', async () => {
    const events: string[] = [];
    const r = await probe(deps(events), 'Liveness', spec({ exec: { command: ['sh', '-c', 'echo out; echo "cat: cannot open" >&2; exit 1'] } }), t);
    assert.deepEqual(r, { result: 'Failure', output: 'out\ncat: cannot open\n' });
    assert.deepEqual(events, ['app Unhealthy Liveness probe failed: out\ncat: cannot open\n']);
  });
  it('fails with "timed out" when the command outlives timeoutSeconds', async () => {
    const r = await probe(deps(), 'Readiness', spec({ exec: { command: ['sleep', '5'] }, timeoutSeconds: 1 }), t);
    assert.deepEqual(r, { result: 'Failure', output: 'command "sleep 5" timed out' });
  });
});
