import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import { OwnershipGraph } from './ownership-graph.js';

const scope = { namespaced: (_apiVersion: string, kind: string) => (kind === 'Node' ? false : kind === 'Unknown' ? undefined : true) };

function cm(name: string, uid: string, owners: OwnerReference[] = [], extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', uid, ownerReferences: owners, ...extra } };
}

function ref(name: string, uid: string, block = false): OwnerReference {
  return { apiVersion: 'v1', kind: 'ConfigMap', name, uid, ...(block ? { blockOwnerDeletion: true } : {}) };
}

describe('OwnershipGraph', () => {
  it('indexes dependents under their owner uid', () => {
    const g = new OwnershipGraph(scope);
    g.observe(cm('parent', 'p'), 'v1', 'ConfigMap');
    const e = g.observe(cm('child', 'c', [ref('parent', 'p')]), 'v1', 'ConfigMap');
    assert.deepEqual(e.attemptToDelete, [], 'a dependent of an observed owner needs no look');
    assert.deepEqual([...g.get('p')!.dependents].map((d) => d.identity.uid), ['c']);
  });

  it('creates a virtual owner for an unobserved reference and asks to check it', () => {
    const g = new OwnershipGraph(scope);
    const e = g.observe(cm('child', 'c', [ref('parent', 'p')]), 'v1', 'ConfigMap');
    assert.deepEqual(e.attemptToDelete, ['p']);
    const p = g.get('p')!;
    assert.equal(p.virtual, true);
    assert.equal(p.identity.namespace, 'ns', 'a namespaced owner lives in the dependent namespace');
    g.observe(cm('parent', 'p'), 'v1', 'ConfigMap');
    assert.equal(g.get('p')!.virtual, false, 'observing the owner makes it real');
    assert.equal(g.get('p')!.dependents.size, 1, 'and keeps its dependents');
  });

  it('gives a cluster-scoped virtual owner no namespace', () => {
    const g = new OwnershipGraph(scope);
    g.observe(cm('child', 'c', [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'n' }]), 'v1', 'ConfigMap');
    assert.equal(g.get('n')!.identity.namespace, undefined);
  });

  it('looks at every dependent when an owner is deleted, and remembers the owner as absent', () => {
    const g = new OwnershipGraph(scope);
    g.observe(cm('parent', 'p'), 'v1', 'ConfigMap');
    g.observe(cm('a', 'a', [ref('parent', 'p')]), 'v1', 'ConfigMap');
    g.observe(cm('b', 'b', [ref('parent', 'p')]), 'v1', 'ConfigMap');
    const e = g.remove(cm('parent', 'p'));
    assert.deepEqual(e.attemptToDelete.sort(), ['a', 'b']);
    assert.equal(g.get('p'), undefined);
    assert.equal(g.isKnownAbsent('p'), true);
    g.remove(cm('a', 'a', [ref('parent', 'p')]));
    assert.equal(g.isKnownAbsent('a'), false, 'an object nothing refers to is not remembered');
  });

  it('marks a dependent of a known-absent owner for collection at once', () => {
    const g = new OwnershipGraph(scope);
    g.markAbsent('gone');
    const e = g.observe(cm('late', 'l', [ref('parent', 'gone')]), 'v1', 'ConfigMap');
    assert.deepEqual(e.attemptToDelete, ['l']);
  });

  it('drops a virtual owner the API did not find and looks at its dependents', () => {
    const g = new OwnershipGraph(scope);
    g.observe(cm('child', 'c', [ref('parent', 'p')]), 'v1', 'ConfigMap');
    const e = g.removeVirtual('p');
    assert.deepEqual(e.attemptToDelete, ['c']);
    assert.equal(g.get('p'), undefined);
    assert.deepEqual(g.removeVirtual('c').attemptToDelete, [], 'an observed node is never dropped as virtual');
  });

  it('starts deleting dependents on foregroundDeletion: the owner and each dependent are looked at once', () => {
    const g = new OwnershipGraph(scope);
    g.observe(cm('parent', 'p'), 'v1', 'ConfigMap');
    g.observe(cm('a', 'a', [ref('parent', 'p', true)]), 'v1', 'ConfigMap');
    const e = g.observe(cm('parent', 'p', [], { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] }), 'v1', 'ConfigMap');
    assert.deepEqual(e.attemptToDelete, ['a', 'p']);
    assert.equal(g.get('p')!.deletingDependents, true);
    const again = g.observe(cm('parent', 'p', [], { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] }), 'v1', 'ConfigMap');
    assert.deepEqual(again.attemptToDelete, [], 'an unchanged state is no new transition');
  });

  it('reports blocking dependents only for references with blockOwnerDeletion=true', () => {
    const g = new OwnershipGraph(scope);
    g.observe(cm('parent', 'p'), 'v1', 'ConfigMap');
    g.observe(cm('blocks', 'b', [ref('parent', 'p', true)]), 'v1', 'ConfigMap');
    g.observe(cm('free', 'f', [ref('parent', 'p')]), 'v1', 'ConfigMap');
    assert.deepEqual(g.blockingDependents(g.get('p')!).map((n) => n.identity.uid), ['b']);
  });

  it('looks at a foreground owner again when a blocking dependent goes or stops blocking', () => {
    const g = new OwnershipGraph(scope);
    g.observe(cm('parent', 'p', [], { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] }), 'v1', 'ConfigMap');
    g.observe(cm('a', 'a', [ref('parent', 'p', true)]), 'v1', 'ConfigMap');
    g.observe(cm('b', 'b', [ref('parent', 'p', true)]), 'v1', 'ConfigMap');
    assert.deepEqual(g.remove(cm('a', 'a', [ref('parent', 'p', true)])).attemptToDelete, ['p']);
    assert.deepEqual(g.observe(cm('b', 'b', [ref('parent', 'p', false)]), 'v1', 'ConfigMap').attemptToDelete, ['p']);
    assert.deepEqual(g.blockingDependents(g.get('p')!), []);
  });

  it('collects a dependent that joins an owner already deleting its dependents', () => {
    const g = new OwnershipGraph(scope);
    g.observe(cm('parent', 'p', [], { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] }), 'v1', 'ConfigMap');
    assert.deepEqual(g.observe(cm('late', 'l', [ref('parent', 'p', true)]), 'v1', 'ConfigMap').attemptToDelete, ['l']);
  });

  it('asks to orphan once when an owner is being deleted with the orphan finalizer', () => {
    const g = new OwnershipGraph(scope);
    g.observe(cm('parent', 'p'), 'v1', 'ConfigMap');
    const marked = cm('parent', 'p', [], { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['orphan'] });
    assert.deepEqual(g.observe(marked, 'v1', 'ConfigMap').attemptToOrphan, ['p']);
    assert.deepEqual(g.observe(marked, 'v1', 'ConfigMap').attemptToOrphan, []);
  });

  it('unlinks a dependent from an owner whose reference it dropped', () => {
    const g = new OwnershipGraph(scope);
    g.observe(cm('parent', 'p'), 'v1', 'ConfigMap');
    g.observe(cm('child', 'c', [ref('parent', 'p')]), 'v1', 'ConfigMap');
    g.observe(cm('child', 'c'), 'v1', 'ConfigMap');
    assert.equal(g.get('p')!.dependents.size, 0);
    assert.deepEqual(g.remove(cm('parent', 'p')).attemptToDelete, [], 'an orphaned child is not looked at');
  });

  it('forgets a uid as absent once it is observed again', () => {
    const g = new OwnershipGraph(scope);
    g.markAbsent('p');
    g.observe(cm('parent', 'p'), 'v1', 'ConfigMap');
    assert.equal(g.isKnownAbsent('p'), false);
  });
});
