import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { apiVerb, certUser, decide, subresourcesFor } from './kubelet-auth.js';

describe('agent server authentication and authorization', () => {
  it('rejects a peer whose certificate did not verify as unauthorized', () => {
    assert.deepEqual(decide({ authorized: false, subject: { CN: 'kube-apiserver-kubelet-client' } }, 'GET', '/healthz'), { kind: 'unauthorized' });
  });

  it('rejects a verified certificate without a common name as unauthorized', () => {
    assert.deepEqual(decide({ authorized: true, subject: { O: 'system:masters' } }, 'GET', '/healthz'), { kind: 'unauthorized' });
  });

  it("allows the API server's kubelet client and members of system:masters", () => {
    assert.equal(decide({ authorized: true, subject: { CN: 'kube-apiserver-kubelet-client' } }, 'POST', '/exec/a/b/c').kind, 'allowed');
    assert.equal(decide({ authorized: true, subject: { CN: 'admin', O: ['dev', 'system:masters'] } }, 'GET', '/metrics').kind, 'allowed');
  });

  it("forbids anyone else with upstream's message", () => {
    assert.deepEqual(decide({ authorized: true, subject: { CN: 'alice', O: 'dev' } }, 'GET', '/stats/summary'), {
      kind: 'forbidden',
      message: 'Forbidden (user=alice, verb=get, resource=nodes, subresource(s)=[stats])\n',
    });
    assert.equal(
      (decide({ authorized: true, subject: { CN: 'system:node:n1', O: 'system:nodes' } }, 'POST', '/exec/ns/p/c') as { message: string }).message,
      'Forbidden (user=system:node:n1, verb=create, resource=nodes, subresource(s)=[proxy])\n',
    );
  });

  it('maps paths to node subresources as the kubelet does', () => {
    assert.deepEqual(subresourcesFor('/stats/summary'), ['stats']);
    assert.deepEqual(subresourcesFor('/metrics'), ['metrics']);
    assert.deepEqual(subresourcesFor('/metrics/resource'), ['metrics']);
    assert.deepEqual(subresourcesFor('/logs/syslog'), ['log']);
    assert.deepEqual(subresourcesFor('/containerLogs/ns/p/c'), ['proxy']);
    assert.deepEqual(subresourcesFor('/pods'), ['pods', 'proxy']);
    assert.deepEqual(subresourcesFor('/healthz'), ['healthz', 'proxy']);
    assert.deepEqual(subresourcesFor('/metricsx'), ['proxy']);
  });

  it('maps methods to API verbs', () => {
    assert.deepEqual(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map(apiVerb), ['get', 'create', 'update', 'patch', 'delete', '']);
  });

  it('reads the user from CN and the groups from every O', () => {
    assert.deepEqual(certUser({ CN: 'bob', O: ['a', 'b'] }), { name: 'bob', groups: ['a', 'b'] });
    assert.deepEqual(certUser({ CN: 'bob' }), { name: 'bob', groups: [] });
    assert.equal(certUser(undefined), undefined);
  });
});
