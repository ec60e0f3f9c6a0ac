import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { newBuiltinTable } from '../../api/resources/index.js';
import { MemoryStore } from '../../../test/helpers/memory-store.js';
import type { AdmissionAttributes } from './admission.js';
import { priorityPlugin } from './priority.js';

const table = newBuiltinTable();
const pods = table.resolve('', 'v1', 'pods')!;
const classes = table.resolve('scheduling.k8s.io', 'v1', 'priorityclasses')!;

function podAttrs(spec: Record<string, unknown>): AdmissionAttributes & { object: KubeObject } {
  return {
    operation: 'CREATE',
    resource: pods,
    subresource: '',
    namespace: 'default',
    name: 'p',
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } },
    user: { name: 'admin', groups: [] },
    dryRun: false,
  };
}

async function storeWith(...pcs: Record<string, unknown>[]): Promise<MemoryStore> {
  const store = new MemoryStore();
  for (const pc of pcs) await store.create(`/registry/priorityclasses/${String((pc.metadata as { name: string }).name)}`, JSON.stringify(pc));
  return store;
}

const high = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000, preemptionPolicy: 'Never' };
const fallback = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'fallback' }, value: 5, globalDefault: true };

test('a pod naming a PriorityClass gets its value and preemption policy', async () => {
  const plugin = priorityPlugin({ store: await storeWith(high), table });
  const a = podAttrs({ priorityClassName: 'high' });
  await plugin.admit(a);
  assert.equal(a.object.spec && (a.object.spec as Record<string, unknown>).priority, 1000);
  assert.equal((a.object.spec as Record<string, unknown>).preemptionPolicy, 'Never');
});

test('without a class name the global default applies, else priority 0', async () => {
  const withDefault = priorityPlugin({ store: await storeWith(high, fallback), table });
  const a = podAttrs({});
  await withDefault.admit(a);
  assert.equal((a.object.spec as Record<string, unknown>).priority, 5);
  assert.equal((a.object.spec as Record<string, unknown>).priorityClassName, 'fallback');
  const none = priorityPlugin({ store: await storeWith(high), table });
  const b = podAttrs({});
  await none.admit(b);
  assert.equal((b.object.spec as Record<string, unknown>).priority, 0);
});

test('the system classes resolve even when not stored', async () => {
  const plugin = priorityPlugin({ store: await storeWith(), table });
  const a = podAttrs({ priorityClassName: 'system-node-critical' });
  await plugin.admit(a);
  assert.equal((a.object.spec as Record<string, unknown>).priority, 2000001000);
});

test('an unknown class and a contradicting priority are forbidden with upstream messages', async () => {
  const plugin = priorityPlugin({ store: await storeWith(high), table });
  await assert.rejects(async () => plugin.admit(podAttrs({ priorityClassName: 'nope' })), (e: Error & { status?: number }) => {
    assert.equal(e.status, 403);
    assert.equal(e.message, 'pods "p" is forbidden: no PriorityClass with name nope was found');
    return true;
  });
  await assert.rejects(async () => plugin.admit(podAttrs({ priorityClassName: 'high', priority: 7 })), /the integer value of priority \(7\) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name/);
});

test('only one PriorityClass may be the global default', async () => {
  const plugin = priorityPlugin({ store: await storeWith(fallback), table });
  const second: AdmissionAttributes = {
    operation: 'CREATE',
    resource: classes,
    subresource: '',
    namespace: '',
    name: 'another',
    object: { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'another' }, value: 1, globalDefault: true },
    user: { name: 'admin', groups: [] },
    dryRun: false,
  };
  await assert.rejects(async () => plugin.admit(second), /PriorityClass fallback is already marked as default. Only one default can exist/);
  await plugin.admit({ ...second, operation: 'UPDATE', name: 'fallback', object: { ...fallback } as KubeObject });
});
