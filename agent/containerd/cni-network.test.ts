import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeCniConfig } from './cni-network.js';

describe('writeCniConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-cni-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const target = { cniConfDir: join(dir, 'net.d'), ipamDir: join(dir, 'ipam'), networkName: 'skiff', bridgeName: 'skiff0' };

  it('writes the conflist for the pod CIDR as the only network config in conf_dir', () => {
    const file = writeCniConfig(target, '10.42.3.0/24');
    assert.equal(file, join(dir, 'net.d', '10-skiff.conflist'));
    const conf = JSON.parse(readFileSync(file, 'utf8')) as { name: string; plugins: Array<{ bridge?: string; ipam?: { ranges: unknown; dataDir: string } }> };
    assert.equal(conf.name, 'skiff');
    assert.equal(conf.plugins[0]?.bridge, 'skiff0');
    assert.deepEqual(conf.plugins[0]?.ipam?.ranges, [[{ subnet: '10.42.3.0/24' }]]);
    assert.equal(conf.plugins[0]?.ipam?.dataDir, join(dir, 'ipam'));
  });

  it('replaces an older config and removes foreign ones (containerd reads only the first)', () => {
    writeFileSync(join(target.cniConfDir, '05-other.conflist'), '{}');
    writeFileSync(join(target.cniConfDir, '99-loopback.conf'), '{}');
    writeCniConfig(target, '10.42.4.0/24');
    assert.deepEqual(readdirSync(target.cniConfDir), ['10-skiff.conflist']);
    assert.match(readFileSync(join(target.cniConfDir, '10-skiff.conflist'), 'utf8'), /10\.42\.4\.0\/24/);
  });

  it('rejects an invalid pod CIDR without touching the current config', () => {
    assert.throws(() => writeCniConfig(target, 'not-a-cidr'), /invalid IPv4 CIDR/);
    assert.match(readFileSync(join(target.cniConfDir, '10-skiff.conflist'), 'utf8'), /10\.42\.4\.0\/24/);
  });
});
