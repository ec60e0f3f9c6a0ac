/**
 * EtcdStore: the Store conformance suite against a real etcd (one process
 * for the file, a fresh client per test), plus etcd's own size limit and
 * unavailability mapping.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EtcdStore } from '../../control-plane/storage/etcd-store.js';
import { isApiError } from '../../control-plane/api/errors.js';
import { startEtcd, type EtcdInstance } from '../helpers/etcd.js';
import { storeSuite } from './store-suite.js';

let etcd: EtcdInstance | undefined;
before(async () => {
  etcd = await startEtcd();
});
after(async () => {
  await etcd?.stop();
});

function endpoint(): string {
  assert.ok(etcd, 'etcd started');
  return etcd.endpoint;
}

storeSuite('etcd', async () => {
  const opened: EtcdStore[] = [new EtcdStore({ hosts: [endpoint()] })];
  return {
    store: opened[0] as EtcdStore,
    reopen: async () => {
      const s = new EtcdStore({ hosts: [endpoint()] });
      opened.push(s);
      return s;
    },
    cleanup: async () => {
      for (const s of opened) await s.close();
    },
  };
});

describe('EtcdStore error mapping', () => {
  test("a value over etcd's request limit (1.5 MiB) fails with 413, not 500", async () => {
    const s = new EtcdStore({ hosts: [endpoint()] });
    try {
      await assert.rejects(s.create('/registry/big/x', 'y'.repeat(2 * 1024 * 1024)), (e: unknown) => {
        assert.ok(isApiError(e));
        assert.equal(e.status, 413);
        assert.equal(e.reason, 'RequestEntityTooLarge');
        return true;
      });
    } finally {
      await s.close();
    }
  });

  test('an unreachable etcd fails reads, writes and watches with 503 ServiceUnavailable', async () => {
    const own = await startEtcd();
    const s = new EtcdStore({ hosts: [own.endpoint], callTimeoutMs: 2000 });
    try {
      await s.create('/registry/u/a', 'x');
      await own.stop();
      for (const call of [() => s.get('/registry/u/a'), () => s.create('/registry/u/b', 'y'), () => s.list('/registry/u/')]) {
        await assert.rejects(call(), (e: unknown) => {
          assert.ok(isApiError(e), String(e));
          assert.equal(e.status, 503);
          return true;
        });
      }
      const err = await new Promise<Error>((resolve) => {
        s.watch('/registry/u/', 0, { onEvents: () => undefined, onError: resolve });
      });
      assert.ok(isApiError(err));
      assert.equal(err.status, 503);
    } finally {
      await s.close();
      await own.stop();
    }
  });
});
