import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { caHashOf, parseJoinToken } from '../api/join-token.js';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { ensureClusterPki } from './cluster-pki.js';
import { ensureNodeToken, NodeCredentialIssuer } from './join-credentials.js';

const clock = { now: () => new Date('2026-02-01T00:00:00Z') };
const dirs: { remove(): void }[] = [];
after(() => dirs.forEach((d) => d.remove()));

describe('node join credentials', () => {
  it('writes the node token once (0600) and keeps it', () => {
    const d = tempDir('skiff-node-token-');
    dirs.push(d);
    const ca = 'CA ONE\n';
    const first = ensureNodeToken(d.path, ca);
    assert.equal(parseJoinToken(first).caHash, caHashOf(ca));
    assert.equal(statSync(join(d.path, 'node-token')).mode & 0o777, 0o600);
    assert.equal(ensureNodeToken(d.path, ca), first);
    assert.equal(readFileSync(join(d.path, 'node-token'), 'utf8'), `${first}\n`);
  });

  it('rewrites the CA hash but keeps the secret when the CA changes', () => {
    const d = tempDir('skiff-node-token-');
    dirs.push(d);
    const first = parseJoinToken(ensureNodeToken(d.path, 'CA ONE\n'));
    const second = parseJoinToken(ensureNodeToken(d.path, 'CA TWO\n'));
    assert.equal(second.secret, first.secret);
    assert.equal(second.caHash, caHashOf('CA TWO\n'));
  });

  it('replaces an unreadable token file with a fresh token', () => {
    const d = tempDir('skiff-node-token-');
    dirs.push(d);
    writeFileSync(join(d.path, 'node-token'), 'garbage');
    assert.doesNotThrow(() => parseJoinToken(ensureNodeToken(d.path, 'CA\n')));
  });

  it('issues a system:node client certificate and a serving certificate for the node', async () => {
    const d = tempDir('skiff-node-creds-');
    dirs.push(d);
    const pki = await ensureClusterPki(d.path, { dns: ['localhost'], ips: ['127.0.0.1'] }, clock);
    const creds = await new NodeCredentialIssuer(pki.dir, clock).issue({ nodeName: 'n1', nodeIP: '10.0.0.5', addresses: ['n1.example', '192.168.1.9'] });
    assert.equal(creds.caPem, pki.caCertPem);
    const ca = new X509Certificate(pki.caCertPem);
    const client = new X509Certificate(creds.clientCertPem);
    assert.deepEqual(client.subject.split('\n').sort(), ['CN=system:node:n1', 'O=system:nodes']);
    assert.ok(client.verify(ca.publicKey));
    const serving = new X509Certificate(creds.servingCertPem);
    assert.equal(serving.subject, 'CN=n1');
    for (const san of ['DNS:n1', 'DNS:localhost', 'DNS:n1.example', 'IP Address:127.0.0.1', 'IP Address:10.0.0.5', 'IP Address:192.168.1.9']) {
      assert.ok(serving.subjectAltName?.includes(san), `${san} in ${serving.subjectAltName}`);
    }
    assert.ok(serving.verify(ca.publicKey));
  });
});
