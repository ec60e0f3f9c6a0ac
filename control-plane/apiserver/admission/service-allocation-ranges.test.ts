import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { nthAddress, offsetInCidr, parsePortRange, parseServiceCidr, inPortRange } from './service-allocation-ranges.js';

describe('service CIDR and node-port range parsing', () => {
  test('a /16 parses to its base, size and canonical text, and the first address is .1', () => {
    const c = parseServiceCidr('10.43.0.0/16');
    assert.equal(c.size, 65536);
    assert.equal(c.text, '10.43.0.0/16');
    assert.equal(nthAddress(c, 1), '10.43.0.1');
    assert.equal(nthAddress(c, 10), '10.43.0.10');
  });

  test('the network and broadcast addresses and outside addresses have no offset', () => {
    const c = parseServiceCidr('10.43.0.0/24');
    assert.equal(offsetInCidr(c, '10.43.0.0'), undefined);
    assert.equal(offsetInCidr(c, '10.43.0.255'), undefined);
    assert.equal(offsetInCidr(c, '10.44.0.1'), undefined);
    assert.equal(offsetInCidr(c, '10.43.0.7'), 7);
  });

  test('malformed, IPv6, host-bit and oversized CIDRs are rejected with a reason', () => {
    assert.throws(() => parseServiceCidr('10.43.0.0'), /expected an address and prefix/);
    assert.throws(() => parseServiceCidr('10.43.0.300/16'), /expected an address and prefix/);
    assert.throws(() => parseServiceCidr('fd00::/112'), /IPv6/);
    assert.throws(() => parseServiceCidr('10.43.0.1/16'), /host bits are set \(did you mean 10\.43\.0\.0\/16\?\)/);
    assert.throws(() => parseServiceCidr('10.0.0.0/8'), /between \/12 and \/28/);
  });

  test('port ranges parse FIRST-LAST and reject reversed or out-of-bounds ranges', () => {
    const r = parsePortRange('30000-32767');
    assert.equal(r.base, 30000);
    assert.equal(r.size, 2768);
    assert.ok(inPortRange(r, 32767));
    assert.ok(!inPortRange(r, 32768));
    assert.throws(() => parsePortRange('32767-30000'), /FIRST <= LAST/);
    assert.throws(() => parsePortRange('0-10'), /1 <= FIRST/);
    assert.throws(() => parsePortRange('abc'), /expected FIRST-LAST/);
  });
});
