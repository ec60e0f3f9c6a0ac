import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computePodActions } from './pod-actions.js';
import { containerHash } from './cri-labels.js';
import type { ContainerSpec, Pod } from './pod-deps.js';
import type { ContainerRunState, ObservedContainer, PodRuntimeState } from './runtime-state.js';

const app: ContainerSpec = { name: 'app', image: 'localhost/busybox:1.0' };
const side: ContainerSpec = { name: 'side', image: 'localhost/busybox:1.0' };

function pod(spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): Pod {
  return { metadata: { name: 'p', namespace: 'default', uid: 'u1', ...meta }, spec: { containers: [app], restartPolicy: 'Always', ...spec } };
}

let seq = 0;
function ctr(spec: ContainerSpec, state: ContainerRunState, extra: Partial<ObservedContainer> = {}): ObservedContainer {
  seq++;
  return {
    id: `c${seq}`,
    sandboxId: 's1',
    name: spec.name,
    attempt: 0,
    state,
    createdAt: 1000 - seq,
    startedAt: 1,
    finishedAt: state === 'exited' ? 2 : 0,
    exitCode: 0,
    reason: '',
    message: '',
    image: spec.image ?? '',
    imageRef: 'sha256:x',
    hash: containerHash(spec),
    restartCount: 0,
    logPath: '',
    annotations: {},
    ...extra,
  };
}

function state(containers: ObservedContainer[], sandbox: { ready?: boolean; ips?: string[]; attempt?: number } | null = {}): PodRuntimeState {
  return {
    uid: 'u1',
    sandboxes: sandbox ? [{ id: 's1', attempt: sandbox.attempt ?? 0, ready: sandbox.ready ?? true, createdAt: 1, ips: sandbox.ips ?? ['10.42.0.5'] }] : [],
    containers,
  };
}

describe('computePodActions', () => {
  it('creates a sandbox and starts every container for a new pod', () => {
    const a = computePodActions(pod({ containers: [app, side] }), state([], null));
    assert.equal(a.createSandbox, true);
    assert.equal(a.killPod, false);
    assert.equal(a.attempt, 0);
    assert.deepEqual(a.containersToStart, ['app', 'side']);
  });

  it('starts only the first init container with a new sandbox', () => {
    const a = computePodActions(pod({ initContainers: [{ name: 'i1' }, { name: 'i2' }] }), state([], null));
    assert.deepEqual(a.initContainersToStart, ['i1']);
    assert.deepEqual(a.containersToStart, []);
  });

  it('kills the pod and recreates the sandbox with the next attempt when the sandbox died', () => {
    const a = computePodActions(pod(), state([ctr(app, 'running')], { ready: false, attempt: 2 }));
    assert.equal(a.killPod, true);
    assert.equal(a.createSandbox, true);
    assert.equal(a.attempt, 3);
    assert.deepEqual(a.containersToStart, ['app']);
  });

  it('recreates a pod-network sandbox that has no IP, but not a hostNetwork one', () => {
    assert.equal(computePodActions(pod(), state([ctr(app, 'running')], { ips: [] })).createSandbox, true);
    assert.equal(computePodActions(pod({ hostNetwork: true }), state([ctr(app, 'running')], { ips: [] })).createSandbox, false);
  });

  it('does not give a restartPolicy Never pod that already ran a new sandbox', () => {
    const a = computePodActions(pod({ restartPolicy: 'Never' }), state([ctr(app, 'exited', { exitCode: 1 })], { ready: false }));
    assert.equal(a.createSandbox, false);
    assert.equal(a.killPod, true);
  });

  it('with OnFailure and a new sandbox, does not start containers that succeeded', () => {
    const a = computePodActions(
      pod({ restartPolicy: 'OnFailure', containers: [app, side] }),
      state([ctr(app, 'exited', { exitCode: 0 }), ctr(side, 'exited', { exitCode: 1 })], { ready: false }),
    );
    assert.equal(a.createSandbox, true);
    assert.deepEqual(a.containersToStart, ['side']);
  });

  it('keeps a running container and does nothing else', () => {
    const a = computePodActions(pod(), state([ctr(app, 'running')]));
    assert.deepEqual(a, { killPod: false, createSandbox: false, sandboxId: 's1', attempt: 0, initContainersToStart: [], containersToStart: [], containersToKill: [] });
  });

  it('restarts an exited container under Always, only a failed one under OnFailure, none under Never', () => {
    const exited0 = [ctr(app, 'exited', { exitCode: 0 })];
    const exited1 = [ctr(app, 'exited', { exitCode: 1 })];
    assert.deepEqual(computePodActions(pod(), state(exited0)).containersToStart, ['app']);
    assert.deepEqual(computePodActions(pod({ restartPolicy: 'OnFailure' }), state(exited1)).containersToStart, ['app']);
    const done = computePodActions(pod({ restartPolicy: 'OnFailure' }), state(exited0));
    assert.deepEqual(done.containersToStart, []);
    assert.equal(done.killPod, true);
    const never = computePodActions(pod({ restartPolicy: 'Never' }), state(exited1));
    assert.deepEqual(never.containersToStart, []);
    assert.equal(never.killPod, true);
  });

  it('starts a container left in the created state whatever the policy', () => {
    assert.deepEqual(computePodActions(pod({ restartPolicy: 'Never' }), state([ctr(app, 'created')])).containersToStart, ['app']);
  });

  it('kills a container in unknown state before starting it again', () => {
    const c = ctr(app, 'unknown');
    const a = computePodActions(pod(), state([c]));
    assert.deepEqual(a.containersToStart, ['app']);
    assert.deepEqual(a.containersToKill.map((k) => [k.id, k.reason]), [[c.id, 'Unknown']]);
  });

  it('restarts a container whose spec changed, even under Never', () => {
    const c = ctr(app, 'running', { hash: 'old' });
    const a = computePodActions(pod({ restartPolicy: 'Never' }), state([c]));
    assert.deepEqual(a.containersToStart, ['app']);
    assert.deepEqual(a.containersToKill, [{ id: c.id, name: 'app', reason: '', message: 'Container app definition changed, will be restarted' }]);
  });

  it('kills a container failing liveness and restarts it unless the policy is Never', () => {
    const c = ctr(app, 'running');
    const unhealthy = new Map([[c.id, 'liveness' as const]]);
    const a = computePodActions(pod(), state([c]), { unhealthy });
    assert.deepEqual(a.containersToStart, ['app']);
    assert.deepEqual(a.containersToKill, [{ id: c.id, name: 'app', reason: 'LivenessProbe', message: 'Container app failed liveness probe, will be restarted' }]);
    const n = computePodActions(pod({ restartPolicy: 'Never' }), state([c]), { unhealthy });
    assert.deepEqual(n.containersToStart, []);
    assert.equal(n.containersToKill[0]?.message, 'Container app failed liveness probe');
    assert.equal(n.killPod, true);
  });

  it('kills a container failing its startup probe with reason StartupProbe', () => {
    const c = ctr(app, 'running');
    const a = computePodActions(pod(), state([c]), { unhealthy: new Map([[c.id, 'startup' as const]]) });
    assert.equal(a.containersToKill[0]?.reason, 'StartupProbe');
  });

  it('runs init containers one at a time and in order before the containers', () => {
    const p = pod({ initContainers: [{ name: 'i1' }, { name: 'i2' }] });
    const i1 = { name: 'i1' };
    assert.deepEqual(computePodActions(p, state([ctr(i1, 'running')])), {
      killPod: false, createSandbox: false, sandboxId: 's1', attempt: 0, initContainersToStart: [], containersToStart: [], containersToKill: [],
    });
    assert.deepEqual(computePodActions(p, state([ctr(i1, 'exited')])).initContainersToStart, ['i2']);
    const done = computePodActions(p, state([ctr({ name: 'i2' }, 'exited'), ctr(i1, 'exited')]));
    assert.deepEqual(done.initContainersToStart, []);
    assert.deepEqual(done.containersToStart, ['app']);
  });

  it('restarts a failed init container, or kills the pod when the policy is Never', () => {
    const i1 = { name: 'i1' };
    const failed = state([ctr(i1, 'exited', { exitCode: 3 })]);
    assert.deepEqual(computePodActions(pod({ initContainers: [i1] }), failed).initContainersToStart, ['i1']);
    const never = computePodActions(pod({ initContainers: [i1], restartPolicy: 'Never' }), failed);
    assert.equal(never.killPod, true);
    assert.deepEqual(never.initContainersToStart, []);
    assert.deepEqual(never.containersToStart, []);
  });

  it('does not rerun init containers once a regular container has run', () => {
    const p = pod({ initContainers: [{ name: 'i1' }] });
    const a = computePodActions(p, state([ctr(app, 'exited', { exitCode: 1 })]));
    assert.deepEqual(a.initContainersToStart, []);
    assert.deepEqual(a.containersToStart, ['app']);
  });

  it('starts a sidecar and waits for it to be started before the next init container', () => {
    const sc = { name: 'sc', restartPolicy: 'Always' };
    const p = pod({ initContainers: [sc, { name: 'i2' }] });
    assert.deepEqual(computePodActions(p, state([])).initContainersToStart, ['sc']);
    const running = ctr(sc, 'running');
    const waiting = computePodActions(p, state([running]), { isStarted: () => false });
    assert.deepEqual(waiting.initContainersToStart, []);
    assert.deepEqual(computePodActions(p, state([running]), { isStarted: () => true }).initContainersToStart, ['i2']);
  });

  it('restarts a stopped sidecar without holding back running containers, and does not keep a finished pod alive with it', () => {
    const sc = { name: 'sc', restartPolicy: 'Always' };
    const p = pod({ initContainers: [sc] });
    const a = computePodActions(p, state([ctr(sc, 'exited', { exitCode: 1 }), ctr(app, 'running')]));
    assert.deepEqual(a.initContainersToStart, ['sc']);
    assert.equal(a.killPod, false);
    const fin = computePodActions({ ...p, spec: { ...p.spec, restartPolicy: 'Never' } }, state([ctr(sc, 'running'), ctr(app, 'exited')]));
    assert.equal(fin.killPod, true);
    assert.deepEqual(fin.initContainersToStart, []);
  });
});
