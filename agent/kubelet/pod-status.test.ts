import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generatePodStatus, type ApiPodStatus, type StatusInput } from './pod-status.js';
import { computeQos } from './qos.js';
import type { Pod, ProbeResults } from './pod-deps.js';
import type { ContainerRunState, ObservedContainer, PodRuntimeState } from './runtime-state.js';

const NOW = new Date('2026-11-28T12:00:00Z');
const T0 = Date.parse('2026-11-28T11:00:00Z');

function pod(spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}): Pod {
  return {
    metadata: { name: 'p', namespace: 'default', uid: 'u1' },
    spec: { containers: [{ name: 'app', image: 'localhost/busybox:1.0' }], restartPolicy: 'Always', ...spec },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-11-28T10:00:00Z' }], ...status },
  };
}

let seq = 0;
function ctr(name: string, state: ContainerRunState, extra: Partial<ObservedContainer> = {}): ObservedContainer {
  seq++;
  return {
    id: `id${seq}`, sandboxId: 's1', name, attempt: 0, state, createdAt: T0 + 10_000 - seq, startedAt: T0 + 1000, finishedAt: state === 'exited' ? T0 + 5000 : 0,
    exitCode: 0, reason: '', message: '', image: 'localhost/busybox:1.0', imageRef: 'sha256:abc', hash: 'h', restartCount: 0, logPath: '', annotations: {}, ...extra,
  };
}

function rs(containers: ObservedContainer[], sandbox = true): PodRuntimeState {
  return { uid: 'u1', sandboxes: sandbox ? [{ id: 's1', attempt: 0, ready: true, createdAt: T0, ips: ['10.42.0.7'] }] : [], containers };
}

function gen(p: Pod, state: PodRuntimeState, extra: Partial<StatusInput> = {}): ApiPodStatus {
  return generatePodStatus({ pod: p, state, now: NOW, hostIPs: ['192.168.5.1'], ...extra });
}

function condition(s: ApiPodStatus, type: string): Record<string, unknown> | undefined {
  return s.conditions.find((c) => c.type === type) as Record<string, unknown> | undefined;
}

describe('pod status', () => {
  it('reports a pod whose container is being created as Pending with ContainerCreating', () => {
    const s = gen(pod(), rs([], false));
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(s.containerStatuses[0]?.state, { waiting: { reason: 'ContainerCreating' } });
    assert.equal(condition(s, 'PodReadyToStartContainers')?.status, 'False');
    assert.equal(condition(s, 'Ready')?.reason, 'ContainersNotReady');
    assert.equal(condition(s, 'Ready')?.message, 'containers with unready status: [app]');
    assert.equal(s.hostIP, '192.168.5.1');
    assert.equal(s.podIP, undefined);
  });

  it('reports a running pod as Running and Ready, with IPs, container ID, image ID and startTime', () => {
    const c = ctr('app', 'running');
    const s = gen(pod(), rs([c]));
    assert.equal(s.phase, 'Running');
    assert.deepEqual(s.containerStatuses, [
      {
        name: 'app', state: { running: { startedAt: '2026-11-28T11:00:01Z' } }, lastState: {}, ready: true, restartCount: 0,
        image: 'localhost/busybox:1.0', imageID: 'sha256:abc', containerID: `containerd://${c.id}`, started: true,
      },
    ]);
    for (const type of ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']) assert.equal(condition(s, type)?.status, 'True', type);
    assert.deepEqual(s.conditions.map((c) => c.type), ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
    assert.equal(condition(s, 'PodScheduled')?.lastTransitionTime, '2026-11-28T10:00:00Z');
    assert.deepEqual(s.podIPs, [{ ip: '10.42.0.7' }]);
    assert.equal(s.podIP, '10.42.0.7');
    assert.equal(s.startTime, '2026-11-28T12:00:00Z');
    assert.equal(s.qosClass, 'BestEffort');
  });

  it('keeps lastTransitionTime while a condition keeps its status, and stamps a change', () => {
    const first = gen(pod(), rs([ctr('app', 'running')]));
    const later = generatePodStatus({ pod: { ...pod(), status: first }, state: rs([ctr('app', 'running')]), now: new Date(NOW.getTime() + 60_000), hostIPs: ['192.168.5.1'] });
    assert.equal(condition(later, 'Ready')?.lastTransitionTime, '2026-11-28T12:00:00Z');
    const down = generatePodStatus({ pod: { ...pod(), status: first }, state: rs([ctr('app', 'exited', { exitCode: 1 })]), now: new Date(NOW.getTime() + 60_000), hostIPs: ['192.168.5.1'] });
    assert.equal(condition(down, 'Ready')?.lastTransitionTime, '2026-11-28T12:01:00Z');
    assert.equal(down.startTime, '2026-11-28T12:00:00Z');
  });

  it('shows a crashing container waiting in CrashLoopBackOff with its last termination, restart count and Running phase', () => {
    const newest = ctr('app', 'exited', { exitCode: 2, reason: 'Error', restartCount: 3 });
    const older = ctr('app', 'exited', { exitCode: 1, reason: 'Error', restartCount: 2 });
    const waiting = new Map([['app', { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=app pod=p_default(u1)' }]]);
    const s = gen(pod(), rs([newest, older]), { waiting });
    const cs = s.containerStatuses[0];
    assert.deepEqual(cs?.state, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=app pod=p_default(u1)' } });
    assert.deepEqual(cs?.lastState, {
      terminated: { exitCode: 2, reason: 'Error', startedAt: '2026-11-28T11:00:01Z', finishedAt: '2026-11-28T11:00:05Z', containerID: `containerd://${newest.id}` },
    });
    assert.equal(cs?.restartCount, 3);
    assert.equal(cs?.ready, false);
    assert.equal(s.phase, 'Running');
  });

  it('reports OOMKilled and the previous instance in lastState of a restarted container', () => {
    const s = gen(pod(), rs([ctr('app', 'running', { restartCount: 1 }), ctr('app', 'exited', { exitCode: 137, reason: 'OOMKilled' })]));
    assert.equal(s.containerStatuses[0]?.lastState.terminated?.reason, 'OOMKilled');
    assert.equal(s.containerStatuses[0]?.lastState.terminated?.exitCode, 137);
    assert.equal(s.containerStatuses[0]?.restartCount, 1);
  });

  it('derives Completed and Error when the runtime gives no reason, with the termination message', () => {
    const s = gen(pod({ restartPolicy: 'Never', containers: [{ name: 'a' }, { name: 'b' }] }), rs([ctr('a', 'exited', { exitCode: 0 }), ctr('b', 'exited', { exitCode: 4, message: 'boom' })]));
    assert.equal(s.containerStatuses[0]?.state.terminated?.reason, 'Completed');
    assert.equal(s.containerStatuses[1]?.state.terminated?.reason, 'Error');
    assert.equal(s.containerStatuses[1]?.state.terminated?.message, 'boom');
    assert.equal(s.phase, 'Failed');
    assert.equal(condition(s, 'Ready')?.reason, 'PodFailed');
  });

  it('gives Succeeded when every container exited 0 under OnFailure, and PodCompleted conditions', () => {
    const s = gen(pod({ restartPolicy: 'OnFailure' }), rs([ctr('app', 'exited')]));
    assert.equal(s.phase, 'Succeeded');
    assert.equal(condition(s, 'ContainersReady')?.reason, 'PodCompleted');
  });

  it('stays Running when an Always pod has all containers exited, and goes terminal once the kubelet is done', () => {
    const st = rs([ctr('app', 'exited', { exitCode: 143 })]);
    assert.equal(gen(pod(), st).phase, 'Running');
    assert.equal(gen(pod(), st, { podIsTerminal: true }).phase, 'Failed');
    assert.equal(gen(pod(), rs([ctr('app', 'exited')]), { podIsTerminal: true }).phase, 'Succeeded');
  });

  it('shows no waiting reason for a container that will not be started again', () => {
    const waiting = new Map([['app', { reason: 'CrashLoopBackOff', message: 'x' }]]);
    const s = gen(pod({ restartPolicy: 'Never' }), rs([ctr('app', 'exited', { exitCode: 1 })]), { waiting });
    assert.equal(s.containerStatuses[0]?.state.terminated?.exitCode, 1);
  });

  it('keeps waiting reasons for containers never created, like ErrImagePull', () => {
    const waiting = new Map([['app', { reason: 'ErrImagePull', message: 'not found' }]]);
    const s = gen(pod(), rs([]), { waiting });
    assert.deepEqual(s.containerStatuses[0]?.state, { waiting: { reason: 'ErrImagePull', message: 'not found' } });
    assert.equal(s.phase, 'Pending');
  });

  it('reports a container that vanished while running as terminated with ContainerStatusUnknown and counts a restart', () => {
    const old = { containerStatuses: [{ name: 'app', state: { running: { startedAt: '2026-11-28T11:00:01Z' } }, lastState: {}, ready: true, restartCount: 2, image: 'i', imageID: 'x', started: true }] };
    const s = gen(pod({}, old), rs([]));
    const cs = s.containerStatuses[0];
    assert.deepEqual(cs?.lastState, { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was deleted.  The container used to be Running' } });
    assert.equal(cs?.restartCount, 3);
    assert.equal(s.phase, 'Running');
  });

  it('fails a pod the kubelet failed, with its reason and message', () => {
    const s = gen(pod(), rs([ctr('app', 'exited', { exitCode: 0 })]), { podIsTerminal: true, failed: { reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' } });
    assert.deepEqual([s.phase, s.reason, s.message], ['Failed', 'DeadlineExceeded', 'Pod was active on the node longer than the specified deadline']);
    assert.equal(condition(s, 'Ready')?.reason, 'PodFailed');
  });

  it('never leaves a terminal phase', () => {
    assert.equal(gen(pod({}, { phase: 'Succeeded' }), rs([ctr('app', 'running')])).phase, 'Succeeded');
  });

  it('keeps the pod Pending and not Initialized while init containers run, with PodInitializing', () => {
    const p = pod({ initContainers: [{ name: 'i1', image: 'x' }, { name: 'i2', image: 'x' }] });
    const s = gen(p, rs([ctr('i1', 'exited'), ctr('i2', 'running')]));
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(s.containerStatuses[0]?.state, { waiting: { reason: 'PodInitializing' } });
    assert.equal(s.initContainerStatuses?.[0]?.ready, true);
    assert.equal(s.initContainerStatuses?.[1]?.ready, false);
    assert.deepEqual(condition(s, 'Initialized'), {
      type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [i2]', lastProbeTime: null, lastTransitionTime: '2026-11-28T12:00:00Z',
    });
    const done = gen(p, rs([ctr('app', 'running'), ctr('i2', 'exited'), ctr('i1', 'exited')]));
    assert.equal(done.phase, 'Running');
    assert.equal(condition(done, 'Initialized')?.status, 'True');
  });

  it('fails a restartPolicy Never pod whose init container failed', () => {
    const s = gen(pod({ restartPolicy: 'Never', initContainers: [{ name: 'i1' }] }), rs([ctr('i1', 'exited', { exitCode: 1 })]));
    assert.equal(s.phase, 'Failed');
  });

  it('follows readiness and startup probes', () => {
    const c = ctr('app', 'running');
    const p = pod({ containers: [{ name: 'app', image: 'i', readinessProbe: { exec: { command: ['true'] } }, startupProbe: { exec: { command: ['true'] } } }] });
    const probes = (ready: boolean | undefined, started: boolean | undefined): ProbeResults => ({ isReady: () => ready, isStarted: () => started });
    assert.equal(gen(p, rs([c]), { probes: probes(undefined, undefined) }).containerStatuses[0]?.ready, false);
    const notStarted = gen(p, rs([c]), { probes: probes(true, false) }).containerStatuses[0];
    assert.deepEqual([notStarted?.ready, notStarted?.started], [false, false]);
    const ok = gen(p, rs([c]), { probes: probes(true, true) });
    assert.deepEqual([ok.containerStatuses[0]?.ready, ok.containerStatuses[0]?.started], [true, true]);
    assert.equal(condition(ok, 'Ready')?.status, 'True');
  });

  it('holds Ready back for readiness gates and keeps their conditions', () => {
    const gate = { type: 'example.com/lb', status: 'False', lastTransitionTime: '2026-11-28T10:00:00Z' };
    const p = pod({ readinessGates: [{ conditionType: 'example.com/lb' }] }, { conditions: [gate] });
    const s = gen(p, rs([ctr('app', 'running')]));
    assert.equal(condition(s, 'Ready')?.reason, 'ReadinessGatesNotReady');
    assert.equal(condition(s, 'Ready')?.message, 'the status of pod readiness gate "example.com/lb" is not "True", but False');
    assert.equal(condition(s, 'ContainersReady')?.status, 'True');
    assert.deepEqual(condition(s, 'example.com/lb'), gate);
  });

  it('uses the node IPs as pod IPs on the host network and keeps old pod IPs when the sandbox is gone', () => {
    assert.equal(gen(pod({ hostNetwork: true }), rs([ctr('app', 'running')])).podIP, '192.168.5.1');
    const s = gen(pod({ restartPolicy: 'Never' }, { podIP: '10.42.0.9', podIPs: [{ ip: '10.42.0.9' }] }), rs([ctr('app', 'exited')], false));
    assert.equal(s.podIP, '10.42.0.9');
  });

  it('sorts container statuses by name and keeps init containers in spec order', () => {
    const s = gen(pod({ containers: [{ name: 'z' }, { name: 'a' }], initContainers: [{ name: 'y' }, { name: 'b' }] }), rs([]));
    assert.deepEqual(s.containerStatuses.map((c) => c.name), ['a', 'z']);
    assert.deepEqual(s.initContainerStatuses?.map((c) => c.name), ['y', 'b']);
  });
});

describe('qos class', () => {
  const withRes = (containers: Record<string, unknown>[]): Pod => ({ metadata: {}, spec: { containers } });
  it('is BestEffort without requests or limits', () => {
    assert.equal(computeQos(withRes([{ name: 'a' }])), 'BestEffort');
  });
  it('is Guaranteed when every container limits cpu and memory equal to its requests', () => {
    const r = { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '0.5', memory: '64Mi' } };
    assert.equal(computeQos(withRes([{ name: 'a', resources: r }, { name: 'b', resources: r }])), 'Guaranteed');
  });
  it('is Burstable when a container lacks a limit or requests differ', () => {
    assert.equal(computeQos(withRes([{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }, { name: 'b' }])), 'Burstable');
    assert.equal(computeQos(withRes([{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } } }])), 'Burstable');
  });
});
