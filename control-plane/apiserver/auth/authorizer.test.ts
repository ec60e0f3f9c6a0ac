import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { forbiddenError, type AuthorizationAttributes } from './authorizer.js';

const base: AuthorizationAttributes = {
  user: { name: 'bob', groups: [] },
  verb: 'list',
  resourceRequest: true,
  path: '/apis/apps/v1/deployments',
  namespace: '',
  apiGroup: 'apps',
  apiVersion: 'v1',
  resource: 'deployments',
  subresource: '',
  name: '',
};

describe('forbiddenError', () => {
  test('a cluster-scoped denial names the group-qualified resource and the cluster scope', () => {
    const e = forbiddenError(base, '');
    assert.equal(e.status, 403);
    assert.equal(e.message, 'deployments.apps is forbidden: User "bob" cannot list resource "deployments" in API group "apps" at the cluster scope');
  });

  test('a subresource denial names resource/subresource and the reason is appended', () => {
    const e = forbiddenError({ ...base, verb: 'update', namespace: 'prod', name: 'web', subresource: 'scale' }, 'RBAC: no rule');
    assert.equal(
      e.message,
      'deployments.apps "web" is forbidden: User "bob" cannot update resource "deployments/scale" in API group "apps" in the namespace "prod": RBAC: no rule',
    );
  });
});
