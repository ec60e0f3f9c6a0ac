import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { desiredNodeStatus, isStopped, metadataDiffers, newNodeObject, nodeInternalIP, simNodeName, statusDiffers } from './node-object.js';

const cfg = { cpu: '8', memory: '32Gi', maxPods: 110, ephemeralStorage: '100Gi' };
const t0 = new Date('2026-11-28T10:00:00Z');
const t1 = new Date('2026-11-28T10:05:00Z');

describe('node-object', () => {
  it('names nodes prefix + index and gives each a distinct InternalIP from 10.200.0.0/16', () => {
    assert.equal(simNodeName('sim-', 7), 'sim-7');
    assert.equal(nodeInternalIP(0), '10.200.0.1');
    assert.equal(nodeInternalIP(255), '10.200.1.0');
    assert.equal(nodeInternalIP(4999), '10.200.19.136');
    assert.throws(() => nodeInternalIP(70_000));
  });

  it('registers a node with the kubelet labels, allocatable equal to capacity, Ready and no pressure', () => {
    const n = newNodeObject('sim-3', 3, cfg, 'boot', t0);
    assert.deepEqual(n.metadata.labels?.['kubernetes.io/hostname'], 'sim-3');
    assert.equal(n.metadata.labels?.['kubernetes.io/os'], 'linux');
    assert.equal(n.metadata.labels?.['kubernetes.io/arch'], 'amd64');
    assert.equal(n.metadata.labels?.['node.kubernetes.io/instance-type'], 'sim');
    const st = n.status!;
    assert.deepEqual(st.capacity, { cpu: '8', 'ephemeral-storage': '100Gi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '32Gi', pods: '110' });
    assert.deepEqual(st.allocatable, st.capacity);
    assert.deepEqual(
      st.conditions?.map((c) => [c.type, c.status, c.reason]),
      [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
        ['Ready', 'True', 'KubeletReady'],
      ],
    );
    assert.ok(st.conditions?.every((c) => c.lastHeartbeatTime === '2026-11-28T10:00:00Z'));
    assert.deepEqual(st.addresses, [
      { type: 'InternalIP', address: '10.200.0.4' },
      { type: 'Hostname', address: 'sim-3' },
    ]);
    assert.equal(st.daemonEndpoints?.kubeletEndpoint.Port, 10250);
    assert.equal(st.nodeInfo?.kubeletVersion, 'v1.33.0');
    assert.equal(st.nodeInfo?.bootID, 'boot');
  });

  it('keeps a condition’s lastTransitionTime while its status stays, and moves it when it changes', () => {
    const first = desiredNodeStatus('sim-0', 0, cfg, 'b', t0);
    const again = desiredNodeStatus('sim-0', 0, cfg, 'b', t1, first);
    assert.ok(again.conditions.every((c) => c.lastTransitionTime === '2026-11-28T10:00:00Z' && c.lastHeartbeatTime === '2026-11-28T10:05:00Z'));
    const unknown = { ...first, conditions: first.conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown' } : c)) };
    const back = desiredNodeStatus('sim-0', 0, cfg, 'b', t1, unknown);
    assert.equal(back.conditions.find((c) => c.type === 'Ready')?.lastTransitionTime, '2026-11-28T10:05:00Z');
  });

  it('needs a status report when the server holds something else, not for heartbeat times alone', () => {
    const held = desiredNodeStatus('sim-0', 0, cfg, 'b', t0);
    assert.equal(statusDiffers(held, desiredNodeStatus('sim-0', 0, cfg, 'b', t1, held)), false);
    const marked = { ...held, conditions: held.conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown' } : c)) };
    assert.equal(statusDiffers(marked, desiredNodeStatus('sim-0', 0, cfg, 'b', t1, marked)), true);
    assert.equal(statusDiffers(held, desiredNodeStatus('sim-0', 0, { ...cfg, cpu: '4' }, 'b', t1, held)), true);
    assert.equal(statusDiffers(undefined, held), true);
    const sortedByServer = JSON.parse(JSON.stringify(held, (_k, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v)) as typeof held;
    assert.equal(statusDiffers(sortedByServer, desiredNodeStatus('sim-0', 0, cfg, 'b', t1, held)), false, 'key order is not a difference');
  });

  it('takes over a node by asserting its labels, and reads the stopped annotation', () => {
    const n = newNodeObject('sim-1', 1, cfg, 'b', t0);
    assert.equal(metadataDiffers(n), false);
    assert.equal(metadataDiffers({ metadata: { name: 'sim-1', labels: { 'kubernetes.io/hostname': 'other' } } }), true);
    assert.equal(isStopped(n), false);
    assert.equal(isStopped({ metadata: { annotations: { 'sim.skiff.dev/stopped': 'true' } } }), true);
    assert.equal(isStopped({ metadata: { annotations: { 'sim.skiff.dev/stopped': 'false' } } }), false);
  });
});
