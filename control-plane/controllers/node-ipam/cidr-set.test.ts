import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CidrSet, parseIpv4Cidr } from './cidr-set.js';

describe('CidrSet', () => {
  it('hands out blocks of the node mask size, lowest first', () => {
    const s = new CidrSet('10.99.0.0/24', 26);
    assert.equal(s.size, 4);
    assert.deepEqual([s.allocateNext(), s.allocateNext(), s.allocateNext()], ['10.99.0.0/26', '10.99.0.64/26', '10.99.0.128/26']);
  });

  it('returns nothing once the range is exhausted', () => {
    const s = new CidrSet('10.99.0.0/24', 26);
    for (let i = 0; i < 4; i++) assert.ok(s.allocateNext());
    assert.equal(s.allocateNext(), undefined);
    assert.equal(s.allocatedCount, 4);
  });

  it('skips blocks occupied by nodes that already have one', () => {
    const s = new CidrSet('10.42.0.0/16', 24);
    s.occupy('10.42.0.0/24');
    s.occupy('10.42.2.0/24');
    assert.equal(s.allocateNext(), '10.42.1.0/24');
    assert.equal(s.allocateNext(), '10.42.3.0/24');
  });

  it('reuses a released block only after going round (next-fit, as upstream)', () => {
    const s = new CidrSet('10.99.0.0/24', 26);
    const a = s.allocateNext()!;
    s.allocateNext();
    s.release(a);
    assert.equal(s.allocateNext(), '10.99.0.128/26');
    assert.equal(s.allocateNext(), '10.99.0.192/26');
    assert.equal(s.allocateNext(), '10.99.0.0/26');
    assert.equal(s.allocateNext(), undefined);
  });

  it('lets a freed block be allocated again after exhaustion', () => {
    const s = new CidrSet('10.99.0.0/24', 26);
    for (let i = 0; i < 4; i++) s.allocateNext();
    s.release('10.99.0.64/26');
    assert.equal(s.allocateNext(), '10.99.0.64/26');
  });

  it('occupies every block a larger CIDR covers', () => {
    const s = new CidrSet('10.99.0.0/24', 26);
    s.occupy('10.99.0.0/25');
    assert.equal(s.allocatedCount, 2);
    assert.equal(s.allocateNext(), '10.99.0.128/26');
  });

  it('refuses CIDRs outside the cluster range', () => {
    const s = new CidrSet('10.99.0.0/24', 26);
    assert.throws(() => s.occupy('10.98.0.0/26'), /outside the cluster CIDR/);
    assert.equal(s.contains('10.99.1.0/26'), false);
    assert.equal(s.contains('10.99.0.64/26'), true);
  });

  it('refuses a node mask shorter than the cluster mask or more than 16 bits longer', () => {
    assert.throws(() => new CidrSet('10.42.0.0/16', 8), /does not fit/);
    assert.throws(() => new CidrSet('10.0.0.0/8', 25), /more than 16 bits/);
  });

  it('normalises the network address of a CIDR', () => {
    assert.deepEqual(parseIpv4Cidr('10.42.3.7/16'), { base: 10 * 2 ** 24 + 42 * 2 ** 16, prefix: 16 });
    assert.throws(() => parseIpv4Cidr('fd00::/64'), /invalid IPv4 CIDR/);
  });
});
