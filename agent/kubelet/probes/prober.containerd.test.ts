/**
 * Probes and lifecycle hooks against real containerd: exec probes through
 * CRI ExecSync (exit codes, output, timeout), httpGet and tcpSocket probes
 * to a busybox httpd on the pod IP, the ProbeManager on real timers, and
 * postStart/preStop hooks inside the container. Skips when containerd is
 * not installed (or not root).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BUSYBOX_IMAGE, containerdSkipReason, startTestContainerd, type TestContainerd } from '../../../test/helpers/containerd.js';
import { tempDir, type TempDir } from '../../../test/helpers/temp-dir.js';
import { createRuntime } from '../../cri/create-runtime.js';
import type { PodSandboxConfig, Runtime } from '../../cri/runtime.js';
import { createRunHook } from '../lifecycle-hooks.js';
import type { ContainerSpec, Pod } from '../pod-deps.js';
import { probe, type ProberDeps } from './prober.js';
import { ProbeManager } from './prober-manager.js';
import type { ProbeSpec } from './probe-target.js';
import { systemTimers } from './timers.js';

const skip = containerdSkipReason();

describe('probes and hooks on containerd', { skip }, () => {
  let ctd: TestContainerd;
  let runtime: Runtime;
  let tmp: TempDir;
  let sandboxId = '';
  let containerId = '';
  let podIP = '';
  const container: ContainerSpec = {
    name: 'web',
    image: BUSYBOX_IMAGE,
    ports: [{ name: 'http', containerPort: 8080 }],
    command: ['sh', '-c', 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www'],
  };
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'probed', namespace: 'default', uid: 'probe-uid-1' }, spec: { containers: [container] }, status: { phase: 'Running' } };
  const spec = (p: Partial<ProbeSpec>): ProbeSpec => ({ initialDelaySeconds: 0, timeoutSeconds: 1, periodSeconds: 1, successThreshold: 1, failureThreshold: 3, ...p });
  let deps: ProberDeps;
  const target = (): { pod: Pod; container: ContainerSpec; containerId: string; podIP: string } => ({ pod, container, containerId, podIP });

  before(async () => {
    ctd = await startTestContainerd();
    runtime = createRuntime(ctd.endpoint);
    deps = { exec: runtime.execSync.bind(runtime), kubeVersion: 'v1.33.0', timers: systemTimers };
    tmp = tempDir('skiff-probes-');
    const sandboxConfig: PodSandboxConfig = {
      metadata: { name: 'probed', uid: 'probe-uid-1', namespace: 'default', attempt: 0 },
      hostname: 'probed',
      logDirectory: join(tmp.path, 'logs'),
      portMappings: [],
      labels: { 'skiff.dev/managed': 'true' },
      annotations: {},
      linux: { cgroupParent: '' },
    };
    sandboxId = await runtime.runPodSandbox(sandboxConfig);
    podIP = (await runtime.podSandboxStatus(sandboxId)).network?.ip ?? '';
    containerId = await runtime.createContainer(
      sandboxId,
      { metadata: { name: 'web', attempt: 0 }, image: { image: BUSYBOX_IMAGE }, command: container.command as string[], args: [], workingDir: '', envs: [], mounts: [], labels: {}, annotations: {}, logPath: 'web/0.log', stdin: false, stdinOnce: false, tty: false },
      sandboxConfig,
    );
    await runtime.startContainer(containerId);
    // Wait for httpd to listen.
    for (let i = 0; i < 50; i++) {
      const r = await probe(deps, 'Readiness', spec({ tcpSocket: { port: 8080 } }), target());
      if ('result' in r && r.result === 'Success') break;
      await new Promise((res) => setTimeout(res, 100));
    }
  });

  after(async () => {
    try {
      if (sandboxId) {
        await runtime.stopPodSandbox(sandboxId).catch(() => undefined);
        await runtime.removePodSandbox(sandboxId).catch(() => undefined);
      }
    } finally {
      runtime?.close();
      await ctd?.stop();
      tmp?.remove();
    }
  });

  it('runs exec probes in the container: exit 0 succeeds, a failing command fails with its output', async () => {
    assert.ok(podIP);
    assert.deepEqual(await probe(deps, 'Liveness', spec({ exec: { command: ['cat', '/www/index.html'] } }), target()), { result: 'Success', output: 'ok\n' });
    assert.deepEqual(await probe(deps, 'Liveness', spec({ exec: { command: ['cat', '/nope'] } }), target()), { result: 'Failure', output: "cat: can't open '/nope': No such file or directory\n" });
  });

  it('fails an exec probe that outlives timeoutSeconds', async () => {
    const t0 = Date.now();
    const r = await probe(deps, 'Liveness', spec({ exec: { command: ['sleep', '10'] }, timeoutSeconds: 1 }), target());
    assert.deepEqual(r, { result: 'Failure', output: 'command "sleep 10" timed out' });
    assert.ok(Date.now() - t0 < 4000, 'the runtime enforces the timeout');
  });

  it('probes httpGet and tcpSocket on the pod IP', async () => {
    assert.deepEqual(await probe(deps, 'Readiness', spec({ httpGet: { port: 'http', path: '/index.html' } }), target()), { result: 'Success', output: 'ok\n' });
    assert.deepEqual(await probe(deps, 'Readiness', spec({ httpGet: { port: 8080, path: '/missing' } }), target()), { result: 'Failure', output: 'HTTP probe failed with statuscode: 404' });
    assert.deepEqual(await probe(deps, 'Liveness', spec({ tcpSocket: { port: 8080 } }), target()), { result: 'Success', output: '' });
    assert.deepEqual(await probe(deps, 'Liveness', spec({ tcpSocket: { port: 8081 } }), target()), { result: 'Failure', output: `dial tcp ${podIP}:8081: connect: connection refused` });
  });

  it('drives readiness and liveness through the manager on real timers', async () => {
    const probed: Pod = {
      ...pod,
      spec: { containers: [{ ...container, readinessProbe: { httpGet: { port: 8080, path: '/' }, periodSeconds: 1 }, livenessProbe: { exec: { command: ['test', '-f', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 2 } }] },
    };
    const mgr = new ProbeManager({ exec: runtime.execSync.bind(runtime), kubeVersion: 'v1.33.0', random: () => 0 });
    const unhealthy: string[] = [];
    mgr.onUnhealthy((_u, name, id, msg) => unhealthy.push(`${name} ${id === containerId} ${msg}`));
    try {
      mgr.update(probed, new Map([['web', { id: containerId, startedAt: new Date() }]]), podIP);
      const end = Date.now() + 5000;
      while ((mgr.isReady('probe-uid-1', 'web', containerId) !== true || unhealthy.length === 0) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      assert.equal(mgr.isReady('probe-uid-1', 'web', containerId), true);
      assert.deepEqual(unhealthy, ['web true Liveness probe failed: ']);
    } finally {
      mgr.stop();
      await mgr.whenIdle();
    }
  });

  it('runs postStart exec and httpGet hooks, and reports a failing one in upstream words', async () => {
    const hooks = createRunHook({ kubeVersion: 'v1.33.0' });
    const withHooks: ContainerSpec = { ...container, lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo hooked > /tmp/hook'] } }, preStop: { httpGet: { port: 'http', path: '/index.html' } } } };
    assert.equal(await hooks(pod, withHooks, containerId, 'postStart', podIP, runtime), undefined);
    assert.equal((await runtime.execSync(containerId, ['cat', '/tmp/hook'], 5)).stdout.toString(), 'hooked\n');
    assert.equal(await hooks(pod, withHooks, containerId, 'preStop', podIP, runtime), undefined);
    const failing: ContainerSpec = { ...container, lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo nope >&2; exit 2'] } } } };
    assert.equal(
      await hooks(pod, failing, containerId, 'preStop', podIP, runtime),
      `Exec lifecycle hook ([sh -c echo nope >&2; exit 2]) for Container "web" in Pod "probed_default(probe-uid-1)" failed - error: command 'sh -c echo nope >&2; exit 2' exited with 2: nope\n, message: "nope\\n"`,
    );
  });
});
