/**
 * openStore: picks the Store implementation from a storage URL.
 *
 *   sqlite:///var/lib/skiff/state.db   absolute path
 *   sqlite://state.db, sqlite:state.db relative to the working directory
 *   etcd://10.0.0.1:2379,10.0.0.2:2379 one or more members
 *
 * Adding a backend means one implementation file plus one entry in
 * `backends`. Only composition roots (main.ts) import this module.
 */
import { resolve } from 'node:path';
import type { Store } from './store.js';
import { SqliteStore } from './sqlite-store.js';
import { EtcdStore } from './etcd-store.js';

export interface OpenStoreOptions {
  /** Compact automatically every this many ms (upstream apiserver: 5 minutes); absent: never. */
  compactionIntervalMs?: number;
  /** Base for relative SQLite paths (default: process.cwd()). */
  cwd?: string;
}

type Opener = (rest: string, url: string, opts: OpenStoreOptions) => Store;

const backends: Record<string, Opener> = {
  sqlite: (rest, url, opts) => {
    // sqlite:///abs → "/abs"; sqlite://rel and sqlite:rel → "rel".
    const path = rest.startsWith('///') ? rest.slice(2) : rest.replace(/^\/\//, '');
    if (path === '') throw new Error(`storage URL ${url} names no database file`);
    return new SqliteStore(resolve(opts.cwd ?? process.cwd(), decodeURIComponent(path)), withCompaction(opts));
  },
  etcd: (rest, url, opts) => {
    const hosts = rest
      .replace(/^\/\//, '')
      .replace(/\/+$/, '')
      .split(',')
      .map((h) => h.trim())
      .filter((h) => h !== '');
    if (hosts.length === 0) throw new Error(`storage URL ${url} names no etcd endpoint`);
    return new EtcdStore({ hosts, ...withCompaction(opts) });
  },
};

function withCompaction(opts: OpenStoreOptions): { compactionIntervalMs?: number } {
  return opts.compactionIntervalMs === undefined ? {} : { compactionIntervalMs: opts.compactionIntervalMs };
}

export async function openStore(url: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const m = /^([a-z][a-z0-9+.-]*):(.*)$/i.exec(url);
  const scheme = m?.[1]?.toLowerCase();
  const open = scheme === undefined ? undefined : backends[scheme];
  if (!m || !open) {
    throw new Error(
      `unsupported storage URL "${url}": supported schemes are ${Object.keys(backends)
        .map((s) => `${s}://`)
        .join(', ')} (e.g. sqlite:///var/lib/skiff/state.db, etcd://127.0.0.1:2379)`,
    );
  }
  return open(m[2] ?? '', url, opts);
}
