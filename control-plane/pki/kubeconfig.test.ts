import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { renderKubeconfig, writeKubeconfig } from './kubeconfig.js';
import { ensureClusterPki } from './cluster-pki.js';

describe('kubeconfig', () => {
  const dir = tempDir();
  after(() => dir.remove());

  test('the written file is exactly what `kubectl config view --raw` prints for it, with mode 0600', async () => {
    const pki = await ensureClusterPki(dir.path, { dns: ['localhost'], ips: ['127.0.0.1'] }, { now: () => new Date() });
    const path = join(dir.path, 'sub', 'kubeconfig.yaml');
    const input = { server: 'https://127.0.0.1:6443', caCertPem: pki.caCertPem, clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem };
    writeKubeconfig(path, input);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const written = readFileSync(path, 'utf8');
    assert.equal(written, renderKubeconfig(input));
    const viewed = execFileSync('kubectl', ['--kubeconfig', path, 'config', 'view', '--raw'], { env: { PATH: process.env.PATH, HOME: dir.path } }).toString();
    assert.equal(viewed, written);
    assert.match(written, /^current-context: skiff$/m);
    assert.match(written, /^ {4}client-certificate-data: [A-Za-z0-9+/=]+$/m);
  });
});
