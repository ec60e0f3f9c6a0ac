import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../meta.js';
import { podPrinter } from './pods.js';

const NOW = new Date('2025-01-01T12:00:00Z');
const CREATED = '2025-01-01T11:00:00Z';

function pod(spec: Record<string, unknown>, status: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'default', creationTimestamp: CREATED, ...meta },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
    status,
  };
}

const running = { running: { startedAt: '2025-01-01T11:01:00Z' } };
const readyCond = [
  { type: 'Initialized', status: 'True' },
  { type: 'Ready', status: 'True' },
];

function cells(p: KubeObject): unknown[] {
  return podPrinter.print(p, NOW).cells;
}

describe('pod printer', () => {
  test('columns are upstream names with wide extras at priority 1', () => {
    assert.deepEqual(
      podPrinter.columns.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ['Name', 'string', 'name', 0],
        ['Ready', 'string', '', 0],
        ['Status', 'string', '', 0],
        ['Restarts', 'string', '', 0],
        ['Age', 'string', '', 0],
        ['IP', 'string', '', 1],
        ['Node', 'string', '', 1],
        ['Nominated Node', 'string', '', 1],
        ['Readiness Gates', 'string', '', 1],
      ],
    );
  });

  test('a pending pod without statuses prints Pending, 0/1 and <none> wide cells', () => {
    assert.deepEqual(cells(pod({}, { phase: 'Pending' })), ['web-0', '0/1', 'Pending', '0', '60m', '<none>', '<none>', '<none>', '<none>']);
  });

  test('a waiting container prints its reason (ContainerCreating)', () => {
    const p = pod({ nodeName: 'node1' }, { phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] });
    assert.deepEqual(cells(p).slice(0, 4), ['web-0', '0/1', 'ContainerCreating', '0']);
    assert.equal(cells(p)[6], 'node1');
  });

  test('a running ready pod prints Running, 1/1, its IP and node', () => {
    const p = pod({ nodeName: 'node1' }, { phase: 'Running', podIP: '10.1.0.5', podIPs: [{ ip: '10.1.0.5' }], conditions: readyCond, containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }] });
    assert.deepEqual(cells(p), ['web-0', '1/1', 'Running', '0', '60m', '10.1.0.5', 'node1', '<none>', '<none>']);
  });

  test('CrashLoopBackOff with restarts prints the count and the age of the last termination', () => {
    const p = pod({}, {
      phase: 'Running',
      containerStatuses: [
        { name: 'app', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2025-01-01T11:55:00Z' } } },
      ],
    });
    assert.deepEqual(cells(p).slice(1, 4), ['0/1', 'CrashLoopBackOff', '3 (5m ago)']);
  });

  test('restarts take the latest finishedAt of all containers', () => {
    const p = pod({ containers: [{ name: 'a' }, { name: 'b' }] }, {
      phase: 'Running',
      conditions: readyCond,
      containerStatuses: [
        { name: 'a', ready: true, restartCount: 1, state: running, lastState: { terminated: { exitCode: 1, finishedAt: '2025-01-01T10:00:00Z' } } },
        { name: 'b', ready: true, restartCount: 2, state: running, lastState: { terminated: { exitCode: 1, finishedAt: '2025-01-01T11:58:00Z' } } },
      ],
    });
    assert.deepEqual(cells(p).slice(1, 4), ['2/2', 'Running', '3 (2m ago)']);
  });

  test('ImagePullBackOff and ErrImagePull print as the waiting reason', () => {
    for (const reason of ['ImagePullBackOff', 'ErrImagePull']) {
      const p = pod({}, { phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason, message: 'x' } } }] });
      assert.equal(cells(p)[2], reason);
    }
  });

  test('a succeeded pod prints Completed and carries the Completed row condition', () => {
    const p = pod({}, { phase: 'Succeeded', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] });
    const row = podPrinter.print(p, NOW);
    assert.deepEqual(row.cells.slice(1, 4), ['0/1', 'Completed', '0']);
    assert.deepEqual(row.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  });

  test('a failed pod prints Error and carries the failed row condition', () => {
    const p = pod({}, { phase: 'Failed', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } }] });
    const row = podPrinter.print(p, NOW);
    assert.equal(row.cells[2], 'Error');
    assert.equal(row.conditions?.[0]?.reason, 'Failed');
  });

  test('terminated containers without a reason print Signal:N or ExitCode:N', () => {
    const sig = pod({}, { phase: 'Failed', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 137, signal: 9 } } }] });
    assert.equal(cells(sig)[2], 'Signal:9');
    const code = pod({}, { phase: 'Failed', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 2 } } }] });
    assert.equal(cells(code)[2], 'ExitCode:2');
  });

  test('a deletion timestamp on a running pod prints Terminating; NodeLost prints Unknown', () => {
    const status = { phase: 'Running', conditions: readyCond, containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }] };
    assert.equal(cells(pod({}, status, { deletionTimestamp: '2025-01-01T11:59:00Z' }))[2], 'Terminating');
    assert.equal(cells(pod({}, { ...status, reason: 'NodeLost' }, { deletionTimestamp: '2025-01-01T11:59:00Z' }))[2], 'Unknown');
    // Terminal pods keep their status while deleted.
    assert.equal(cells(pod({}, { phase: 'Succeeded', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }, { deletionTimestamp: '2025-01-01T11:59:00Z' }))[2], 'Completed');
  });

  test('init containers in progress print Init:N/M', () => {
    const spec = { initContainers: [{ name: 'i1' }, { name: 'i2' }] };
    const p0 = pod(spec, {
      phase: 'Pending',
      initContainerStatuses: [
        { name: 'i1', ready: false, restartCount: 0, state: { running: {} } },
        { name: 'i2', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
      ],
      containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
    });
    assert.deepEqual(cells(p0).slice(1, 4), ['0/1', 'Init:0/2', '0']);
    const p1 = pod(spec, {
      phase: 'Pending',
      initContainerStatuses: [
        { name: 'i1', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        { name: 'i2', restartCount: 0, state: { running: {} } },
      ],
    });
    assert.equal(cells(p1)[2], 'Init:1/2');
  });

  test('a failed init container prints Init:Error and its restarts; a crash-looping one Init:CrashLoopBackOff', () => {
    const spec = { initContainers: [{ name: 'i1' }] };
    const err = pod(spec, { phase: 'Pending', initContainerStatuses: [{ name: 'i1', restartCount: 2, state: { terminated: { exitCode: 1, reason: 'Error' } }, lastState: { terminated: { exitCode: 1, finishedAt: '2025-01-01T11:59:30Z' } } }] });
    assert.deepEqual(cells(err).slice(2, 4), ['Init:Error', '2 (30s ago)']);
    const loop = pod(spec, { phase: 'Pending', initContainerStatuses: [{ name: 'i1', restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] });
    assert.deepEqual(cells(loop).slice(2, 4), ['Init:CrashLoopBackOff', '4']);
    const code = pod(spec, { phase: 'Pending', initContainerStatuses: [{ name: 'i1', restartCount: 0, state: { terminated: { exitCode: 3 } } }] });
    assert.equal(cells(code)[2], 'Init:ExitCode:3');
  });

  test('a completed container beside a running one prints Running, or NotReady without the Ready condition', () => {
    const status = {
      phase: 'Running',
      containerStatuses: [
        { name: 'a', ready: true, restartCount: 0, state: running },
        { name: 'b', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      ],
    };
    const spec = { containers: [{ name: 'a' }, { name: 'b' }] };
    assert.deepEqual(cells(pod(spec, { ...status, conditions: readyCond })).slice(1, 3), ['1/2', 'Running']);
    assert.deepEqual(cells(pod(spec, { ...status, conditions: [{ type: 'Ready', status: 'False' }] })).slice(1, 3), ['1/2', 'NotReady']);
  });

  test('sidecar init containers count as containers once started', () => {
    const p = pod({ initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] }, {
      phase: 'Running',
      conditions: readyCond,
      initContainerStatuses: [{ name: 'proxy', ready: true, started: true, restartCount: 1, state: running, lastState: { terminated: { exitCode: 1, finishedAt: '2025-01-01T11:50:00Z' } } }],
      containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }],
    });
    assert.deepEqual(cells(p).slice(1, 4), ['2/2', 'Running', '1 (10m ago)']);
  });

  test('status.reason (Evicted) and a scheduling gate override the phase', () => {
    assert.equal(cells(pod({}, { phase: 'Failed', reason: 'Evicted' }))[2], 'Evicted');
    assert.equal(cells(pod({}, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }))[2], 'SchedulingGated');
  });

  test('readiness gates print true gates of all declared', () => {
    const p = pod({ readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] }, { phase: 'Running', nominatedNodeName: 'n2', conditions: [{ type: 'example.com/lb', status: 'True' }] });
    assert.deepEqual(cells(p).slice(7), ['n2', '1/2']);
  });
});
