import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../control-plane/api/meta.js';
import { applyDefaultTag, parseImage, repositoryOf } from './image-puller-ref.js';
import { authConfigsFor, lookup, makeKeyring, serverAddressFor, urlsMatch } from './pull-secrets.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function dockerConfigJson(auths: Record<string, unknown>): KubeObject {
  return { metadata: { name: 'regcred' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) } };
}

describe('image references', () => {
  it('normalizes registry hosts and library paths as docker does', () => {
    assert.equal(repositoryOf('busybox'), 'docker.io/library/busybox');
    assert.equal(repositoryOf('user/app:1'), 'docker.io/user/app');
    assert.equal(repositoryOf('index.docker.io/user/app'), 'docker.io/user/app');
    assert.equal(repositoryOf('localhost/busybox:1.0'), 'localhost/busybox');
    assert.equal(repositoryOf('127.0.0.1:5000/ns/app@sha256:abc'), '127.0.0.1:5000/ns/app');
    assert.deepEqual(parseImage('reg.io:443/a/b:v2'), { host: 'reg.io:443', path: 'a/b', tag: 'v2' });
  });

  it('adds :latest only to images with neither tag nor digest', () => {
    assert.equal(applyDefaultTag('busybox'), 'busybox:latest');
    assert.equal(applyDefaultTag('localhost:5000/app'), 'localhost:5000/app:latest');
    assert.equal(applyDefaultTag('busybox:1.36'), 'busybox:1.36');
    assert.equal(applyDefaultTag('busybox@sha256:abc'), 'busybox@sha256:abc');
  });
});

describe('pull secret keyring', () => {
  it('reads dockerconfigjson and dockercfg secrets, decoding auth into username and password', () => {
    const ring = makeKeyring([
      dockerConfigJson({ 'reg.example.com': { auth: b64('alice:s3cret') } }),
      { metadata: { name: 'old' }, type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64(JSON.stringify({ 'https://other.io/v1/': { username: 'bob', password: 'pw' } })) } },
      { metadata: { name: 'opaque' }, type: 'Opaque', data: { '.dockerconfigjson': b64('{}') } },
    ]);
    assert.deepEqual(lookup(ring, 'reg.example.com/app:1'), [{ username: 'alice', password: 's3cret', auth: b64('alice:s3cret') }]);
    assert.deepEqual(lookup(ring, 'other.io/x/y'), [{ username: 'bob', password: 'pw', auth: b64('bob:pw') }]);
    assert.deepEqual(lookup(ring, 'nowhere.io/x'), []);
  });

  it('matches globbed hosts, ports and path prefixes, longest key first', () => {
    assert.equal(urlsMatch('*.example.com', 'reg.example.com/a'), true);
    assert.equal(urlsMatch('*.example.com', 'a.b.example.com/a'), false);
    assert.equal(urlsMatch('reg.io:5000', 'reg.io/a'), false);
    assert.equal(urlsMatch('reg.io/team', 'reg.io/team/app'), true);
    assert.equal(urlsMatch('reg.io/team', 'reg.io/other/app'), false);
    const ring = makeKeyring([dockerConfigJson({ 'reg.io': { username: 'general', password: 'g' }, 'reg.io/team': { username: 'team', password: 't' } })]);
    assert.deepEqual(lookup(ring, 'reg.io/team/app').map((c) => c.username), ['team', 'general']);
  });

  it('falls back to index.docker.io credentials for docker.io images', () => {
    const ring = makeKeyring([dockerConfigJson({ 'https://index.docker.io/v1/': { username: 'hub', password: 'h' } })]);
    assert.deepEqual(lookup(ring, 'busybox').map((c) => c.username), ['hub']);
  });

  it('gives serverAddress the scheme and host containerd contacts', () => {
    assert.equal(serverAddressFor('127.0.0.1:5000'), 'http://127.0.0.1:5000');
    assert.equal(serverAddressFor('localhost:5000'), 'http://localhost:5000');
    assert.equal(serverAddressFor('reg.example.com'), 'https://reg.example.com');
    assert.equal(serverAddressFor('docker.io'), 'https://registry-1.docker.io');
    const ring = makeKeyring([dockerConfigJson({ '127.0.0.1:5000': { username: 'u', password: 'p' } })]);
    assert.deepEqual(authConfigsFor(ring, '127.0.0.1:5000/busybox:1.0'), [{ username: 'u', password: 'p', auth: b64('u:p'), serverAddress: 'http://127.0.0.1:5000' }]);
  });
});
