import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../control-plane/api/meta.js';
import { FakeRuntime } from '../cri/fake-runtime.js';
import type { PodSandboxConfig } from '../cri/runtime.js';
import { CriImagePuller } from './image-puller.js';
import { ContainerStartError, type ContainerSpec, type Pod } from './pod-deps.js';

const sandbox: PodSandboxConfig = { metadata: { name: 'p', uid: 'u1', namespace: 'ns', attempt: 0 }, hostname: 'p', logDirectory: '', portMappings: [], labels: {}, annotations: {} };

function setup(secrets: KubeObject[] = []) {
  const clock = { t: Date.parse('2026-11-28T12:00:00Z'), now() { return new Date(this.t); } };
  const runtime = new FakeRuntime({ clock });
  const puller = new CriImagePuller({
    runtime,
    source: { getSecret: async (ns, name) => secrets.find((s) => s.metadata.namespace === ns && s.metadata.name === name) },
    clock,
  });
  return { clock, runtime, puller };
}

function pod(extra: Record<string, unknown> = {}): Pod {
  return { metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [], ...extra } };
}

async function rejectsWith(p: Promise<unknown>, reason: string, message: RegExp | string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ContainerStartError, String(e));
    assert.equal(e.reason, reason);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

describe('CriImagePuller', () => {
  it('uses a present image for IfNotPresent without pulling', async () => {
    const { runtime, puller } = setup();
    const id = runtime.addImage('localhost/busybox:1.0');
    const c: ContainerSpec = { name: 'c', image: 'localhost/busybox:1.0', imagePullPolicy: 'IfNotPresent' };
    assert.equal(await puller.ensureImage(pod(), c, sandbox), id);
    assert.equal(runtime.callsOf('pullImage').length, 0);
  });

  it('pulls on Always even when present, and defaults an untagged image to :latest with policy Always', async () => {
    const { runtime, puller } = setup();
    runtime.addImage('localhost/app:1');
    runtime.allowPull('localhost/app:1');
    runtime.allowPull('localhost/app:latest');
    await puller.ensureImage(pod(), { name: 'c', image: 'localhost/app:1', imagePullPolicy: 'Always' }, sandbox);
    runtime.addImage('localhost/app:latest');
    await puller.ensureImage(pod(), { name: 'c', image: 'localhost/app' }, sandbox);
    assert.deepEqual(runtime.callsOf('pullImage').map((args) => args[0]), ['localhost/app:1', 'localhost/app:latest']);
  });

  it('fails Never with an absent image as ErrImageNeverPull', async () => {
    const { puller } = setup();
    await rejectsWith(
      puller.ensureImage(pod(), { name: 'c', image: 'localhost/nope:1', imagePullPolicy: 'Never' }, sandbox),
      'ErrImageNeverPull',
      'Container image "localhost/nope:1" is not present with pull policy of Never',
    );
  });

  it('reports ErrImagePull with the runtime error, then ImagePullBackOff for 10 s doubling to 5 min', async () => {
    const { clock, runtime, puller } = setup();
    const c: ContainerSpec = { name: 'c', image: 'localhost/missing:1', imagePullPolicy: 'IfNotPresent' };
    await rejectsWith(puller.ensureImage(pod(), c, sandbox), 'ErrImagePull', /failed to pull and unpack image "localhost\/missing:1".*not found/);
    await rejectsWith(puller.ensureImage(pod(), c, sandbox), 'ImagePullBackOff', 'Back-off pulling image "localhost/missing:1"');
    clock.t += 10_000;
    await rejectsWith(puller.ensureImage(pod(), c, sandbox), 'ErrImagePull', /not found/);
    clock.t += 19_000;
    await rejectsWith(puller.ensureImage(pod(), c, sandbox), 'ImagePullBackOff', /Back-off/);
    clock.t += 1_000;
    await rejectsWith(puller.ensureImage(pod(), c, sandbox), 'ErrImagePull', /not found/);
    for (let i = 0; i < 6; i++) {
      clock.t += 300_000;
      await rejectsWith(puller.ensureImage(pod(), c, sandbox), 'ErrImagePull', /not found/);
    }
    assert.equal(puller.backoff.get('u1_localhost/missing:1'), 300_000);
    assert.equal(runtime.callsOf('pullImage').length, 9);
    runtime.allowPull('localhost/missing:1');
    clock.t += 300_000;
    assert.match(await puller.ensureImage(pod(), c, sandbox), /^sha256:/);
  });

  it('pulls with the matching imagePullSecret as auth, with the endpoint as serverAddress', async () => {
    const secret: KubeObject = {
      metadata: { namespace: 'ns', name: 'regcred' },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths: { '127.0.0.1:5000': { username: 'u', password: 'p' } } })).toString('base64') },
    };
    const { runtime, puller } = setup([secret]);
    runtime.allowPull('127.0.0.1:5000/busybox:1.0', { auth: { username: 'u', password: 'p' } });
    const p = pod({ imagePullSecrets: [{ name: 'missing' }, { name: 'regcred' }] });
    await puller.ensureImage(p, { name: 'c', image: '127.0.0.1:5000/busybox:1.0' }, sandbox);
    const auth = runtime.callsOf('pullImage')[0]?.[1];
    assert.deepEqual(auth, { username: 'u', password: 'p', auth: Buffer.from('u:p').toString('base64'), serverAddress: 'http://127.0.0.1:5000' });
  });

  it('fails an authenticated registry without credentials as ErrImagePull', async () => {
    const { runtime, puller } = setup();
    runtime.allowPull('127.0.0.1:5000/private:1', { auth: { username: 'u', password: 'p' } });
    await rejectsWith(puller.ensureImage(pod(), { name: 'c', image: '127.0.0.1:5000/private:1' }, sandbox), 'ErrImagePull', /401 Unauthorized/);
  });
});

describe('CriImagePuller events', () => {
  it('hands upstream image events to onEvent', async () => {
    const clock = { t: Date.parse('2026-11-28T12:00:00Z'), now() { return new Date(this.t); } };
    const runtime = new FakeRuntime({ clock });
    const events: string[] = [];
    const puller = new CriImagePuller({ runtime, source: { getSecret: async () => undefined }, clock, onEvent: (_p, _c, e) => events.push(`${e.type} ${e.reason}: ${e.message}`) });
    runtime.addImage('localhost/here:1');
    runtime.allowPull('localhost/remote:1', { size: '1234' });
    await puller.ensureImage(pod(), { name: 'c', image: 'localhost/here:1' }, sandbox);
    await puller.ensureImage(pod(), { name: 'c', image: 'localhost/remote:1' }, sandbox);
    await assert.rejects(puller.ensureImage(pod(), { name: 'c', image: 'localhost/gone:1' }, sandbox));
    await assert.rejects(puller.ensureImage(pod(), { name: 'c', image: 'localhost/gone:1' }, sandbox));
    await assert.rejects(puller.ensureImage(pod(), { name: 'c', image: 'localhost/gone:2', imagePullPolicy: 'Never' }, sandbox));
    assert.equal(events[0], 'Normal Pulled: Container image "localhost/here:1" already present on machine');
    assert.equal(events[1], 'Normal Pulling: Pulling image "localhost/remote:1"');
    assert.equal(events[2], 'Normal Pulled: Successfully pulled image "localhost/remote:1" in 0s (0s including waiting). Image size: 1234 bytes.');
    assert.equal(events[3], 'Normal Pulling: Pulling image "localhost/gone:1"');
    assert.match(events[4] ?? '', /^Warning Failed: Failed to pull image "localhost\/gone:1": .*not found/);
    assert.equal(events[5], 'Normal BackOff: Back-off pulling image "localhost/gone:1"');
    assert.equal(events[6], 'Warning ErrImageNeverPull: Container image "localhost/gone:2" is not present with pull policy of Never');
  });

  it('formats durations as Go does', async () => {
    const { goDuration } = await import('./image-puller.js');
    assert.equal(goDuration(104.5), '104.5ms');
    assert.equal(goDuration(1200), '1.2s');
    assert.equal(goDuration(123_500), '2m3.5s');
  });
});
