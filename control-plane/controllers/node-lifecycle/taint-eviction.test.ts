import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Toleration } from '../../scheduler/types.js';
import { evictionDecision, matchingTolerations, minTolerationMs } from './taint-eviction.js';

const T0 = 5_000_000;
const UNREACHABLE = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
const NOT_READY = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' };
const tol = (key: string | undefined, seconds?: number, effect = 'NoExecute'): Toleration => ({ key, operator: 'Exists', effect, tolerationSeconds: seconds });

describe('taint eviction timing', () => {
  it('evicts at once a pod that does not tolerate a NoExecute taint', () => {
    const d = evictionDecision([UNREACHABLE], [tol('node.kubernetes.io/not-ready', 300)], undefined, T0);
    assert.deepEqual(d, { kind: 'schedule', eviction: { createdAtMs: T0, fireAtMs: T0 } });
  });

  it('evicts after tolerationSeconds from when the taint is seen', () => {
    const d = evictionDecision([UNREACHABLE], [tol('node.kubernetes.io/unreachable', 5)], undefined, T0);
    assert.deepEqual(d, { kind: 'schedule', eviction: { createdAtMs: T0, fireAtMs: T0 + 5_000 } });
  });

  it('uses the shortest tolerationSeconds among the tolerations used', () => {
    const used = matchingTolerations([UNREACHABLE, NOT_READY], [tol('node.kubernetes.io/not-ready', 30), tol('node.kubernetes.io/unreachable', 300)]);
    assert.equal(used.all, true);
    assert.equal(minTolerationMs(used.used), 30_000);
  });

  it('keeps a pod that tolerates without tolerationSeconds for ever', () => {
    assert.deepEqual(evictionDecision([UNREACHABLE], [tol(undefined)], undefined, T0), { kind: 'cancel' });
  });

  it('treats tolerationSeconds of zero or less as at once', () => {
    assert.deepEqual(evictionDecision([UNREACHABLE], [tol('node.kubernetes.io/unreachable', 0)], undefined, T0), {
      kind: 'schedule',
      eviction: { createdAtMs: T0, fireAtMs: T0 },
    });
    assert.equal(minTolerationMs([tol('a', -5), tol('b', 100)]), 0);
  });

  it('ignores NoSchedule taints and cancels when no NoExecute taint is left', () => {
    assert.deepEqual(evictionDecision([{ key: 'x', effect: 'NoSchedule' }], [], { createdAtMs: T0, fireAtMs: T0 + 1 }, T0), { kind: 'cancel' });
  });

  it('does not count a NoSchedule toleration against a NoExecute taint', () => {
    const d = evictionDecision([UNREACHABLE], [tol('node.kubernetes.io/unreachable', undefined, 'NoSchedule')], undefined, T0);
    assert.equal(d.kind, 'schedule');
  });

  it('keeps an earlier pending eviction when the node changes again', () => {
    const pending = { createdAtMs: T0, fireAtMs: T0 + 300_000 };
    assert.deepEqual(evictionDecision([UNREACHABLE], [tol('node.kubernetes.io/unreachable', 300)], pending, T0 + 10_000), { kind: 'keep' });
  });

  it('evicts at once even with an eviction pending once a taint is not tolerated', () => {
    const pending = { createdAtMs: T0, fireAtMs: T0 + 300_000 };
    const d = evictionDecision([UNREACHABLE, { key: 'other', effect: 'NoExecute' }], [tol('node.kubernetes.io/unreachable', 300)], pending, T0 + 10_000);
    assert.deepEqual(d, { kind: 'schedule', eviction: { createdAtMs: T0 + 10_000, fireAtMs: T0 + 10_000 } });
  });
});
