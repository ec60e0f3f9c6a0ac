import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildSimConfig, SimConfigError } from './config.js';

describe('sim config', () => {
  it('fills in the defaults: 8 CPUs, 32Gi, 110 pods, prefix sim-', () => {
    const c = buildSimConfig({ kubeconfig: 'k', nodes: '3' });
    assert.deepEqual(
      { nodes: c.nodes, cpu: c.cpu, memory: c.memory, maxPods: c.maxPods, prefix: c.prefix, eph: c.ephemeralStorage },
      { nodes: 3, cpu: '8', memory: '32Gi', maxPods: 110, prefix: 'sim-', eph: '100Gi' },
    );
  });

  it('takes the flags as given', () => {
    const c = buildSimConfig({ kubeconfig: 'k', nodes: '5000', cpu: '500m', memory: '4Gi', maxPods: '20', prefix: 'fake-' });
    assert.deepEqual([c.nodes, c.cpu, c.memory, c.maxPods, c.prefix], [5000, '500m', '4Gi', 20, 'fake-']);
  });

  it('refuses missing or malformed flags with a message naming the flag', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ nodes: '1' }, /--kubeconfig is required/],
      [{ kubeconfig: 'k' }, /--nodes is required/],
      [{ kubeconfig: 'k', nodes: '0' }, /--nodes: 0 is out of range/],
      [{ kubeconfig: 'k', nodes: 'many' }, /--nodes: "many" is not a positive integer/],
      [{ kubeconfig: 'k', nodes: '1', cpu: 'lots' }, /--cpu: "lots" is not a quantity/],
      [{ kubeconfig: 'k', nodes: '1', memory: '-1Gi' }, /--memory/],
      [{ kubeconfig: 'k', nodes: '1', maxPods: '1.5' }, /--max-pods/],
      [{ kubeconfig: 'k', nodes: '1', prefix: 'Bad_' }, /--prefix: node name "Bad_0" is not valid/],
    ];
    for (const [flags, msg] of bad) assert.throws(() => buildSimConfig(flags), (e: unknown) => e instanceof SimConfigError && msg.test(e.message));
  });
});
