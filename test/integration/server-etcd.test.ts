/**
 * `--datastore etcd://…` selects etcd: the server bootstraps into a real
 * etcd, and a second start on the same etcd is idempotent (bootstrap finds
 * everything in place, nothing is recreated).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildServerConfig } from '../../control-plane/config.js';
import { startServer } from '../../control-plane/main.js';
import { startEtcd, type EtcdInstance } from '../helpers/etcd.js';
import { Kubectl } from '../helpers/kubectl.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('skiff server on etcd', () => {
  const dir = tempDir();
  let etcd: EtcdInstance;

  before(async () => {
    etcd = await startEtcd();
  });

  after(async () => {
    await etcd.stop();
    dir.remove();
  });

  test('bootstraps into etcd and a restart keeps the same objects', async () => {
    const cfg = buildServerConfig({ dataDir: join(dir.path, 'data'), port: '0', bindAddress: '127.0.0.1', datastore: `etcd://${etcd.endpoint}` });
    const uidsOf = async (kubeconfig: string) => {
      const kubectl = new Kubectl('1.33', kubeconfig, join(dir.path, 'home'));
      return kubectl.ok(['get', 'ns', '-o', 'jsonpath={.items[*].metadata.uid}']);
    };
    const first = await startServer(cfg);
    let before: string;
    try {
      before = await uidsOf(first.kubeconfigPath);
      assert.equal(before.split(' ').length, 4);
    } finally {
      await first.close();
    }
    const second = await startServer(cfg);
    try {
      assert.equal(await uidsOf(second.kubeconfigPath), before);
    } finally {
      await second.close();
    }
  });
});
