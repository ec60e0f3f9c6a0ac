/**
 * GrpcRuntime against an in-process CRI server (@grpc/grpc-js on a unix
 * socket, the same proto): field mapping, error translation, deadlines,
 * idempotent removals and the onCall hook. Real containerd is covered by
 * test/conformance/runtime-containerd.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync, type ServiceDefinition } from '@grpc/proto-loader';
import { criProtoPath, IMAGE_SERVICE, RUNTIME_SERVICE } from './cri-proto.js';
import { createRuntime } from './create-runtime.js';
import { GrpcRuntime } from './grpc-runtime.js';
import { isRuntimeError, type RuntimeErrorCode } from './runtime.js';

type Handler = (req: Record<string, unknown>) => object | grpc.ServiceError | 'hang';

const notFound = (details: string): grpc.ServiceError => Object.assign(new Error(details), { code: grpc.status.NOT_FOUND, details, metadata: new grpc.Metadata() });

describe('GrpcRuntime', () => {
  let dir: string;
  let server: grpc.Server;
  let endpoint: string;
  const requests: { method: string; req: Record<string, unknown> }[] = [];
  const handlers = new Map<string, Handler>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'skiff-grpc-cri-'));
    endpoint = `unix://${join(dir, 'cri.sock')}`;
    const def = loadSync(criProtoPath(), { keepCase: false, longs: String, enums: Number, defaults: true });
    server = new grpc.Server();
    for (const service of [RUNTIME_SERVICE, IMAGE_SERVICE]) {
      const svc = def[service] as ServiceDefinition;
      const impl: grpc.UntypedServiceImplementation = {};
      for (const name of Object.keys(svc)) {
        impl[name] = (call: grpc.ServerUnaryCall<Record<string, unknown>, object>, cb: grpc.sendUnaryData<object>) => {
          requests.push({ method: name, req: call.request });
          const h = handlers.get(name);
          const out = h ? h(call.request) : { code: grpc.status.UNIMPLEMENTED, details: `unknown method ${name}` };
          if (out === 'hang') return;
          if ('code' in out) cb(out as grpc.ServiceError);
          else cb(null, out);
        };
      }
      server.addService(svc, impl);
    }
    await new Promise<void>((resolve, reject) => server.bindAsync(endpoint, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
  });

  after(() => {
    server.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  const lastRequest = (method: string): Record<string, unknown> | undefined => requests.filter((r) => r.method === method).at(-1)?.req;

  it('sends the v1 API version and maps the VersionResponse', async () => {
    handlers.set('Version', () => ({ version: '0.1.0', runtimeName: 'containerd', runtimeVersion: '1.6.20', runtimeApiVersion: 'v1' }));
    const rt = new GrpcRuntime(endpoint);
    try {
      assert.deepEqual(await rt.version(), { version: '0.1.0', runtimeName: 'containerd', runtimeVersion: '1.6.20', runtimeApiVersion: 'v1' });
      assert.equal(lastRequest('Version')?.version, 'v1');
    } finally {
      rt.close();
    }
  });

  it('keeps int64 nanosecond timestamps exact as strings and fills unset message fields', async () => {
    handlers.set('ListContainers', () => ({
      containers: [{ id: 'c1', podSandboxId: 's1', metadata: { name: 'web', attempt: 3 }, state: 1, createdAt: '1795868086866060887', labels: { a: 'b' }, imageRef: 'sha256:x', imageId: 'extra' }],
    }));
    const rt = new GrpcRuntime(endpoint);
    try {
      const list = await rt.listContainers({ podSandboxId: 's1', state: 1, labelSelector: { a: 'b' } });
      assert.deepEqual(list, [
        { id: 'c1', podSandboxId: 's1', metadata: { name: 'web', attempt: 3 }, image: { image: '', annotations: {} }, imageRef: 'sha256:x', state: 1, createdAt: '1795868086866060887', labels: { a: 'b' }, annotations: {} },
      ]);
      assert.deepEqual(lastRequest('ListContainers')?.filter, { id: '', state: { state: 1 }, podSandboxId: 's1', labelSelector: { a: 'b' } });
    } finally {
      rt.close();
    }
  });

  it('returns ExecSync output as Buffers and passes the timeout', async () => {
    handlers.set('ExecSync', () => ({ stdout: Buffer.from([0x68, 0x69, 0x0a, 0xff]), stderr: Buffer.from('e'), exitCode: 7 }));
    const rt = new GrpcRuntime(endpoint);
    try {
      const r = await rt.execSync('c1', ['cat', 'x'], 5);
      assert.deepEqual([r.stdout, r.stderr.toString(), r.exitCode], [Buffer.from([0x68, 0x69, 0x0a, 0xff]), 'e', 7]);
      assert.deepEqual(lastRequest('ExecSync'), { containerId: 'c1', cmd: ['cat', 'x'], timeout: '5' });
    } finally {
      rt.close();
    }
  });

  it('flattens stats and image fs usage (uint64 wrappers → decimal strings)', async () => {
    handlers.set('ListContainerStats', () => ({
      stats: [{ attributes: { id: 'c1', metadata: { name: 'web', attempt: 0 } }, cpu: { timestamp: '5', usageCoreNanoSeconds: { value: '18446744073709551615' } }, memory: { timestamp: '5', workingSetBytes: { value: '4096' } } }],
    }));
    handlers.set('ImageFsInfo', () => ({ imageFilesystems: [{ timestamp: '1', fsId: { mountpoint: '/var/lib/x' }, usedBytes: { value: '123' }, inodesUsed: { value: '9' } }] }));
    const rt = new GrpcRuntime(endpoint);
    try {
      const [s] = await rt.listContainerStats({ id: 'c1' });
      assert.deepEqual(s, {
        attributes: { id: 'c1', metadata: { name: 'web', attempt: 0 }, labels: {}, annotations: {} },
        cpu: { timestamp: '5', usageCoreNanoSeconds: '18446744073709551615' },
        memory: { timestamp: '5', workingSetBytes: '4096' },
      });
      assert.deepEqual(await rt.imageFsInfo(), [{ usedBytes: '123', inodesUsed: '9', mountpoint: '/var/lib/x' }]);
    } finally {
      rt.close();
    }
  });

  it('translates gRPC NOT_FOUND into RuntimeError NOT_FOUND with the grpc-go message text', async () => {
    handlers.set('ContainerStatus', () => notFound('an error occurred when try to find container "x": not found'));
    const rt = new GrpcRuntime(endpoint);
    try {
      await assert.rejects(rt.containerStatus('x'), (e: unknown) => {
        assert.ok(isRuntimeError(e, 'NOT_FOUND'));
        assert.equal(e.message, 'rpc error: code = NotFound desc = an error occurred when try to find container "x": not found');
        return true;
      });
    } finally {
      rt.close();
    }
  });

  it('treats NOT_FOUND from removals and StopPodSandbox as success', async () => {
    for (const m of ['RemoveContainer', 'RemovePodSandbox', 'StopPodSandbox', 'RemoveImage']) handlers.set(m, () => notFound('gone'));
    const rt = new GrpcRuntime(endpoint);
    try {
      await rt.removeContainer('c');
      await rt.removePodSandbox('s');
      await rt.stopPodSandbox('s');
      await rt.removeImage('i');
    } finally {
      rt.close();
    }
  });

  it('answers ImageStatus of an absent image with undefined', async () => {
    handlers.set('ImageStatus', (req) => ((req.image as { image: string }).image === 'here:1' ? { image: { id: 'sha256:a', repoTags: ['here:1'], size: '10' } } : {}));
    const rt = new GrpcRuntime(endpoint);
    try {
      assert.deepEqual(await rt.imageStatus('here:1'), { id: 'sha256:a', repoTags: ['here:1'], repoDigests: [], size: '10' });
      assert.equal(await rt.imageStatus('absent:1'), undefined);
    } finally {
      rt.close();
    }
  });

  it('gives up at the deadline with DEADLINE_EXCEEDED and reports every call to onCall', async () => {
    handlers.set('Status', () => 'hang');
    handlers.set('Version', () => ({ version: '0.1.0', runtimeName: 'r', runtimeVersion: '1', runtimeApiVersion: 'v1' }));
    const seen: [string, number, RuntimeErrorCode | undefined][] = [];
    const rt = new GrpcRuntime(endpoint, { requestTimeoutMs: 200, onCall: (m, ms, e) => seen.push([m, ms, e]) });
    try {
      await rt.version();
      const t0 = Date.now();
      await assert.rejects(rt.status(), (e: unknown) => isRuntimeError(e, 'DEADLINE_EXCEEDED'));
      assert.ok(Date.now() - t0 < 2000);
      assert.deepEqual(seen.map(([m, , e]) => [m, e]), [['Version', undefined], ['Status', 'DEADLINE_EXCEEDED']]);
      assert.ok(seen.every(([, ms]) => ms >= 0));
      assert.ok((seen[1]?.[1] ?? 0) >= 150, 'the failed call took about its deadline');
    } finally {
      rt.close();
    }
  });

  it('reports UNIMPLEMENTED as such', async () => {
    handlers.delete('ReopenContainerLog');
    const rt = new GrpcRuntime(endpoint);
    try {
      await assert.rejects(rt.reopenContainerLog('c'), (e: unknown) => isRuntimeError(e, 'UNIMPLEMENTED'));
    } finally {
      rt.close();
    }
  });

  it('is UNAVAILABLE when nothing listens on the socket', async () => {
    const rt = createRuntime(`unix://${join(dir, 'nobody.sock')}`);
    try {
      await assert.rejects(rt.version(), (e: unknown) => isRuntimeError(e, 'UNAVAILABLE'));
    } finally {
      rt.close();
    }
  });
});

describe('GrpcRuntime across a runtime restart', () => {
  it('is UNAVAILABLE while the runtime is down and serves again within seconds once it is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-grpc-cri-'));
    const endpoint = `unix://${join(dir, 'cri.sock')}`;
    const def = loadSync(criProtoPath(), { keepCase: false, longs: String, enums: Number, defaults: true });
    const serve = async (): Promise<grpc.Server> => {
      const server = new grpc.Server();
      server.addService(def[RUNTIME_SERVICE] as ServiceDefinition, {
        Version: (_call: grpc.ServerUnaryCall<object, object>, cb: grpc.sendUnaryData<object>) => cb(null, { version: '0.1.0', runtimeName: 'r', runtimeVersion: '1', runtimeApiVersion: 'v1' }),
      });
      await new Promise<void>((resolve, reject) => server.bindAsync(endpoint, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
      return server;
    };
    let server = await serve();
    const rt = new GrpcRuntime(endpoint);
    try {
      assert.equal((await rt.version()).runtimeName, 'r');
      server.forceShutdown();
      rmSync(join(dir, 'cri.sock'), { force: true });
      await assert.rejects(rt.version(), (e: unknown) => isRuntimeError(e, 'UNAVAILABLE'));
      await new Promise((r) => setTimeout(r, 1500)); // let the channel back off a few times
      server = await serve();
      const t0 = Date.now();
      for (;;) {
        try {
          await rt.version();
          break;
        } catch (e) {
          assert.ok(isRuntimeError(e, 'UNAVAILABLE'), String(e));
          assert.ok(Date.now() - t0 < 5000, 'reconnected within 5 s');
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    } finally {
      rt.close();
      server.forceShutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('createRuntime', () => {
  it('refuses endpoints that are not unix sockets, naming what is supported', () => {
    assert.throws(() => createRuntime('tcp://127.0.0.1:1234'), /unsupported scheme "tcp:\/\/".*unix:\/\/\/path\/to\/socket/);
    assert.throws(() => createRuntime('/run/containerd/containerd.sock'), /no scheme/);
    assert.throws(() => createRuntime('unix://relative.sock'), /absolute socket path/);
  });

  it('returns a gRPC runtime for unix:// endpoints without connecting yet', () => {
    const rt = createRuntime('unix:///nonexistent/containerd.sock');
    assert.ok(rt instanceof GrpcRuntime);
    rt.close();
  });
});
