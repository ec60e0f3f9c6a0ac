/**
 * The shell over real TLS: client certificates from the cluster CA
 * authenticate as CN/O, certificates from another CA and missing
 * credentials do not, and the serving certificate verifies against the CA.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import type { FastifyInstance } from 'fastify';
import { systemClock } from '../../control-plane/api/meta.js';
import { ResourceTable } from '../../control-plane/api/resource-table.js';
import { AdmissionChain } from '../../control-plane/apiserver/admission/admission.js';
import { newAuthenticator } from '../../control-plane/apiserver/auth/authenticator.js';
import { ServerMetrics } from '../../control-plane/apiserver/metrics/api-metrics.js';
import { buildServer } from '../../control-plane/apiserver/server.js';
import { issueClientCert } from '../../control-plane/pki/certificates.js';
import { ensureClusterPki, type ClusterPki } from '../../control-plane/pki/cluster-pki.js';
import { importKeyPair } from '../../control-plane/pki/keys.js';
import * as x509 from '@peculiar/x509';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryStore } from '../helpers/memory-store.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Creds {
  cert?: string;
  key?: string;
  token?: string;
}

describe('buildServer over TLS', () => {
  const dir = tempDir();
  const otherDir = tempDir();
  let app: FastifyInstance;
  let pki: ClusterPki;
  let foreign: ClusterPki;
  let port = 0;

  const get = (path: string, creds: Creds = {}): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = creds.token ? { authorization: `Bearer ${creds.token}` } : {};
      const r = request(
        { host: '127.0.0.1', port, path, ca: pki.caCertPem, servername: 'localhost', cert: creds.cert, key: creds.key, headers },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      r.on('error', reject);
      r.end();
    });

  before(async () => {
    pki = await ensureClusterPki(dir.path, { dns: ['localhost'], ips: ['127.0.0.1'] }, systemClock);
    foreign = await ensureClusterPki(otherDir.path, { dns: ['localhost'], ips: ['127.0.0.1'] }, systemClock);
    const metrics = new ServerMetrics();
    app = buildServer(
      {
        table: new ResourceTable(),
        store: new MemoryStore(),
        clock: systemClock,
        newUid: () => 'u',
        randomSuffix: (n) => 'x'.repeat(n),
        admission: new AdmissionChain([], []),
        metrics,
        gitVersion: 'v1.33.0+skiff.0.1.0',
      },
      {
        tls: { key: pki.serverKeyPem, cert: pki.serverCertPem, ca: pki.caCertPem },
        authenticator: newAuthenticator(new Map([['tok', { name: 'bob', groups: [] }]])),
        metrics,
        routes: (a) => a.get('/test/whoami', async (req) => req.user),
      },
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    port = addr !== null && typeof addr === 'object' ? addr.port : 0;
  });

  after(async () => {
    try {
      await app.close();
    } finally {
      dir.remove();
      otherDir.remove();
    }
  });

  test('the admin client certificate authenticates as admin in system:masters', async () => {
    const r = await get('/test/whoami', { cert: pki.adminCertPem, key: pki.adminKeyPem });
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { name: 'admin', groups: ['system:masters', 'system:authenticated'] });
  });

  test('a certificate with several O values yields every group', async () => {
    const ca = { cert: new x509.X509Certificate(pki.caCertPem), keys: await importKeyPair(readFileSync(join(pki.dir, 'ca.key'), 'utf8')) };
    const issued = await issueClientCert(ca, 'system:node:n1', ['system:nodes', 'extra'], new Date());
    const r = await get('/test/whoami', { cert: issued.certPem, key: issued.keyPem });
    assert.deepEqual(JSON.parse(r.body), { name: 'system:node:n1', groups: ['system:nodes', 'extra', 'system:authenticated'] });
  });

  test('a certificate from another CA is 401, even with the right name', async () => {
    const r = await get('/test/whoami', { cert: foreign.adminCertPem, key: foreign.adminKeyPem });
    assert.equal(r.status, 401);
    assert.equal(JSON.parse(r.body).reason, 'Unauthorized');
  });

  test('a bearer token works over TLS without a certificate', async () => {
    const r = await get('/test/whoami', { token: 'tok' });
    assert.equal(JSON.parse(r.body).name, 'bob');
  });

  test('no credentials: 401 on the API, ok on /healthz', async () => {
    assert.equal((await get('/test/whoami')).status, 401);
    const h = await get('/healthz');
    assert.deepEqual(h, { status: 200, body: 'ok' });
  });
});
