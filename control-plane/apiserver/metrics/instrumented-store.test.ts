import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../../test/helpers/memory-store.js';
import { ServerMetrics } from './api-metrics.js';
import { instrumentStore } from './instrumented-store.js';

describe('instrumentStore', () => {
  test('operations are counted by result, failures by their catalogue code, and passed through unchanged', async () => {
    const metrics = new ServerMetrics();
    let t = 0;
    const store = instrumentStore(new MemoryStore(), metrics, () => (t += 5));
    const created = await store.create('/registry/x/a', '{}');
    assert.equal(created.key, '/registry/x/a');
    await assert.rejects(store.create('/registry/x/a', '{}'), (e: unknown) => (e as { code?: string }).code === 'SKIFF_ALREADY_EXISTS');
    assert.equal((await store.get('/registry/x/a'))?.value, '{}');
    const body = (await metrics.exposition()).body;
    assert.match(body, /^skiff_storage_operations_total\{operation="create",result="ok"\} 1$/m);
    assert.match(body, /^skiff_storage_operations_total\{operation="create",result="SKIFF_ALREADY_EXISTS"\} 1$/m);
    assert.match(body, /^skiff_storage_operations_total\{operation="get",result="ok"\} 1$/m);
    // Each operation took 5 ms on the injected clock.
    assert.match(body, /^skiff_storage_operation_duration_seconds_sum\{operation="create"\} 0\.01$/m);
  });

  test('open watches are a gauge that drops when a watch closes, once', async () => {
    const metrics = new ServerMetrics();
    const store = instrumentStore(new MemoryStore(), metrics);
    const h = store.watch('/registry/', 0, { onEvents: () => undefined, onError: () => undefined });
    assert.match((await metrics.exposition()).body, /^skiff_storage_watches 1$/m);
    h.close();
    h.close();
    assert.match((await metrics.exposition()).body, /^skiff_storage_watches 0$/m);
  });
});
