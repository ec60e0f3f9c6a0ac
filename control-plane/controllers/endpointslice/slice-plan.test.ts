import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodEndpoint } from '../endpoints/service-endpoints.js';
import { planSlices, sliceEndpoint, type ExistingSlice } from './slice-plan.js';

const ports = [{ name: 'http', port: 8080, protocol: 'TCP' }];
const ep = (i: number, p = ports, ready = true): PodEndpoint => ({
  ip: `10.0.${i >> 8}.${i & 255}`,
  pod: { namespace: 'ns', name: `p${String(i).padStart(4, '0')}`, uid: `u${i}` },
  ready,
  serving: ready,
  terminating: false,
  ports: p,
});
const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

describe('planSlices', () => {
  it('creates one empty placeholder slice for a Service without endpoints', () => {
    assert.deepEqual(planSlices([], []), { write: [{ ports: [], endpoints: [] }], delete: [] });
  });

  it('never puts more than 100 endpoints in a slice', () => {
    const plan = planSlices(range(0, 250).map((i) => ep(i)), []);
    assert.deepEqual(plan.write.map((s) => s.endpoints.length), [100, 100, 50]);
  });

  it('groups endpoints by the ports they serve', () => {
    const other = [{ name: 'http', port: 9090, protocol: 'TCP' }];
    const plan = planSlices([ep(1), ep(2, other), ep(3)], []);
    assert.equal(plan.write.length, 2);
    assert.deepEqual(plan.write.map((s) => s.endpoints.length).sort(), [1, 2]);
  });

  it('writes nothing when the slices already hold what is desired', () => {
    const desired = range(0, 3).map((i) => ep(i));
    const existing: ExistingSlice[] = [{ name: 'web-abc', ports, endpoints: desired.map(sliceEndpoint) }];
    assert.deepEqual(planSlices(desired, existing), { write: [], delete: [] });
  });

  it('keeps endpoints where they are and fills existing room before creating a slice', () => {
    const existing: ExistingSlice[] = [
      { name: 'web-a', ports, endpoints: range(0, 100).map((i) => sliceEndpoint(ep(i))) },
      { name: 'web-b', ports, endpoints: range(100, 150).map((i) => sliceEndpoint(ep(i))) },
    ];
    const desired = [...range(1, 150), ...range(150, 160)].map((i) => ep(i));
    const plan = planSlices(desired, existing);
    assert.equal(plan.delete.length, 0);
    const byName = new Map(plan.write.map((s) => [s.name, s]));
    assert.equal(byName.get('web-a')?.endpoints.length, 100, 'the removed endpoint frees room that a new one fills');
    assert.equal(byName.get('web-b')?.endpoints.length, 59);
    assert.equal(plan.write.filter((s) => !s.name).length, 0);
  });

  it('updates an endpoint whose readiness changed and deletes slices left empty', () => {
    const existing: ExistingSlice[] = [
      { name: 'web-a', ports, endpoints: [sliceEndpoint(ep(1))] },
      { name: 'web-b', ports, endpoints: [sliceEndpoint(ep(2))] },
    ];
    const plan = planSlices([ep(1, ports, false)], existing);
    assert.deepEqual(plan.delete, ['web-b']);
    assert.equal(plan.write[0]?.name, 'web-a');
    assert.equal(plan.write[0]?.endpoints[0]?.conditions.ready, false);
  });
});
