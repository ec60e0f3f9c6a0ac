import { strict as assert } from 'node:assert';
import { Server, ServerCredentials, type handleUnaryCall, type Metadata } from '@grpc/grpc-js';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../../test/helpers/free-port.js';
import { decodeHealthCheckResponse, encodeHealthCheckRequest, grpcProbe } from './grpc-probe.js';
import { probe } from './prober.js';
import { systemTimers } from './timers.js';
import { hostExecSync } from './host-exec.js';

/** HealthCheckRequest decoding and HealthCheckResponse encoding for the test server. */
const decodeRequest = (b: Buffer): { service: string } => ({ service: b.length === 0 ? '' : b.subarray(2, 2 + (b[1] ?? 0)).toString('utf8') });
const encodeResponse = (status: number): Buffer => Buffer.from([0x08, status]);

describe('grpc probe', () => {
  let server: Server;
  let port = 0;
  let lastUserAgent = '';
  before(async () => {
    server = new Server();
    const check: handleUnaryCall<{ service: string }, number> = (call, cb) => {
      lastUserAgent = String((call.metadata as Metadata).get('user-agent')[0] ?? '');
      const svc = call.request.service;
      if (svc === 'slow') setTimeout(() => cb(null, 1), 3000).unref();
      else cb(null, svc === 'down' ? 2 : 1);
    };
    server.register('/grpc.health.v1.Health/Check', check, encodeResponse, decodeRequest, 'unary');
    port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  });
  after(() => server.forceShutdown());

  it('codes the health messages', () => {
    assert.deepEqual(encodeHealthCheckRequest(''), Buffer.alloc(0));
    assert.deepEqual(encodeHealthCheckRequest('db'), Buffer.from([0x0a, 2, 0x64, 0x62]));
    assert.equal(decodeHealthCheckResponse(Buffer.from([0x08, 2])), 2);
    assert.equal(decodeHealthCheckResponse(Buffer.alloc(0)), 0);
  });

  it('succeeds when the service is SERVING, with kube-probe as user agent', async () => {
    assert.deepEqual(await grpcProbe('127.0.0.1', port, '', 1000, 'kube-probe/1.33'), { result: 'success', output: 'service healthy' });
    assert.match(lastUserAgent, /^kube-probe\/1\.33/);
  });

  it('fails when the service is not serving', async () => {
    assert.deepEqual(await grpcProbe('127.0.0.1', port, 'down', 1000, 'kube-probe/1.33'), { result: 'failure', output: 'service unhealthy (responded with "NOT_SERVING")' });
  });

  it('fails when the answer does not come within the timeout', async () => {
    assert.deepEqual(await grpcProbe('127.0.0.1', port, 'slow', 1000, 'kube-probe/1.33'), { result: 'failure', output: 'timeout: health rpc did not complete within 1s' });
  });

  it('fails when nothing listens', async () => {
    const p = await freePort();
    assert.deepEqual(await grpcProbe('127.0.0.1', p, '', 500, 'kube-probe/1.33'), { result: 'failure', output: `timeout: failed to connect service "127.0.0.1:${p}" within 500ms: context deadline exceeded` });
  });

  it('runs as the grpc probe of a container, on the pod IP', async () => {
    const events: string[] = [];
    const deps = { exec: hostExecSync, kubeVersion: 'v1.33.0', timers: systemTimers, recordEvent: (_p: unknown, c: string, reason: string, m: string) => events.push(`${c} ${reason} ${m}`) };
    const base = { initialDelaySeconds: 0, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 };
    const t = { pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'g', namespace: 'default', uid: 'u' } }, container: { name: 'api' }, containerId: 'c1', podIP: '127.0.0.1' };
    assert.deepEqual(await probe(deps, 'Readiness', { ...base, grpc: { port } }, t), { result: 'Success', output: 'service healthy' });
    assert.deepEqual(await probe(deps, 'Liveness', { ...base, grpc: { port, service: 'down' } }, t), { result: 'Failure', output: 'service unhealthy (responded with "NOT_SERVING")' });
    assert.deepEqual(events, ['api Unhealthy Liveness probe failed: service unhealthy (responded with "NOT_SERVING")']);
  });

  it('fails on a server without the health service', async () => {
    const bare = new Server();
    const p = await new Promise<number>((resolve, reject) => bare.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, n) => (e ? reject(e) : resolve(n))));
    try {
      const r = await grpcProbe('127.0.0.1', p, '', 1000, 'kube-probe/1.33');
      assert.equal(r.result, 'failure');
      assert.match(r.output, /^error: this server does not implement the grpc health protocol \(grpc\.health\.v1\.Health\): /);
    } finally {
      bare.forceShutdown();
    }
  });
});
