import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { certificateNames, ensureClusterPki } from './cluster-pki.js';
import { servingNames } from './host-names.js';

const clock = { now: () => new Date('2026-03-01T00:00:00Z') };
const host = {
  hostname: 'Node-1',
  interfaces: {
    lo: [{ address: '127.0.0.1', family: 'IPv4' as const, internal: true, netmask: '255.0.0.0', mac: '00:00:00:00:00:00', cidr: '127.0.0.1/8' }],
    eth0: [
      { address: '192.168.5.20', family: 'IPv4' as const, internal: false, netmask: '255.255.255.0', mac: '02:00:00:00:00:01', cidr: '192.168.5.20/24' },
      { address: 'fe80::1', family: 'IPv6' as const, internal: false, netmask: 'ffff:ffff:ffff:ffff::', mac: '02:00:00:00:00:01', cidr: 'fe80::1/64', scopeid: 2 },
      { address: 'fd00::20', family: 'IPv6' as const, internal: false, netmask: 'ffff:ffff:ffff:ffff::', mac: '02:00:00:00:00:01', cidr: 'fd00::20/64', scopeid: 0 },
    ],
  },
};

describe('servingNames', () => {
  test('covers localhost, loopback, a specific bind address, host addresses, the hostname and every --tls-san by kind', () => {
    const n = servingNames('10.1.2.3', ['api.example.com', '203.0.113.7'], host);
    for (const d of ['localhost', 'node-1', 'api.example.com', 'kubernetes.default.svc']) assert.ok(n.dns.includes(d), d);
    for (const ip of ['127.0.0.1', '10.1.2.3', '192.168.5.20', 'fd00::20', '203.0.113.7']) assert.ok(n.ips.includes(ip), ip);
    assert.ok(!n.ips.includes('fe80::1'), 'link-local addresses are left out');
    assert.ok(!n.dns.includes('203.0.113.7'), 'IPs never land among DNS names');
  });

  test('the wildcard bind address is not a SAN', () => {
    assert.ok(!servingNames('0.0.0.0', [], host).ips.includes('0.0.0.0'));
  });
});

describe('ensureClusterPki', () => {
  const dir = tempDir();
  after(() => dir.remove());
  const sans = servingNames('0.0.0.0', ['skiff.test'], host);

  test('first start creates the CA, a serving cert with the SANs, an admin cert and a service-account key with private modes', async () => {
    const pki = await ensureClusterPki(dir.path, sans, clock);
    const serving = new X509Certificate(pki.serverCertPem);
    const ca = new X509Certificate(pki.caCertPem);
    assert.ok(serving.checkIssued(ca) && serving.verify(ca.publicKey));
    assert.deepEqual(certificateNames(pki.serverCertPem), { dns: [...sans.dns].sort(), ips: [...sans.ips].sort() });
    const admin = new X509Certificate(pki.adminCertPem);
    assert.match(admin.subject, /CN=admin/);
    assert.match(admin.subject, /O=system:masters/);
    assert.ok(admin.verify(ca.publicKey));
    assert.ok(ca.ca && !serving.ca);
    for (const f of ['ca.key', 'server.key', 'admin.key', 'service-account.key']) {
      assert.equal(statSync(join(pki.dir, f)).mode & 0o777, 0o600, f);
    }
    assert.match(readFileSync(pki.serviceAccountKeyPath, 'utf8'), /BEGIN PRIVATE KEY/);
    assert.match(readFileSync(pki.serviceAccountPublicKeyPath, 'utf8'), /BEGIN PUBLIC KEY/);
  });

  test('a restart with the same names reuses every file', async () => {
    const before = ['ca.crt', 'server.crt', 'admin.crt', 'service-account.key'].map((f) => readFileSync(join(dir.path, 'tls', f), 'utf8'));
    const pki = await ensureClusterPki(dir.path, sans, clock);
    assert.deepEqual(pki.generated, []);
    const afterFiles = ['ca.crt', 'server.crt', 'admin.crt', 'service-account.key'].map((f) => readFileSync(join(dir.path, 'tls', f), 'utf8'));
    assert.deepEqual(afterFiles, before);
  });

  test('a changed SAN set reissues only the serving cert, from the same CA', async () => {
    const caBefore = readFileSync(join(dir.path, 'tls', 'ca.crt'), 'utf8');
    const adminBefore = readFileSync(join(dir.path, 'tls', 'admin.crt'), 'utf8');
    const more = servingNames('0.0.0.0', ['skiff.test', 'other.test'], host);
    const pki = await ensureClusterPki(dir.path, more, clock);
    assert.deepEqual(pki.generated, ['server.crt']);
    assert.equal(pki.caCertPem, caBefore);
    assert.equal(pki.adminCertPem, adminBefore);
    assert.ok(certificateNames(pki.serverCertPem).dns.includes('other.test'));
    assert.ok(new X509Certificate(pki.serverCertPem).verify(new X509Certificate(caBefore).publicKey));
  });

  test('certificates close to expiry are reissued', async () => {
    const later = { now: () => new Date('2027-02-20T00:00:00Z') };
    const more = servingNames('0.0.0.0', ['skiff.test', 'other.test'], host);
    const pki = await ensureClusterPki(dir.path, more, later);
    assert.deepEqual(pki.generated.sort(), ['admin.crt', 'server.crt']);
  });
});
