import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Ipv4Pool, intToIp, ipToInt, parseIpv4Cidr } from './ip-allocator.js';

describe('ip-allocator', () => {
  it('parses IPv4 CIDRs to their network address and size, and rejects IPv6 and garbage', () => {
    assert.deepEqual(parseIpv4Cidr('10.42.3.7/24'), { base: ipToInt('10.42.3.0'), prefix: 24, size: 256 });
    assert.equal(parseIpv4Cidr('172.16.0.0/12')?.size, 1 << 20);
    assert.equal(parseIpv4Cidr('fd00::/64'), undefined);
    assert.equal(parseIpv4Cidr('10.0.0.256/24'), undefined);
    assert.equal(parseIpv4Cidr('10.0.0.0/33'), undefined);
    assert.equal(intToIp(ipToInt('255.1.2.3')!), '255.1.2.3');
  });

  it('hands out host addresses of a podCIDR, skipping the network, gateway and broadcast addresses', () => {
    const pool = new Ipv4Pool('10.42.1.0/24');
    assert.equal(pool.capacity, 253);
    assert.equal(pool.allocate(), '10.42.1.2');
    assert.equal(pool.allocate(), '10.42.1.3');
    const all = new Set(['10.42.1.2', '10.42.1.3']);
    for (let ip = pool.allocate(); ip !== undefined; ip = pool.allocate()) all.add(ip);
    assert.equal(all.size, 253);
    assert.ok(!all.has('10.42.1.0') && !all.has('10.42.1.1') && !all.has('10.42.1.255'));
  });

  it('never hands out an address in use, and reuses a released one only after the others (next-fit)', () => {
    const pool = new Ipv4Pool('10.0.0.0/29'); // hosts .2 to .6
    const a = pool.allocate();
    const b = pool.allocate();
    pool.release(a!);
    assert.deepEqual([pool.allocate(), pool.allocate(), pool.allocate()], ['10.0.0.4', '10.0.0.5', '10.0.0.6']);
    assert.equal(pool.allocate(), a, 'wraps around to the released address');
    assert.equal(pool.allocate(), undefined, 'exhausted');
    assert.equal(pool.inUse, 5);
    assert.notEqual(a, b);
  });

  it('reserves an adopted address so it is not handed out again, and refuses one outside or taken', () => {
    const pool = new Ipv4Pool('10.0.0.0/29');
    assert.equal(pool.reserve('10.0.0.2'), true);
    assert.equal(pool.reserve('10.0.0.2'), false);
    assert.equal(pool.reserve('10.0.1.2'), false);
    assert.equal(pool.allocate(), '10.0.0.3');
    assert.ok(pool.contains('10.0.0.6') && !pool.contains('10.0.0.7'));
  });
});
