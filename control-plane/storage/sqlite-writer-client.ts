/**
 * The SQLite store's handle on its writer thread (sqlite-writer.ts).
 *
 * Contract: run(job) sends jobs in order and resolves once the job is
 * durable (with the rows a compaction chunk removed), or rejects: with the
 * writer's error when its transaction rolled back, or with Unavailable once
 * the thread has failed or stopped (every job still waiting fails then
 * too). Only jobs in flight keep the process alive. close() ends the thread
 * after the jobs sent before it.
 */
import { Worker } from 'node:worker_threads';
import { errorMessage, unavailable } from '../api/errors.js';
import { WRITER_ROLE, type WriterJob, type WriterReply, type WriterRequest } from './sqlite-writer.js';

export class SqliteWriterClient {
  private readonly worker: Worker;
  private failure: Error | undefined;
  private nextId = 0;
  private readonly jobs = new Map<number, { resolve(changes: number | undefined): void; reject(e: Error): void }>();

  constructor(path: string) {
    this.worker = new Worker(new URL('./sqlite-writer.js', import.meta.url), { workerData: { role: WRITER_ROLE, path } });
    this.worker.unref();
    this.worker.on('message', (r: WriterReply) => {
      const job = this.jobs.get(r.id);
      this.jobs.delete(r.id);
      if (this.jobs.size === 0) this.worker.unref();
      if (r.ok) job?.resolve(r.changes);
      else job?.reject(new Error(r.message));
    });
    this.worker.on('error', (e) => this.fail(unavailable(`storage writer failed: ${errorMessage(e)}`, { cause: e })));
    this.worker.on('exit', () => this.fail(unavailable('storage writer stopped')));
  }

  run(job: WriterJob): Promise<number | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.nextId += 1;
      this.jobs.set(this.nextId, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ ...job, id: this.nextId } satisfies WriterRequest);
    });
  }

  async close(): Promise<void> {
    if (this.failure) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.ref();
    this.worker.postMessage({ kind: 'close' } satisfies WriterRequest);
    await exited;
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const j of this.jobs.values()) j.reject(err);
    this.jobs.clear();
  }
}
