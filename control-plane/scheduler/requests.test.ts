import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { makePod } from './fixtures.js';
import { podRequests, resourceAmount } from './requests.js';

describe('pod effective requests', () => {
  test('cpu is counted in millicores and memory in bytes', () => {
    assert.equal(resourceAmount('cpu', '1.5'), 1500);
    assert.equal(resourceAmount('cpu', '250m'), 250);
    assert.equal(resourceAmount('memory', '1Gi'), 1024 ** 3);
    assert.equal(resourceAmount('memory', '1.5k'), 1500);
  });

  test('app containers add up', () => {
    const pod = makePod('p', {
      containers: [
        { name: 'a', resources: { requests: { cpu: '100m', memory: '64Mi' } } },
        { name: 'b', resources: { requests: { cpu: '200m' } } },
      ],
    });
    assert.deepEqual(podRequests(pod), { cpu: 300, memory: 64 * 1024 ** 2 });
  });

  test('the largest init container wins per resource when it exceeds the app containers', () => {
    const pod = makePod('p', {
      containers: [{ name: 'a', resources: { requests: { cpu: '100m', memory: '1Gi' } } }],
      initContainers: [
        { name: 'i1', resources: { requests: { cpu: '2' } } },
        { name: 'i2', resources: { requests: { cpu: '500m', memory: '100Mi' } } },
      ],
    });
    assert.deepEqual(podRequests(pod), { cpu: 2000, memory: 1024 ** 3 });
  });

  test('overhead is added on top', () => {
    const pod = makePod('p', { requests: { cpu: '1' }, overhead: { cpu: '250m', memory: '120Mi' } });
    assert.deepEqual(podRequests(pod), { cpu: 1250, memory: 120 * 1024 ** 2 });
  });

  test('sidecar init containers run alongside the app and later init containers', () => {
    const pod = makePod('p', {
      containers: [{ name: 'a', resources: { requests: { cpu: '100m' } } }],
      initContainers: [
        { name: 'side', restartPolicy: 'Always', resources: { requests: { cpu: '200m' } } },
        { name: 'init', resources: { requests: { cpu: '1' } } },
      ],
    });
    // max(100 + 200, 1000 + 200)
    assert.deepEqual(podRequests(pod), { cpu: 1200 });
  });

  test('scoring defaults apply only to containers without requests', () => {
    const pod = makePod('p', {
      containers: [{ name: 'a' }, { name: 'b', resources: { requests: { cpu: '1' } } }],
    });
    assert.deepEqual(podRequests(pod, { nonZero: true }), { cpu: 1100, memory: 2 * 200 * 1024 ** 2 });
    assert.deepEqual(podRequests(pod), { cpu: 1000 });
  });
});
