import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../control-plane/api/meta.js';
import { adoptPodRun, exitAfterSeconds, exitContainers, startPodRun, terminateForDeletion } from './pod-runtime.js';

const t0 = new Date('2026-11-28T10:00:00Z');
const t1 = new Date('2026-11-28T10:00:30Z');

function ids(): () => string {
  let n = 0;
  return () => `id${n++}`;
}

function pod(extra: Record<string, unknown> = {}, annotations: Record<string, string> = {}): KubeObject {
  return {
    metadata: { name: 'p', namespace: 'default', uid: 'u1', annotations },
    spec: {
      nodeName: 'sim-0',
      initContainers: [{ name: 'init', image: 'busybox' }, { name: 'side', image: 'envoy', restartPolicy: 'Always' }],
      containers: [{ name: 'app', image: 'nginx' }],
      ...extra,
    },
  };
}

describe('pod-runtime', () => {
  it('starts a pod with init containers completed, sidecars and containers running', () => {
    const run = startPodRun(pod(), '10.42.0.2', '10.200.0.1', t0, ids());
    assert.equal(run.phase, 'Running');
    assert.equal(run.podIP, '10.42.0.2');
    assert.deepEqual(run.init[0]?.terminated, { exitCode: 0, reason: 'Completed', startedAt: t0, finishedAt: t0, containerID: 'sim://id0' });
    assert.equal(run.init[1]?.terminated, undefined);
    assert.equal(run.containers[0]?.id, 'id2');
    assert.equal(run.containers[0]?.restartCount, 0);
  });

  it('reads exit-after as seconds and ignores what is not a non-negative number', () => {
    const a = 'sim.skiff.dev/exit-after';
    assert.equal(exitAfterSeconds(pod({}, { [a]: '2.5' }), a), 2.5);
    assert.equal(exitAfterSeconds(pod({}, { [a]: 'soon' }), a), undefined);
    assert.equal(exitAfterSeconds(pod({}, { [a]: '-1' }), a), undefined);
    assert.equal(exitAfterSeconds(pod(), a), undefined);
  });

  it('exit-after under restartPolicy Never ends the containers with 0 and the pod Succeeded', () => {
    const run = startPodRun(pod({ restartPolicy: 'Never' }), 'ip', 'h', t0, ids());
    exitContainers(run, 'Never', t1, ids());
    assert.equal(run.phase, 'Succeeded');
    assert.equal(run.containers[0]?.terminated?.exitCode, 0);
    assert.equal(run.containers[0]?.terminated?.reason, 'Completed');
    assert.equal(run.containers[0]?.terminated?.finishedAt, t1);
    assert.ok(run.init[1]?.terminated, 'sidecars stop with the pod');
  });

  it('exit-after under restartPolicy Always restarts the containers once: new ID, restartCount 1, lastState terminated', () => {
    const run = startPodRun(pod(), 'ip', 'h', t0, ids());
    const oldId = run.containers[0]!.id;
    exitContainers(run, 'Always', t1, () => 'fresh');
    const c = run.containers[0]!;
    assert.equal(run.phase, 'Running');
    assert.equal(run.exited, true);
    assert.equal(c.restartCount, 1);
    assert.equal(c.id, 'fresh');
    assert.equal(c.startedAt, t1);
    assert.deepEqual(c.last, { exitCode: 0, reason: 'Completed', startedAt: t0, finishedAt: t1, containerID: `sim://${oldId}` });
    assert.equal(c.terminated, undefined);
  });

  it('the end of a graceful deletion terminates what still runs and ends the pod Succeeded', () => {
    const run = startPodRun(pod(), 'ip', 'h', t0, ids());
    terminateForDeletion(run, t1);
    assert.equal(run.phase, 'Succeeded');
    assert.ok([...run.init, ...run.containers].every((c) => c.terminated?.exitCode === 0));
  });

  it('adopts a running pod from its status after a sim restart: IDs, start times, restart counts', () => {
    const p = pod();
    p.status = {
      phase: 'Running',
      podIP: '10.42.0.9',
      startTime: '2026-11-28T09:00:00Z',
      containerStatuses: [
        {
          name: 'app',
          containerID: 'sim://abc',
          restartCount: 1,
          state: { running: { startedAt: '2026-11-28T09:30:00Z' } },
          lastState: { terminated: { exitCode: 0, reason: 'Completed', startedAt: '2026-11-28T09:00:00Z', finishedAt: '2026-11-28T09:30:00Z', containerID: 'sim://old' } },
        },
      ],
    };
    const run = adoptPodRun(p, '10.42.0.9', 'h', t1, ids());
    const c = run.containers[0]!;
    assert.equal(c.id, 'abc');
    assert.equal(c.restartCount, 1);
    assert.equal(c.startedAt.toISOString(), '2026-11-28T09:30:00.000Z');
    assert.equal(c.last?.containerID, 'sim://old');
    assert.equal(run.startTime.toISOString(), '2026-11-28T09:00:00.000Z');
    assert.equal(run.exited, true, 'a restarted container already had its exit');
  });
});
