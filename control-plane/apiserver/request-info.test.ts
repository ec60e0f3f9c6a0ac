import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo } from './request-info.js';

describe('parseRequestInfo', () => {
  test('a namespaced list in the core group is verb list with the namespace and resource', () => {
    const ri = parseRequestInfo('GET', '/api/v1/namespaces/default/pods?limit=500');
    assert.equal(ri.isResourceRequest, true);
    assert.equal(ri.verb, 'list');
    assert.equal(ri.apiGroup, '');
    assert.equal(ri.apiVersion, 'v1');
    assert.equal(ri.namespace, 'default');
    assert.equal(ri.resource, 'pods');
    assert.equal(ri.name, '');
    assert.equal(ri.path, '/api/v1/namespaces/default/pods');
  });

  test('a GET with watch=true on a collection is a watch, and watch=1 too', () => {
    assert.equal(parseRequestInfo('GET', '/api/v1/pods?watch=true&resourceVersion=5').verb, 'watch');
    assert.equal(parseRequestInfo('GET', '/apis/apps/v1/deployments?watch=1').verb, 'watch');
    assert.equal(parseRequestInfo('GET', '/api/v1/pods?watch=false').verb, 'list');
  });

  test('the legacy /watch/ path segment makes a watch', () => {
    const ri = parseRequestInfo('GET', '/api/v1/watch/namespaces/kube-system/pods');
    assert.equal(ri.verb, 'watch');
    assert.equal(ri.namespace, 'kube-system');
    assert.equal(ri.resource, 'pods');
  });

  test('a single-object watch by field selector carries the name', () => {
    const ri = parseRequestInfo('GET', '/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dweb-0&watch=true');
    assert.equal(ri.verb, 'watch');
    assert.equal(ri.name, 'web-0');
  });

  test('a named object in a group with a subresource', () => {
    const ri = parseRequestInfo('PUT', '/apis/apps/v1/namespaces/prod/deployments/web/scale');
    assert.equal(ri.verb, 'update');
    assert.equal(ri.apiGroup, 'apps');
    assert.equal(ri.apiVersion, 'v1');
    assert.equal(ri.namespace, 'prod');
    assert.equal(ri.resource, 'deployments');
    assert.equal(ri.name, 'web');
    assert.equal(ri.subresource, 'scale');
  });

  test('methods map to create, patch, delete and deletecollection', () => {
    assert.equal(parseRequestInfo('POST', '/api/v1/namespaces/default/pods').verb, 'create');
    assert.equal(parseRequestInfo('PATCH', '/api/v1/nodes/n1').verb, 'patch');
    assert.equal(parseRequestInfo('DELETE', '/api/v1/namespaces/default/pods/p').verb, 'delete');
    assert.equal(parseRequestInfo('DELETE', '/api/v1/namespaces/default/pods').verb, 'deletecollection');
    assert.equal(parseRequestInfo('GET', '/api/v1/nodes/n1').verb, 'get');
    assert.equal(parseRequestInfo('HEAD', '/api/v1/nodes/n1').verb, 'get');
  });

  test('a namespace object is named by and scoped to itself, also for status and finalize', () => {
    const ns = parseRequestInfo('GET', '/api/v1/namespaces/team-a');
    assert.deepEqual([ns.resource, ns.name, ns.namespace, ns.subresource], ['namespaces', 'team-a', 'team-a', '']);
    const fin = parseRequestInfo('PUT', '/api/v1/namespaces/team-a/finalize');
    assert.deepEqual([fin.resource, fin.name, fin.namespace, fin.subresource], ['namespaces', 'team-a', 'team-a', 'finalize']);
    const all = parseRequestInfo('GET', '/api/v1/namespaces');
    assert.deepEqual([all.resource, all.name, all.namespace, all.verb], ['namespaces', '', '', 'list']);
  });

  test('a cluster-scoped list has no namespace', () => {
    const ri = parseRequestInfo('GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles');
    assert.equal(ri.namespace, '');
    assert.equal(ri.apiGroup, 'rbac.authorization.k8s.io');
    assert.equal(ri.resource, 'clusterroles');
  });

  test('extra path segments after a subresource are kept as parts', () => {
    const ri = parseRequestInfo('GET', '/api/v1/namespaces/default/services/web/proxy/a/b');
    assert.equal(ri.subresource, 'proxy');
    assert.deepEqual(ri.parts, ['a', 'b']);
  });

  test('discovery and health paths are non-resource requests with the lower-cased method as verb', () => {
    for (const p of ['/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/healthz', '/version', '/metrics', '/']) {
      const ri = parseRequestInfo('GET', p);
      assert.equal(ri.isResourceRequest, false, p);
      assert.equal(ri.verb, 'get', p);
      assert.equal(ri.resource, '', p);
    }
    assert.equal(parseRequestInfo('POST', '/livez').verb, 'post');
  });

  test('percent-encoded segments are decoded', () => {
    assert.equal(parseRequestInfo('GET', '/api/v1/namespaces/default/configmaps/a%3Ab').name, 'a:b');
  });
});
