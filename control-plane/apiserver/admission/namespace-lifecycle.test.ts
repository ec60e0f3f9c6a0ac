import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newBuiltinTable } from '../../api/resources/index.js';
import { MemoryStore } from '../../../test/helpers/memory-store.js';
import type { AdmissionAttributes } from './admission.js';
import { namespaceLifecyclePlugin } from './namespace-lifecycle.js';

const table = newBuiltinTable();
const configmaps = table.resolve('', 'v1', 'configmaps')!;
const namespaces = table.resolve('', 'v1', 'namespaces')!;

const create = (namespace: string): AdmissionAttributes => ({
  operation: 'CREATE',
  resource: configmaps,
  subresource: '',
  namespace,
  name: 'cm',
  object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace } },
  user: { name: 'admin', groups: [] },
  dryRun: false,
});

const nsJson = (name: string, phase = 'Active'): string => JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name }, status: { phase } });

async function code(p: Promise<void> | void): Promise<number | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { status?: number }).status ?? 0;
  }
}

test('refuses writes into a missing namespace and creates into a terminating one', async () => {
  const store = new MemoryStore();
  await store.create('/registry/namespaces/gone', nsJson('gone', 'Terminating'));
  const plugin = namespaceLifecyclePlugin({ store, table });
  assert.equal(await code(plugin.validate(create('nope'))), 404);
  assert.equal(await code(plugin.validate(create('gone'))), 403);
});

test('reuses a namespace it read for a second, but never caches a miss', async () => {
  const store = new MemoryStore();
  let t = 1_000;
  const plugin = namespaceLifecyclePlugin({ store, table, now: () => t });
  assert.equal(await code(plugin.validate(create('late'))), 404);
  await store.create('/registry/namespaces/late', nsJson('late'));
  assert.equal(await code(plugin.validate(create('late'))), undefined, 'a namespace created after a miss is seen at once');
  const entry = await store.get('/registry/namespaces/late');
  await store.update('/registry/namespaces/late', nsJson('late', 'Terminating'), entry!.modRevision);
  assert.equal(await code(plugin.validate(create('late'))), undefined, 'within the second, the cached Active namespace');
  t += 1_001;
  assert.equal(await code(plugin.validate(create('late'))), 403, 'after it, the store');
});

test('reads a namespace live after it was deleted through this server', async () => {
  const store = new MemoryStore();
  await store.create('/registry/namespaces/x', nsJson('x'));
  const plugin = namespaceLifecyclePlugin({ store, table, now: () => 5_000 });
  assert.equal(await code(plugin.validate(create('x'))), undefined);
  const entry = await store.get('/registry/namespaces/x');
  await store.update('/registry/namespaces/x', nsJson('x', 'Terminating'), entry!.modRevision);
  await plugin.validate({ ...create(''), operation: 'DELETE', resource: namespaces, namespace: '', name: 'x', object: undefined });
  assert.equal(await code(plugin.validate(create('x'))), 403);
});
