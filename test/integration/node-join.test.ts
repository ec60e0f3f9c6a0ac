/**
 * Joining a node to a real `skiff server` with the node token, as
 * `skiff agent --server … --token …` does: DIR/node-token in k3s's format,
 * GET /cacerts, joinCluster (agent/join) obtaining a system:node:NAME
 * client certificate and a kubelet serving certificate, the token and CA
 * hash checks, and the node identity seen by the API (`kubectl auth whoami`
 * with the agent's kubeconfig).
 */
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { joinCluster, JoinError } from '../../agent/join/join-client.js';
import { Kubectl } from '../helpers/kubectl.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

function call(port: number, method: string, path: string, opts: { ca?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const r = request(
      { host: '127.0.0.1', port, method, path, ...(opts.ca ? { ca: opts.ca } : { rejectUnauthorized: false }), headers: opts.headers },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    r.on('error', reject);
    r.end(opts.body);
  });
}

describe('node join', () => {
  let server: SkiffHandle;
  let agentDir: TempDir;
  let home: TempDir;
  let token = '';
  let caPem = '';

  before(async () => {
    server = await startSkiff({ extraArgs: ['--disable-controller-manager', '--disable-scheduler'] });
    agentDir = tempDir('skiff-join-agent-');
    home = tempDir('skiff-join-home-');
    token = readFileSync(join(server.dataDir, 'node-token'), 'utf8').trim();
    caPem = readFileSync(join(server.dataDir, 'tls', 'ca.crt'), 'utf8');
  });

  after(async () => {
    await server?.stop();
    agentDir?.remove();
    home?.remove();
  });

  it('the server writes DIR/node-token as K10<sha256 of the CA>::node:<secret>, mode 0600, kept across restarts', async () => {
    const hash = createHash('sha256').update(caPem).digest('hex');
    assert.match(token, new RegExp(`^K10${hash}::node:[0-9a-f]{64}$`));
    assert.equal(statSync(join(server.dataDir, 'node-token')).mode & 0o777, 0o600);
    await server.restart();
    assert.equal(readFileSync(join(server.dataDir, 'node-token'), 'utf8').trim(), token);
  });

  it('GET /cacerts serves the CA without credentials', async () => {
    const r = await call(server.port, 'GET', '/cacerts');
    assert.equal(r.status, 200);
    assert.equal(r.text, caPem);
  });

  it('joinCluster obtains certificates for system:node:NAME and a kubelet serving certificate', async () => {
    const res = await joinCluster({ server: server.url, token, nodeName: 'worker-1', nodeIP: '10.9.8.7', dataDir: agentDir.path });
    assert.equal(res.reused, false);
    const tls = join(agentDir.path, 'agent', 'tls');
    for (const [f, mode] of [['ca.crt', 0o644], ['client.crt', 0o644], ['client.key', 0o600], ['serving.crt', 0o644], ['serving.key', 0o600]] as const) {
      assert.equal(statSync(join(tls, f)).mode & 0o777, mode, f);
    }
    assert.equal(readFileSync(join(tls, 'ca.crt'), 'utf8'), caPem);
    const client = new X509Certificate(readFileSync(join(tls, 'client.crt')));
    assert.deepEqual(client.subject.split('\n').sort(), ['CN=system:node:worker-1', 'O=system:nodes']);
    assert.ok(client.verify(new X509Certificate(caPem).publicKey));
    const serving = new X509Certificate(readFileSync(join(tls, 'serving.crt')));
    assert.equal(serving.subject, 'CN=worker-1');
    assert.match(serving.subjectAltName ?? '', /DNS:worker-1/);
    assert.match(serving.subjectAltName ?? '', /IP Address:10\.9\.8\.7/);
    assert.equal(statSync(res.kubeconfigPath).mode & 0o777, 0o600);
  });

  it("the node's kubeconfig authenticates as system:node:NAME in group system:nodes", async () => {
    const kubectl = new Kubectl('1.32', join(agentDir.path, 'agent', 'kubeconfig.yaml'), home.path);
    const r = await kubectl.run(['auth', 'whoami', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const info = (JSON.parse(r.stdout) as { status: { userInfo: { username: string; groups: string[] } } }).status.userInfo;
    assert.equal(info.username, 'system:node:worker-1');
    assert.deepEqual(info.groups, ['system:nodes', 'system:authenticated']);
  });

  it('a later join reuses the certificates for the same node and issues new ones for another name', async () => {
    const clientBefore = readFileSync(join(agentDir.path, 'agent', 'tls', 'client.crt'), 'utf8');
    const again = await joinCluster({ server: server.url, token, nodeName: 'worker-1', dataDir: agentDir.path });
    assert.equal(again.reused, true);
    assert.equal(again.clientCertPem, clientBefore);
    const renamed = await joinCluster({ server: server.url, token, nodeName: 'worker-2', dataDir: agentDir.path });
    assert.equal(renamed.reused, false);
    assert.match(new X509Certificate(renamed.clientCertPem).subject, /CN=system:node:worker-2/);
  });

  it('a wrong secret is refused with 401', async () => {
    const wrong = token.replace(/::node:.*$/, '::node:' + 'f'.repeat(64));
    const fresh = tempDir('skiff-join-wrong-');
    try {
      await assert.rejects(joinCluster({ server: server.url, token: wrong, nodeName: 'intruder', dataDir: fresh.path }), (err: unknown) => {
        assert.ok(err instanceof JoinError);
        assert.match(err.message, /rejected the join token \(401 Unauthorized\)/);
        return true;
      });
      assert.equal(existsSync(join(fresh.path, 'agent', 'tls', 'client.key')), false);
    } finally {
      fresh.remove();
    }
    const raw = await call(server.port, 'POST', '/skiff/v1/node-credentials', {
      ca: caPem,
      headers: { authorization: `Bearer ${wrong}`, 'content-type': 'application/json' },
      body: JSON.stringify({ nodeName: 'intruder' }),
    });
    assert.equal(raw.status, 401);
    assert.deepEqual(JSON.parse(raw.text), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    const none = await call(server.port, 'POST', '/skiff/v1/node-credentials', { ca: caPem, headers: { 'content-type': 'application/json' }, body: '{"nodeName":"x"}' });
    assert.equal(none.status, 401);
  });

  it('a token whose CA hash does not match the server is refused before anything is sent', async () => {
    const tampered = token.replace(/^K10[0-9a-f]{64}/, `K10${'0'.repeat(64)}`);
    const fresh = tempDir('skiff-join-hash-');
    try {
      await assert.rejects(joinCluster({ server: server.url, token: tampered, nodeName: 'worker-3', dataDir: fresh.path }), /does not match the join token's \(sha256 0{64}\): refusing to trust/);
      assert.equal(existsSync(join(fresh.path, 'agent', 'tls', 'client.crt')), false);
    } finally {
      fresh.remove();
    }
  });

  it('a bad node name is a 400 Status', async () => {
    const r = await call(server.port, 'POST', '/skiff/v1/node-credentials', {
      ca: caPem,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ nodeName: 'Not_A_Name' }),
    });
    assert.equal(r.status, 400);
    assert.match((JSON.parse(r.text) as { message: string }).message, /invalid nodeName "Not_A_Name"/);
  });
});
