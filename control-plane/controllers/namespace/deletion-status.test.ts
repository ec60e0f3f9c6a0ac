import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import {
  estimatePodTermination,
  failingConditions,
  FINALIZER_ESTIMATE_SECONDS,
  gvrString,
  mergeConditions,
  resourceOutcome,
  type NamespaceCondition,
} from './deletion-status.js';

const cm = { group: '', version: 'v1', resource: 'configmaps' };
const item = (name: string, finalizers?: string[]): KubeObject => ({ metadata: { name, ...(finalizers ? { finalizers } : {}) } });
const T0 = new Date('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

describe('resourceOutcome', () => {
  it('reports nothing left when the list is empty', () => {
    const o = resourceOutcome(cm, 'x', [], 30);
    assert.equal(o.numRemaining, 0);
    assert.equal(o.finalizerEstimateSeconds, 0);
    assert.equal(o.error, undefined);
  });

  it('counts items held by finalizers and waits the default finalizer estimate', () => {
    const o = resourceOutcome(cm, 'x', [item('a', ['example.com/hold']), item('b', ['example.com/hold', 'orphan'])], 0);
    assert.equal(o.numRemaining, 2);
    assert.equal(o.finalizerEstimateSeconds, FINALIZER_ESTIMATE_SECONDS);
    assert.deepEqual([...o.finalizersToNumRemaining], [['example.com/hold', 2], ['orphan', 1]]);
  });

  it('keeps a graceful-termination estimate while items remain', () => {
    const o = resourceOutcome({ group: '', version: 'v1', resource: 'pods' }, 'x', [item('p')], 30);
    assert.equal(o.finalizerEstimateSeconds, 30);
    assert.equal(o.error, undefined);
  });

  it('fails with upstream’s message when items remain with no reason to wait', () => {
    const o = resourceOutcome({ group: 'apps', version: 'v1', resource: 'replicasets' }, 'x', [item('r')], 0);
    assert.equal(o.error, 'unexpected items still remain in namespace: x for gvr: apps/v1, Resource=replicasets');
  });

  it('prints group-version-resources as upstream does', () => {
    assert.equal(gvrString('', 'v1', 'pods'), '/v1, Resource=pods');
  });
});

describe('estimatePodTermination', () => {
  const pod = (grace: number | undefined, phase = 'Running') => ({ metadata: { name: 'p' }, spec: grace === undefined ? {} : { terminationGracePeriodSeconds: grace }, status: { phase } });

  it('is the longest grace period of the non-terminal pods', () => {
    assert.equal(estimatePodTermination([pod(30), pod(60), pod(90, 'Succeeded')], T0, at(1)), 60);
  });

  it('is 0 once that long has passed since the namespace was deleted', () => {
    assert.equal(estimatePodTermination([pod(30)], T0, at(30)), 0);
    assert.equal(estimatePodTermination([], T0, at(0)), 0);
  });
});

describe('namespace deletion conditions', () => {
  it('sets all five conditions to their ok form when nothing failed', () => {
    const { conditions, changed } = mergeConditions([], failingConditions([resourceOutcome(cm, 'x', [], 0)]), T0);
    assert.equal(changed, true);
    assert.deepEqual(
      conditions.map((c) => [c.type, c.status, c.reason, c.message]),
      [
        ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered'],
        ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'],
        ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
        ['NamespaceContentRemaining', 'False', 'ContentRemoved', 'All content successfully removed'],
        ['NamespaceFinalizersRemaining', 'False', 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'],
      ],
    );
    assert.ok(conditions.every((c) => c.lastTransitionTime === '2026-01-01T00:00:00Z'));
  });

  it('reports remaining content and finalizers with upstream reasons and sorted messages', () => {
    const outcomes = [
      resourceOutcome(cm, 'x', [item('a', ['example.com/hold'])], 0),
      resourceOutcome({ group: 'apps', version: 'v1', resource: 'replicasets' }, 'x', [item('r', ['example.com/hold']), item('s', ['foregroundDeletion'])], 0),
    ];
    const failing = failingConditions(outcomes);
    assert.deepEqual(failing, [
      { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: configmaps. has 1 resource instances, replicasets.apps has 2 resource instances' },
      {
        type: 'NamespaceFinalizersRemaining',
        status: 'True',
        reason: 'SomeFinalizersRemain',
        message: 'Some content in the namespace has finalizers remaining: example.com/hold in 2 resource instances, foregroundDeletion in 1 resource instances',
      },
    ]);
  });

  it('reports deletion failures, discovery and parsing failures', () => {
    const bad = resourceOutcome(cm, 'x', [item('a')], 0);
    const failing = failingConditions([bad], { discovery: 'Discovery failed for some groups, 1 failing: boom', groupVersionParsing: 'bad gv' });
    const byType = new Map(failing.map((c) => [c.type, c]));
    assert.equal(byType.get('NamespaceDeletionDiscoveryFailure')?.reason, 'DiscoveryFailed');
    assert.equal(byType.get('NamespaceDeletionGroupVersionParsingFailure')?.reason, 'GroupVersionParsingFailed');
    assert.equal(byType.get('NamespaceDeletionContentFailure')?.message, 'Failed to delete all resource types, 1 remaining: unexpected items still remain in namespace: x for gvr: /v1, Resource=configmaps');
    assert.equal(byType.get('NamespaceDeletionContentFailure')?.reason, 'ContentDeletionFailed');
  });

  it('moves lastTransitionTime only when a status flips, and reports no change when nothing changed', () => {
    const first = mergeConditions([], failingConditions([resourceOutcome(cm, 'x', [item('a', ['f/x'])], 0)]), T0).conditions;
    const again = mergeConditions(first, failingConditions([resourceOutcome(cm, 'x', [item('a', ['f/x'])], 0)]), at(10));
    assert.equal(again.changed, false);
    const cleared = mergeConditions(first, failingConditions([resourceOutcome(cm, 'x', [], 0)]), at(20)).conditions;
    const remaining = cleared.find((c) => c.type === 'NamespaceContentRemaining') as NamespaceCondition;
    assert.equal(remaining.status, 'False');
    assert.equal(remaining.lastTransitionTime, '2026-01-01T00:00:20Z');
    const discovery = cleared.find((c) => c.type === 'NamespaceDeletionDiscoveryFailure') as NamespaceCondition;
    assert.equal(discovery.lastTransitionTime, '2026-01-01T00:00:00Z');
  });

  it('keeps conditions of other types it does not manage', () => {
    const { conditions } = mergeConditions([{ type: 'example.com/Other', status: 'True' }], [], T0);
    assert.equal(conditions[0]?.type, 'example.com/Other');
    assert.equal(conditions.length, 6);
  });
});
