import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenBucket, ZoneTainter, computeZoneState, qpsFor, zoneKey } from './zone-tainter.js';

const T0 = 1_000_000;

describe('zone state', () => {
  it('is Normal with few not-ready nodes', () => {
    assert.equal(computeZoneState(['True', 'True', 'Unknown']).state, 'Normal');
    assert.equal(computeZoneState(['True', 'Unknown', 'Unknown']).state, 'Normal', 'two not-ready nodes never disrupt a zone');
  });

  it('is PartialDisruption with more than 2 and at least 55 % not ready', () => {
    assert.equal(computeZoneState(['True', 'True', 'Unknown', 'Unknown', 'False']).state, 'PartialDisruption');
    assert.equal(computeZoneState(['True', 'True', 'True', 'Unknown', 'Unknown', 'False']).state, 'Normal');
  });

  it('is FullDisruption with no ready node, counting a missing condition as not ready', () => {
    assert.equal(computeZoneState(['Unknown', undefined]).state, 'FullDisruption');
  });

  it('taints at 0.1/s normally, slower or not at all in a partially disrupted zone', () => {
    assert.equal(qpsFor('Normal', 3), 0.1);
    assert.equal(qpsFor('FullDisruption', 3), 0.1);
    assert.equal(qpsFor('PartialDisruption', 10), 0);
    assert.equal(qpsFor('PartialDisruption', 51), 0.01);
  });

  it('keys zones by region and zone labels', () => {
    const n = (labels: Record<string, string>) => ({ metadata: { name: 'n', labels } });
    assert.equal(zoneKey(n({})), '');
    assert.equal(zoneKey(n({ 'topology.kubernetes.io/region': 'r', 'topology.kubernetes.io/zone': 'a' })), 'r:\u0000:a');
  });
});

describe('token bucket', () => {
  it('admits one at once, then one per 1/qps seconds', () => {
    const b = new TokenBucket(0.1, T0);
    assert.equal(b.tryAccept(T0), true);
    assert.equal(b.tryAccept(T0 + 9_000), false);
    assert.equal(b.tryAccept(T0 + 10_000), true);
  });

  it('never admits at qps 0', () => {
    assert.equal(new TokenBucket(0, T0).tryAccept(T0 + 1e9), false);
  });
});

describe('zone tainter', () => {
  it('lets the first unhealthy node through at once and the next after 10 s', () => {
    const z = new ZoneTainter();
    z.updateStates(new Map([['', ['True', 'True', 'True', 'Unknown', 'Unknown']]]), T0);
    z.mark('', 'a', T0);
    z.mark('', 'b', T0);
    const first = z.take(T0).map((x) => x.node);
    assert.deepEqual(first, ['a']);
    z.done('a');
    assert.deepEqual(z.take(T0 + 5_000), []);
    assert.deepEqual(z.take(T0 + 10_000).map((x) => x.node), ['b']);
  });

  it('does not queue a node again while it stays marked, and does after it is reachable', () => {
    const z = new ZoneTainter();
    assert.equal(z.mark('', 'a', T0), true);
    z.done('a');
    assert.equal(z.mark('', 'a', T0), false);
    z.unmark('a');
    assert.equal(z.mark('', 'a', T0), true);
  });

  it('retries a node whose tainting failed on a later pass', () => {
    const z = new ZoneTainter();
    z.mark('', 'a', T0);
    assert.deepEqual(z.take(T0).map((x) => x.node), ['a']);
    assert.deepEqual(z.take(T0 + 10_000).map((x) => x.node), ['a']);
  });

  it('stops tainting when every zone is fully disrupted and resumes when a node is ready', () => {
    const z = new ZoneTainter();
    assert.equal(z.updateStates(new Map([['', ['True']]]), T0), 'none');
    assert.equal(z.updateStates(new Map([['', ['Unknown']]]), T0 + 5_000), 'entered-master-disruption');
    z.mark('', 'a', T0 + 5_000);
    assert.deepEqual(z.take(T0 + 100_000), []);
    assert.equal(z.updateStates(new Map([['', ['Unknown']]]), T0 + 105_000), 'none');
    assert.equal(z.updateStates(new Map([['', ['True', 'Unknown']]]), T0 + 110_000), 'exited-master-disruption');
    assert.deepEqual(z.take(T0 + 110_000).map((x) => x.node), ['a']);
  });

  it('keeps tainting a fully disrupted zone while another zone is healthy', () => {
    const z = new ZoneTainter();
    z.updateStates(new Map([['a', ['True']], ['b', ['True']]]), T0);
    assert.equal(z.updateStates(new Map([['a', ['True']], ['b', ['Unknown']]]), T0 + 5_000), 'none');
    assert.equal(z.stateOf('b'), 'FullDisruption');
    z.mark('b', 'b1', T0 + 5_000);
    assert.deepEqual(z.take(T0 + 5_000).map((x) => x.node), ['b1']);
  });

  it('stops tainting a small partially disrupted zone', () => {
    const z = new ZoneTainter();
    z.updateStates(new Map([['', ['True', 'True', 'True', 'True']]]), T0);
    z.updateStates(new Map([['', ['True', 'Unknown', 'Unknown', 'Unknown']]]), T0 + 5_000);
    assert.equal(z.stateOf(''), 'PartialDisruption');
    z.mark('', 'x', T0 + 5_000);
    assert.deepEqual(z.take(T0 + 60_000), []);
  });
});
