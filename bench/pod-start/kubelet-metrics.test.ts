import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diffSnapshots, parseSnapshot } from './kubelet-metrics.js';

const text = (runSum: number, runCount: number, startSum: number, startCount: number): string =>
  [
    '# HELP kubelet_runtime_operations_duration_seconds Duration in seconds of runtime operations.',
    `kubelet_runtime_operations_duration_seconds_bucket{le="0.005",operation_type="run_podsandbox"} 0`,
    `kubelet_runtime_operations_duration_seconds_sum{operation_type="run_podsandbox"} ${runSum}`,
    `kubelet_runtime_operations_duration_seconds_count{operation_type="run_podsandbox"} ${runCount}`,
    `kubelet_runtime_operations_duration_seconds_sum{operation_type="status"} 0.5`,
    `kubelet_runtime_operations_duration_seconds_count{operation_type="status"} 10`,
    `kubelet_pod_start_duration_seconds_sum ${startSum}`,
    `kubelet_pod_start_duration_seconds_count ${startCount}`,
  ].join('\n');

describe('kubelet metrics snapshots', () => {
  it('reads the sum and count of each runtime operation and of the pod start histogram, in ms', () => {
    const s = parseSnapshot(text(1.5, 3, 2, 4));
    assert.deepEqual(s.get('run_podsandbox'), { count: 3, sumMs: 1500 });
    assert.deepEqual(s.get('status'), { count: 10, sumMs: 500 });
    assert.equal([...s.keys()].filter((k) => k.startsWith('pod_start')).length, 1);
  });

  it('keeps only the calls made between two snapshots, with their mean', () => {
    const d = diffSnapshots(parseSnapshot(text(1.5, 3, 2, 4)), parseSnapshot(text(2.5, 7, 5, 6)));
    assert.deepEqual(d.run_podsandbox, { calls: 4, meanMs: 250, totalMs: 1000 });
    assert.equal(d.status, undefined);
    const podStart = Object.entries(d).find(([k]) => k.startsWith('pod_start'))?.[1];
    assert.deepEqual(podStart, { calls: 2, meanMs: 1500, totalMs: 3000 });
  });
});
