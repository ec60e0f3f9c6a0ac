/**
 * The SQLite store's writer thread. better-sqlite3 is synchronous, so a
 * commit on the server's main thread stalls everything else for the time
 * of its inserts, WAL writes, fsync and any checkpoint: about 13 % of a
 * busy server's main thread. The store decides every write on the main
 * thread (checks, revisions, events) and sends the rows here; this thread
 * owns the only writing connection and runs each message in order:
 *
 *   { id, kind: 'batch', rows }            one transaction, one fsync
 *   { id, kind: 'setMeta', name, value }   a durable named integer
 *   { id, kind: 'compactChunk', lo, hi, rev }
 *   { kind: 'close' }                      closes the connection and exits
 *
 * Each message with an id is answered `{ id, ok: true, changes? }` after
 * it is durable, or `{ id, ok: false, message }` (the transaction rolled
 * back). Started by sqlite-writer-client.ts with workerData `{ role, path }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { COMPACT_CHUNK_SQL, INSERT_ROW_SQL, SET_META_SQL, openDatabase } from './sqlite-schema.js';

/** id, key, value, create_revision, prev_revision, deleted */
export type RowTuple = [number, string, string, number, number, number];

export type WriterJob =
  | { kind: 'batch'; rows: RowTuple[] }
  | { kind: 'setMeta'; name: string; value: number }
  | { kind: 'compactChunk'; lo: number; hi: number; rev: number };

export type WriterRequest = (WriterJob & { id: number }) | { kind: 'close' };

export type WriterReply = { id: number; ok: true; changes?: number } | { id: number; ok: false; message: string };

export const WRITER_ROLE = 'skiff-sqlite-writer';

function serve(path: string): void {
  const port = parentPort;
  if (!port) return;
  const db = openDatabase(path);
  const insert = db.prepare<RowTuple>(INSERT_ROW_SQL);
  const setMeta = db.prepare<[number, string]>(SET_META_SQL);
  const compactChunk = db.prepare<{ lo: number; hi: number; rev: number }>(COMPACT_CHUNK_SQL);
  const batch = db.transaction((rows: RowTuple[]) => {
    for (const r of rows) insert.run(...r);
  });
  port.on('message', (m: WriterRequest) => {
    if (m.kind === 'close') {
      db.close();
      port.close();
      return;
    }
    let reply: WriterReply;
    try {
      if (m.kind === 'batch') {
        batch(m.rows);
        reply = { id: m.id, ok: true };
      } else if (m.kind === 'setMeta') {
        setMeta.run(m.value, m.name);
        reply = { id: m.id, ok: true };
      } else {
        reply = { id: m.id, ok: true, changes: compactChunk.run({ lo: m.lo, hi: m.hi, rev: m.rev }).changes };
      }
    } catch (e) {
      reply = { id: m.id, ok: false, message: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(reply);
  });
}

const data = workerData as { role?: string; path?: string } | null;
if (data?.role === WRITER_ROLE && typeof data.path === 'string') serve(data.path);
