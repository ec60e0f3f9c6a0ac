/**
 * SqliteStore: the Store conformance suite on a temp file, plus what only
 * SQLite has: reopening a file, the schema version, and group commit.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../control-plane/storage/sqlite-store.js';
import { SCHEMA_VERSION } from '../../control-plane/storage/sqlite-schema.js';
import { tempDir } from '../helpers/temp-dir.js';
import { storeSuite } from './store-suite.js';

storeSuite('sqlite', async () => {
  const dir = tempDir('skiff-sqlite-');
  const path = join(dir.path, 'state.db');
  const opened: SqliteStore[] = [new SqliteStore(path)];
  const store = opened[0] as SqliteStore;
  return {
    store,
    reopen: async () => {
      const s = new SqliteStore(path);
      opened.push(s);
      return s;
    },
    cleanup: async () => {
      for (const s of opened) await s.close();
      dir.remove();
    },
  };
});

describe('SqliteStore file behaviour', () => {
  const withFile = (body: (path: string) => Promise<void>) => async () => {
    const dir = tempDir('skiff-sqlite-');
    try {
      await body(join(dir.path, 'state.db'));
    } finally {
      dir.remove();
    }
  };

  test('reopening the file keeps keys, the revision and the compacted revision', withFile(async (path) => {
    const a = new SqliteStore(path);
    await a.create('/registry/pods/default/a', '{"v":1}');
    const u = await a.update('/registry/pods/default/a', '{"v":2}');
    await a.create('/registry/pods/default/b', '{}');
    const d = await a.delete('/registry/pods/default/b');
    await a.compact(u.modRevision);
    await a.close();

    const b = new SqliteStore(path);
    try {
      assert.equal(await b.currentRevision(), d.modRevision);
      assert.equal(await b.compactedRevision(), u.modRevision);
      assert.deepEqual(await b.get('/registry/pods/default/a'), u);
      assert.equal(await b.get('/registry/pods/default/b'), undefined);
      const next = await b.create('/registry/pods/default/c', '{}');
      assert.equal(next.modRevision, d.modRevision + 1, 'revisions continue, never reused');
    } finally {
      await b.close();
    }
  }));

  test('revisions are never reused even when compaction removes the newest rows', withFile(async (path) => {
    const a = new SqliteStore(path);
    await a.create('/k', 'v');
    const d = await a.delete('/k');
    await a.compact(d.modRevision); // removes the tombstone, the newest row
    await a.close();
    const b = new SqliteStore(path);
    try {
      assert.equal(await b.currentRevision(), d.modRevision);
      assert.equal((await b.create('/k', 'v')).modRevision, d.modRevision + 1);
    } finally {
      await b.close();
    }
  }));

  test('the file records its schema version and uses WAL', withFile(async (path) => {
    await new SqliteStore(path).close();
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      db.close();
    }
  }));

  test('a file from a newer schema is refused with a clear error', withFile(async (path) => {
    await new SqliteStore(path).close();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(() => new SqliteStore(path), /newer Skiff \(storage schema version 2; this build supports up to 1\)/);
  }));

  test('64 concurrent creates share far fewer than 64 commits (group commit)', withFile(async (path) => {
    const s = new SqliteStore(path);
    try {
      const before = s.stats;
      await Promise.all(Array.from({ length: 64 }, (_, i) => s.create(`/registry/pods/default/p${i}`, '{}')));
      const after = s.stats;
      assert.equal(after.writes - before.writes, 64);
      assert.ok(after.commits - before.commits < 8, `expected batching, got ${after.commits - before.commits} commits`);
    } finally {
      await s.close();
    }
  }));

  test('a failed check in a batch does not fail the other writes of that batch', withFile(async (path) => {
    const s = new SqliteStore(path);
    try {
      await s.create('/dup', 'x');
      const commits = s.stats.commits;
      const results = await Promise.allSettled([s.create('/a', '1'), s.create('/dup', 'y'), s.update('/missing', 'z'), s.create('/b', '2')]);
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled']);
      assert.equal(s.stats.commits - commits, 1);
      assert.equal((await s.get('/b'))?.value, '2');
    } finally {
      await s.close();
    }
  }));

  test('compaction keeps the state at the compacted revision and only removes superseded rows', withFile(async (path) => {
    const s = new SqliteStore(path, { compactionChunk: 3 });
    try {
      for (let i = 0; i < 10; i++) await s.create(`/c/k${i}`, '0');
      for (let round = 1; round <= 3; round++) for (let i = 0; i < 10; i++) await s.update(`/c/k${i}`, String(round));
      for (let i = 0; i < 5; i++) await s.delete(`/c/k${i}`);
      const rev = await s.currentRevision();
      const before = await s.list('/c/', { revision: rev });
      await s.compact(rev);
      assert.deepEqual(await s.list('/c/', { revision: rev }), before);
      const db = new Database(path, { readonly: true });
      try {
        assert.equal((db.prepare('SELECT COUNT(*) AS n FROM kv').get() as { n: number }).n, 5);
      } finally {
        db.close();
      }
    } finally {
      await s.close();
    }
  }));
});
