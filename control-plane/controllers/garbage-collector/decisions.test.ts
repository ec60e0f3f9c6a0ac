import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import { newBuiltinTable } from '../../api/resources/index.js';
import { decide, liveOwnerState, removeFinalizerPatch, removeOwnerRefsPatch, unblockOwnerRefsPatch, type RefState } from './decisions.js';
import { gcMonitoredKinds, KindResolver, namespacedDeletableKinds } from './resource-kinds.js';

const ref = (uid: string, block?: boolean): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name: uid, uid, ...(block === undefined ? {} : { blockOwnerDeletion: block }) });
const refs = (...states: [string, RefState][]) => states.map(([uid, state]) => ({ ref: ref(uid), state }));
const plain = { finalizers: [], hasDependents: false, dependentDeletingDependents: false };

describe('decide (attemptToDeleteItem)', () => {
  it('keeps an object whose owners are all solid', () => {
    assert.deepEqual(decide(refs(['a', 'solid'], ['b', 'solid']), plain), { action: 'none' });
  });

  it('keeps an object with a live owner but drops its dangling and waiting references', () => {
    assert.deepEqual(decide(refs(['a', 'solid'], ['b', 'dangling'], ['c', 'waiting']), plain), { action: 'removeOwnerRefs', uids: ['b', 'c'] });
  });

  it('deletes in the background an object whose owners are all gone', () => {
    assert.deepEqual(decide(refs(['a', 'dangling']), plain), { action: 'delete', policy: 'Background', unblockUids: [] });
  });

  it('honours the object’s own orphan or foreground finalizer as its propagation', () => {
    assert.deepEqual(decide(refs(['a', 'dangling']), { ...plain, finalizers: ['orphan'] }), { action: 'delete', policy: 'Orphan', unblockUids: [] });
    assert.deepEqual(decide(refs(['a', 'dangling']), { ...plain, finalizers: ['foregroundDeletion'] }), { action: 'delete', policy: 'Foreground', unblockUids: [] });
  });

  it('deletes in the foreground an object with dependents whose owner waits for them', () => {
    assert.deepEqual(decide(refs(['a', 'waiting']), { ...plain, hasDependents: true }), { action: 'delete', policy: 'Foreground', unblockUids: [] });
  });

  it('unblocks the waiting owners first when a dependent is itself deleting dependents (cycle guard)', () => {
    assert.deepEqual(decide(refs(['a', 'waiting'], ['b', 'dangling']), { ...plain, hasDependents: true, dependentDeletingDependents: true }), {
      action: 'delete',
      policy: 'Foreground',
      unblockUids: ['a'],
    });
  });

  it('deletes in the background a leaf whose owner waits for it', () => {
    assert.deepEqual(decide(refs(['a', 'waiting']), plain), { action: 'delete', policy: 'Background', unblockUids: [] });
  });

  it('does nothing for an object without owners', () => {
    assert.deepEqual(decide([], plain), { action: 'none' });
  });
});

describe('owner state and patches', () => {
  const obj = (meta: Partial<KubeObject['metadata']>): KubeObject => ({ metadata: { name: 'x', uid: 'x', resourceVersion: '7', ...meta } });

  it('treats an owner being deleted in the foreground as waiting, anything else alive as solid', () => {
    assert.equal(liveOwnerState(obj({ deletionTimestamp: 't', finalizers: ['foregroundDeletion'] })), 'waiting');
    assert.equal(liveOwnerState(obj({ deletionTimestamp: 't', finalizers: ['orphan'] })), 'solid');
    assert.equal(liveOwnerState(obj({})), 'solid');
  });

  it('removes owner references with a resourceVersion guard, and the field when none is left', () => {
    const o = obj({ ownerReferences: [ref('a'), ref('b')] });
    assert.deepEqual(removeOwnerRefsPatch(o, ['a']), { metadata: { resourceVersion: '7', ownerReferences: [ref('b')] } });
    assert.deepEqual(removeOwnerRefsPatch(o, ['a', 'b']), { metadata: { resourceVersion: '7', ownerReferences: null } });
    assert.equal(removeOwnerRefsPatch(o, ['zzz']), undefined);
  });

  it('unblocks only references that block', () => {
    const o = obj({ ownerReferences: [ref('a', true), ref('b', true)] });
    assert.deepEqual(unblockOwnerRefsPatch(o, ['a']), { metadata: { resourceVersion: '7', ownerReferences: [ref('a', false), ref('b', true)] } });
    assert.equal(unblockOwnerRefsPatch(obj({ ownerReferences: [ref('a', false)] }), ['a']), undefined);
  });

  it('removes one finalizer, and the field when it was the last', () => {
    assert.deepEqual(removeFinalizerPatch(obj({ finalizers: ['orphan', 'example.com/x'] }), 'orphan'), { metadata: { resourceVersion: '7', finalizers: ['example.com/x'] } });
    assert.deepEqual(removeFinalizerPatch(obj({ finalizers: ['foregroundDeletion'] }), 'foregroundDeletion'), { metadata: { resourceVersion: '7', finalizers: null } });
    assert.equal(removeFinalizerPatch(obj({}), 'orphan'), undefined);
  });
});

describe('resource kinds from the table', () => {
  const table = newBuiltinTable();

  it('monitors every stored kind with list, watch and delete except events', () => {
    const names = gcMonitoredKinds(table).map((k) => `${k.group}/${k.resource}`);
    for (const r of ['/pods', '/configmaps', '/namespaces', '/nodes', 'apps/replicasets', 'apps/deployments', 'batch/jobs']) assert.ok(names.includes(r), r);
    assert.ok(!names.includes('/events'));
    assert.ok(!names.some((n) => n.endsWith('selfsubjectreviews')), 'virtual kinds are not stored');
  });

  it('lists only namespaced kinds for namespace deletion, events included', () => {
    const kinds = namespacedDeletableKinds(table);
    assert.ok(kinds.every((k) => k.namespaced));
    const names = kinds.map((k) => `${k.group}/${k.resource}`);
    for (const r of ['/pods', '/configmaps', '/secrets', '/services', '/serviceaccounts', '/events', 'apps/replicasets']) assert.ok(names.includes(r), r);
    assert.ok(!names.includes('/namespaces') && !names.includes('/nodes'));
  });

  it('resolves an ownerReference of any version of a group to the stored kind', () => {
    const r = new KindResolver(gcMonitoredKinds(table));
    assert.equal(r.resolve('apps/v1', 'ReplicaSet')?.resource, 'replicasets');
    assert.equal(r.resolve('apps/v1beta2', 'ReplicaSet')?.version, 'v1');
    assert.equal(r.resolve('v1', 'Node')?.namespaced, false);
    assert.equal(r.resolve('example.com/v1', 'Widget'), undefined);
  });
});
