import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRuntime } from '../cri/fake-runtime.js';
import type { ContainerStatus, PodSandboxConfig } from '../cri/runtime.js';
import { fingerprint, logTail, RuntimeObserver, terminationMessage } from './runtime-observer.js';

const dir = mkdtempSync(join(tmpdir(), 'observer-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function status(extra: Partial<ContainerStatus>): ContainerStatus {
  return {
    id: 'c1', metadata: { name: 'app', attempt: 0 }, state: 2, createdAt: '1', startedAt: '2', finishedAt: '3', exitCode: 1, image: { image: 'i' }, imageRef: 'r',
    reason: 'Error', message: '', labels: {}, annotations: {}, mounts: [], logPath: '', ...extra,
  };
}

describe('runtime observer', () => {
  it('reads the termination message from the host side of the termination-log mount', () => {
    const file = join(dir, 'termination-log');
    writeFileSync(file, 'bye: disk full');
    const st = status({ annotations: { 'io.kubernetes.container.terminationMessagePath': '/dev/termination-log' }, mounts: [{ containerPath: '/dev/termination-log', hostPath: file, readonly: false }] });
    assert.equal(terminationMessage(st), 'bye: disk full');
  });

  it('falls back to the end of the log for FallbackToLogsOnError when the container failed without a message', () => {
    const log = join(dir, '0.log');
    writeFileSync(log, '2026-11-28T12:00:00.1Z stdout F first\n2026-11-28T12:00:00.2Z stderr P part\n2026-11-28T12:00:00.3Z stderr F ial\n');
    const st = status({ annotations: { 'io.kubernetes.container.terminationMessagePolicy': 'FallbackToLogsOnError' }, logPath: log });
    assert.equal(terminationMessage(st), 'first\npartial');
    assert.equal(terminationMessage({ ...st, exitCode: 0 }), '');
    assert.equal(logTail(log, 1), 'partial');
  });

  it('groups managed sandboxes and containers by pod UID, newest first, and fingerprints their states', async () => {
    const rt = new FakeRuntime();
    rt.addImage('localhost/busybox:1.0');
    const labels = { 'io.kubernetes.pod.uid': 'u1', 'skiff.dev/managed': 'true' };
    const cfg: PodSandboxConfig = { metadata: { name: 'p', namespace: 'default', uid: 'u1', attempt: 0 }, hostname: 'p', logDirectory: '', portMappings: [], labels, annotations: {} };
    const sb = await rt.runPodSandbox(cfg);
    const id = await rt.createContainer(
      sb,
      { metadata: { name: 'app', attempt: 0 }, image: { image: 'localhost/busybox:1.0' }, command: ['sleep', 'infinity'], args: [], workingDir: '', envs: [], mounts: [], labels: { ...labels, 'io.kubernetes.container.name': 'app' }, annotations: { 'io.kubernetes.container.restartCount': '4', 'io.kubernetes.container.hash': 'abc' }, logPath: '', stdin: false, stdinOnce: false, tty: false },
      cfg,
    );
    await rt.startContainer(id);
    await rt.runPodSandbox({ ...cfg, metadata: { ...cfg.metadata, uid: 'other' }, labels: { 'io.kubernetes.pod.uid': 'other' } });
    const obs = new RuntimeObserver(rt);
    const all = await obs.relist();
    assert.deepEqual([...all.keys()], ['u1']);
    const st = all.get('u1')!;
    assert.equal(st.sandboxes[0]?.ready, true);
    assert.match(st.sandboxes[0]?.ips[0] ?? '', /^10\.88\.0\./);
    assert.deepEqual([st.containers[0]?.name, st.containers[0]?.state, st.containers[0]?.restartCount, st.containers[0]?.hash], ['app', 'running', 4, 'abc']);
    const before = fingerprint(st);
    const statusCalls = rt.callsOf('containerStatus').length;
    await obs.relist();
    assert.equal(rt.callsOf('containerStatus').length, statusCalls, 'an unchanged container is not asked again');
    rt.exitContainer(id, 2);
    const after1 = (await obs.podState('u1'));
    assert.equal(after1.containers[0]?.state, 'exited');
    assert.equal(after1.containers[0]?.exitCode, 2);
    assert.notEqual(fingerprint(after1), before);
  });
});
