/**
 * The raw rates the API is compared with, measured in the same run:
 * sequential single-row 1 KiB inserts into better-sqlite3 (WAL,
 * synchronous=FULL, one fsync'd transaction each), and sequential etcd puts.
 */
import Database from 'better-sqlite3';
import { Etcd3 } from 'etcd3';
import { join } from 'node:path';

const VALUE = 'v'.repeat(1024);

export function rawSqliteInsertsPerSec(dir: string, seconds = 3): number {
  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE kv (id INTEGER PRIMARY KEY, key TEXT NOT NULL, value TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?)');
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const start = performance.now();
  while (performance.now() < end) {
    insert.run(`/registry/configmaps/default/raw-${n}`, VALUE);
    n++;
  }
  const rate = n / ((performance.now() - start) / 1000);
  db.close();
  return rate;
}

export async function rawEtcdPutsPerSec(endpoint: string, seconds = 3): Promise<number> {
  const client = new Etcd3({ hosts: endpoint });
  try {
    const end = performance.now() + seconds * 1000;
    const start = performance.now();
    let n = 0;
    while (performance.now() < end) {
      await client.put(`/bench/raw-${n}`).value(VALUE);
      n++;
    }
    return n / ((performance.now() - start) / 1000);
  } finally {
    client.close();
  }
}
