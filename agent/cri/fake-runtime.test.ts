/**
 * FakeRuntime's test helpers and injected time. Its CRI semantics are
 * checked against containerd by test/conformance/runtime-suite.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { FakeRuntime } from './fake-runtime.js';
import { CONTAINER_EXITED, CONTAINER_RUNNING, isRuntimeError, type ContainerConfig, type PodSandboxConfig } from './runtime.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

/** A fake on a manual clock whose waits advance the clock at once. */
function manualFake(): { fake: FakeRuntime; advanced: () => number } {
  let now = T0;
  const fake = new FakeRuntime({
    clock: { now: () => new Date(now) },
    sleep: (ms) => (ms === Infinity ? new Promise<void>(() => undefined) : Promise.resolve().then(() => void (now += ms))),
  });
  return { fake, advanced: () => now - T0 };
}

const podConfig = (logDirectory = ''): PodSandboxConfig => ({
  metadata: { name: 'p', uid: 'u', namespace: 'ns', attempt: 0 },
  hostname: 'p',
  logDirectory,
  portMappings: [],
  labels: {},
  annotations: {},
});

const containerConfig = (script: string, image = 'localhost/busybox:1.0', pidOwn = true): ContainerConfig => ({
  metadata: { name: 'c', attempt: 0 },
  image: { image },
  command: ['sh', '-c', script],
  args: [],
  workingDir: '',
  envs: [],
  mounts: [],
  labels: {},
  annotations: {},
  logPath: 'c/0.log',
  stdin: false,
  stdinOnce: false,
  tty: false,
  linux: pidOwn ? { securityContext: { namespaceOptions: { network: 0, pid: 1, ipc: 0 } } } : undefined,
});

async function running(fake: FakeRuntime, script: string, logDirectory = ''): Promise<string> {
  fake.addImage('localhost/busybox:1.0');
  const pod = await fake.runPodSandbox(podConfig(logDirectory));
  const id = await fake.createContainer(pod, containerConfig(script), podConfig(logDirectory));
  await fake.startContainer(id);
  return id;
}

describe('FakeRuntime', () => {
  it('ends a running container with exitContainer (code, reason) and oomKill (137 OOMKilled)', async () => {
    const fake = new FakeRuntime();
    const a = await running(fake, 'sleep 3600');
    fake.exitContainer(a, 2);
    const sa = await fake.containerStatus(a);
    assert.deepEqual([sa.state, sa.exitCode, sa.reason], [CONTAINER_EXITED, 2, 'Error']);

    const pod = (await fake.listPodSandbox())[0]!.id;
    const b = await fake.createContainer(pod, { ...containerConfig('sleep 3600'), metadata: { name: 'b', attempt: 0 } }, podConfig());
    await fake.startContainer(b);
    fake.oomKill(b);
    const sb = await fake.containerStatus(b);
    assert.deepEqual([sb.state, sb.exitCode, sb.reason], [CONTAINER_EXITED, 137, 'OOMKilled']);
  });

  it('waits a stop timeout on the injected sleep and stamps times from the injected clock', async () => {
    const { fake, advanced } = manualFake();
    const id = await running(fake, 'sleep infinity'); // (this clock would run a finite sleep out at once)
    await fake.stopContainer(id, 30);
    assert.equal(advanced(), 30_000);
    const s = await fake.containerStatus(id);
    assert.equal(s.exitCode, 137);
    assert.equal(BigInt(s.finishedAt) - BigInt(s.startedAt), 30_000_000_000n);
    assert.equal(s.startedAt, String(BigInt(T0) * 1_000_000n));
  });

  it('runs a container script to its end on the injected clock', async () => {
    const { fake, advanced } = manualFake();
    const id = await running(fake, 'sleep 5; exit 4');
    await new Promise((r) => setImmediate(r));
    const s = await fake.containerStatus(id);
    assert.deepEqual([s.state, s.exitCode], [CONTAINER_EXITED, 4]);
    assert.equal(advanced(), 5000);
  });

  it('pulls only what a registry has, with the credentials it asks for', async () => {
    const fake = new FakeRuntime();
    fake.allowPull('busybox:1', {});
    fake.allowPull('127.0.0.1:5000/private:1', { auth: { username: 'u', password: 'p' } });
    fake.failPull('127.0.0.1:5000/broken:1', 'failed to pull and unpack image: unexpected EOF');

    const ref = await fake.pullImage('busybox:1');
    const img = await fake.imageStatus('docker.io/library/busybox:1');
    assert.equal(img?.id, ref);
    assert.match(img?.repoDigests[0] ?? '', /^docker\.io\/library\/busybox@sha256:[0-9a-f]{64}$/);

    await assert.rejects(fake.pullImage('127.0.0.1:5000/private:1'), (e: unknown) => isRuntimeError(e, 'UNKNOWN') && /401 Unauthorized/.test(e.message));
    await assert.rejects(fake.pullImage('127.0.0.1:5000/private:1', { username: 'u', password: 'wrong' }), /401/);
    await fake.pullImage('127.0.0.1:5000/private:1', { username: 'u', password: 'p' });
    await fake.pullImage('127.0.0.1:5000/private:1', { auth: Buffer.from('u:p').toString('base64') });
    await assert.rejects(fake.pullImage('127.0.0.1:5000/broken:1'), /unexpected EOF/);
    await assert.rejects(fake.pullImage('nothing:1'), (e: unknown) => isRuntimeError(e, 'NOT_FOUND') && /docker\.io\/library\/nothing:1: not found/.test(e.message));
    assert.deepEqual(
      fake.callsOf('pullImage').map((a) => a[0]),
      ['busybox:1', '127.0.0.1:5000/private:1', '127.0.0.1:5000/private:1', '127.0.0.1:5000/private:1', '127.0.0.1:5000/private:1', '127.0.0.1:5000/broken:1', 'nothing:1'],
    );
  });

  it('reports a pulled image by its repo digest in container status, an imported one by its id', async () => {
    const fake = new FakeRuntime();
    fake.allowPull('localhost:5000/web:1');
    await fake.pullImage('localhost:5000/web:1');
    const imported = fake.addImage('localhost/busybox:1.0');
    const pod = await fake.runPodSandbox(podConfig());
    const a = await fake.createContainer(pod, containerConfig('true', 'localhost:5000/web:1'), podConfig());
    const b = await fake.createContainer(pod, { ...containerConfig('true'), metadata: { name: 'b', attempt: 0 } }, podConfig());
    assert.match((await fake.containerStatus(a)).imageRef, /^localhost:5000\/web@sha256:/);
    assert.equal((await fake.containerStatus(b)).imageRef, imported);
  });

  it('answers execSync from scripts first, then from the shell model', async () => {
    const fake = new FakeRuntime();
    const id = await running(fake, 'sleep 3600');
    fake.scriptExec((_id, cmd) => (cmd[0] === 'cat' && cmd[1] === '/tmp/healthy' ? { stdout: Buffer.from('ok'), stderr: Buffer.alloc(0), exitCode: 0 } : undefined));
    assert.equal((await fake.execSync(id, ['cat', '/tmp/healthy'], 1)).stdout.toString(), 'ok');
    assert.equal((await fake.execSync(id, ['sh', '-c', 'exit 1'], 1)).exitCode, 1);
  });

  it('fails the next call of a method with injectError, and every call when unavailable', async () => {
    const fake = new FakeRuntime();
    fake.injectError('runPodSandbox', { code: 'UNKNOWN', desc: 'failed to setup network for sandbox: plugin type="bridge" failed' });
    await assert.rejects(fake.runPodSandbox(podConfig()), /rpc error: code = Unknown desc = failed to setup network/);
    const pod = await fake.runPodSandbox(podConfig());
    assert.equal((await fake.podSandboxStatus(pod)).state, 0);

    fake.setAvailable(false);
    await assert.rejects(fake.version(), (e: unknown) => isRuntimeError(e, 'UNAVAILABLE'));
    await assert.rejects(fake.listContainers(), (e: unknown) => isRuntimeError(e, 'UNAVAILABLE'));
    fake.setAvailable(true);
    assert.deepEqual(await fake.listContainers(), []);
  });

  it('reports runtime conditions set by the test', async () => {
    const fake = new FakeRuntime();
    fake.setCondition('NetworkReady', false, 'NetworkPluginNotReady', 'cni plugin not initialized');
    const net = (await fake.status()).find((c) => c.type === 'NetworkReady');
    assert.deepEqual(net, { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'cni plugin not initialized' });
  });

  it('writes writeLog output as CRI lines, a partial last line as P', async () => {
    const dir = tempDir('skiff-fake-log-');
    try {
      const fake = new FakeRuntime({ clock: { now: () => new Date(T0 + 500) } });
      const id = await running(fake, 'sleep 3600', dir.path);
      fake.writeLog(id, 'stderr', 'one\ntwo');
      assert.equal(readFileSync(join(dir.path, 'c/0.log'), 'utf8'), '2026-01-01T00:00:00.5Z stderr F one\n2026-01-01T00:00:00.5Z stderr P two\n');
    } finally {
      dir.remove();
    }
  });

  it('records every call with its arguments, in order', async () => {
    const fake = new FakeRuntime();
    const id = await running(fake, 'sleep 3600');
    assert.equal((await fake.containerStatus(id)).state, CONTAINER_RUNNING);
    assert.deepEqual(fake.calls.map((c) => c.method), ['runPodSandbox', 'createContainer', 'startContainer', 'containerStatus']);
    assert.deepEqual(fake.callsOf('startContainer'), [[id]]);
  });
});
