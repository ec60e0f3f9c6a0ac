/** openStore: choosing the Store implementation from a storage URL. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { openStore } from '../../control-plane/storage/open-store.js';
import { SqliteStore } from '../../control-plane/storage/sqlite-store.js';
import { EtcdStore } from '../../control-plane/storage/etcd-store.js';
import { tempDir } from '../helpers/temp-dir.js';

test('sqlite:///abs/path opens a SQLite store at that absolute path', async () => {
  const dir = tempDir();
  try {
    const path = join(dir.path, 'state.db');
    const s = await openStore(`sqlite://${path}`);
    assert.ok(s instanceof SqliteStore);
    await s.create('/k', 'v');
    await s.close();
    assert.ok(existsSync(path));
  } finally {
    dir.remove();
  }
});

test('sqlite://relative and sqlite:relative resolve against the working directory', async () => {
  const dir = tempDir();
  try {
    for (const url of ['sqlite://a.db', 'sqlite:sub/dir/b.db']) {
      const s = await openStore(url, { cwd: dir.path });
      await s.close();
    }
    assert.ok(existsSync(join(dir.path, 'a.db')));
    assert.ok(existsSync(join(dir.path, 'sub/dir/b.db')), 'missing directories are created');
  } finally {
    dir.remove();
  }
});

test('etcd://host:port,host:port opens an etcd store (connecting lazily)', async () => {
  const s = await openStore('etcd://127.0.0.1:1,127.0.0.1:2');
  assert.ok(s instanceof EtcdStore);
  await s.close();
});

test('an unknown scheme or an empty location is refused with a message naming the supported schemes', async () => {
  await assert.rejects(openStore('mysql://db/skiff'), /unsupported storage URL "mysql:\/\/db\/skiff": supported schemes are sqlite:\/\/, etcd:\/\//);
  await assert.rejects(openStore('/var/lib/state.db'), /supported schemes are/);
  await assert.rejects(openStore('sqlite://'), /names no database file/);
  await assert.rejects(openStore('etcd://'), /names no etcd endpoint/);
});
