import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { missingServiceAccounts, newServiceAccount } from './ensure.js';

const ns = (status?: { phase?: string }, deletionTimestamp?: string) => ({ metadata: { name: 'x', ...(deletionTimestamp ? { deletionTimestamp } : {}) }, ...(status ? { status } : {}) });

describe('missingServiceAccounts', () => {
  it('wants a default ServiceAccount in an active namespace that lacks one', () => {
    assert.deepEqual(missingServiceAccounts(ns({ phase: 'Active' }), new Set()), ['default']);
  });

  it('wants nothing when default exists', () => {
    assert.deepEqual(missingServiceAccounts(ns({ phase: 'Active' }), new Set(['default', 'builder'])), []);
  });

  it('creates nothing in a terminating namespace, so deletion is not undone', () => {
    assert.deepEqual(missingServiceAccounts(ns({ phase: 'Terminating' }), new Set()), []);
    assert.deepEqual(missingServiceAccounts(ns({ phase: 'Active' }, '2026-01-01T00:00:00Z'), new Set()), []);
  });

  it('builds the ServiceAccount with only a name and namespace', () => {
    assert.deepEqual(newServiceAccount('x', 'default'), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'x' } });
  });
});
