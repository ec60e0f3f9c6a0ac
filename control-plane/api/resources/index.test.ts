import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources, newBuiltinTable } from './index.js';

test('every built-in resource is registered with upstream short names and categories', () => {
  const table = newBuiltinTable();
  const byName = new Map(table.entries().map((e) => [`${e.group}/${e.resource}`, e]));
  const expected: [string, string[], string[]][] = [
    ['/namespaces', ['ns'], []], ['/nodes', ['no'], []], ['/pods', ['po'], ['all']], ['/services', ['svc'], ['all']],
    ['/endpoints', ['ep'], []], ['/configmaps', ['cm'], []], ['/secrets', [], []], ['/serviceaccounts', ['sa'], []],
    ['/events', ['ev'], []], ['/resourcequotas', ['quota'], []], ['/limitranges', ['limits'], []],
    ['apps/deployments', ['deploy'], ['all']], ['apps/replicasets', ['rs'], ['all']], ['apps/daemonsets', ['ds'], ['all']],
    ['apps/statefulsets', ['sts'], ['all']], ['apps/controllerrevisions', [], []],
    ['batch/jobs', [], ['all']], ['batch/cronjobs', ['cj'], ['all']],
    ['policy/poddisruptionbudgets', ['pdb'], []], ['scheduling.k8s.io/priorityclasses', ['pc'], []],
    ['coordination.k8s.io/leases', [], []], ['discovery.k8s.io/endpointslices', [], []],
  ];
  const stored = builtinResources().filter((e) => e.storagePrefix);
  assert.equal(stored.length, expected.length);
  for (const [key, shortNames, categories] of expected) {
    const e = byName.get(key);
    assert.ok(e, key);
    assert.deepEqual(e.shortNames ?? [], shortNames, key);
    assert.deepEqual(e.categories ?? [], categories, key);
    assert.ok(e.storagePrefix?.startsWith('/registry/') && e.storagePrefix.endsWith('/'), key);
  }
});

test('groups come in upstream discovery order, events.k8s.io served from core events', () => {
  const table = newBuiltinTable();
  assert.deepEqual(table.groups().map((g) => g.group), [
    '', 'apps', 'events.k8s.io', 'authentication.k8s.io', 'batch', 'policy', 'scheduling.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io',
  ]);
  const ev = table.resolve('events.k8s.io', 'v1', 'events');
  assert.equal(ev?.entry.group, '');
  assert.equal(ev?.alias?.group, 'events.k8s.io');
});

test('storage prefixes follow upstream', () => {
  const table = newBuiltinTable();
  assert.equal(table.resolve('', 'v1', 'nodes')?.entry.storagePrefix, '/registry/minions/');
  assert.equal(table.resolve('', 'v1', 'services')?.entry.storagePrefix, '/registry/services/specs/');
  assert.equal(table.resolve('', 'v1', 'endpoints')?.entry.storagePrefix, '/registry/services/endpoints/');
  assert.ok(!table.resolve('', 'v1', 'namespaces')?.entry.verbs?.includes('deletecollection'));
});

test('virtual entries are served without storage: SelfSubjectReview answers who the caller is', async () => {
  const ssr = newBuiltinTable().resolve('authentication.k8s.io', 'v1', 'selfsubjectreviews');
  assert.ok(ssr && !ssr.entry.storagePrefix);
  assert.deepEqual(ssr.entry.verbs, ['create']);
  const out = await ssr.entry.virtual?.create?.(
    { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: { creationTimestamp: '2026-11-28T06:00:00Z' } },
    { name: 'admin', groups: ['system:masters', 'system:authenticated'] },
  );
  assert.deepEqual(out?.status, { userInfo: { username: 'admin', groups: ['system:masters', 'system:authenticated'] } });
});
