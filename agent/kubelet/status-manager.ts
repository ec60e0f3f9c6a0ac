/**
 * Pod status writes, coalesced (upstream's status manager): the kubelet
 * hands over the status it computed after every sync; a write happens only
 * when it differs from what the server holds (or what was last written),
 * at most one write per pod is in flight, and a newer status replaces a
 * queued one, so a burst of syncs costs one or two writes.
 *
 * Writes are JSON merge patches of `pods/status` (no resourceVersion, so
 * they never conflict; arrays such as conditions and containerStatuses
 * are replaced whole, and the generator carries over conditions owned by
 * others). Transient failures are retried with backoff; a pod gone from
 * the server (404) is dropped.
 *
 * finalize() is the end of a deleted pod: the last status, then
 * DELETE with gracePeriodSeconds=0 and a UID precondition — what confirms
 * the deletion to the server once the containers are gone.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ApiClient, ResourceRef } from '../../control-plane/api/client/api-client.js';
import type { KubeObject } from '../../control-plane/api/meta.js';
import { backoffDelay, isTransient } from '../common/write-pool.js';
import type { Pod } from './pod-deps.js';

export function podsIn(namespace: string): ResourceRef {
  return { group: '', version: 'v1', resource: 'pods', namespace };
}

interface Entry {
  namespace: string;
  name: string;
  desired: Record<string, unknown> | undefined;
  /** The status of the write in flight. */
  sending: Record<string, unknown> | undefined;
  written: Record<string, unknown> | undefined;
  inFlight: Promise<void> | undefined;
  failures: number;
}

export interface StatusManagerOptions {
  client: ApiClient;
  log?: (msg: string) => void;
  /** Called with the server's answer to each write (e.g. to refresh an informer cache). */
  onWritten?: (pod: KubeObject) => void;
  /** Base delay of retries, ms (default 500). */
  retryBaseMs?: number;
}

/** True when every field of `desired` equals the same field of `current`. */
export function statusCovers(current: unknown, desired: Record<string, unknown>): boolean {
  if (!current || typeof current !== 'object') return false;
  const cur = current as Record<string, unknown>;
  return Object.keys(desired).every((k) => isDeepStrictEqual(cur[k], desired[k]));
}

export class StatusManager {
  private readonly entries = new Map<string, Entry>();
  private stopped = false;
  writes = 0;

  constructor(private readonly opts: StatusManagerOptions) {}

  /** Queues `status` for the pod unless the server (pod.status) or the last write already has it. */
  setStatus(pod: Pod, status: Record<string, unknown>): void {
    const uid = pod.metadata.uid ?? '';
    let e = this.entries.get(uid);
    if (!e) {
      e = { namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name ?? '', desired: undefined, sending: undefined, written: undefined, inFlight: undefined, failures: 0 };
      this.entries.set(uid, e);
    }
    const latest = e.desired ?? e.sending ?? e.written;
    if (latest && isDeepStrictEqual(latest, status)) return;
    if (!e.inFlight && statusCovers(pod.status, status)) {
      e.written = status;
      e.desired = undefined;
      return;
    }
    e.desired = status;
    if (!e.inFlight) e.inFlight = this.pump(uid, e);
  }

  /** Waits until the pod's queued status is written (or given up). */
  async flush(uid: string): Promise<void> {
    while (this.entries.get(uid)?.inFlight) await this.entries.get(uid)?.inFlight;
  }

  /** The last status written for a pod (tests, metrics). */
  lastWritten(uid: string): Record<string, unknown> | undefined {
    return this.entries.get(uid)?.written;
  }

  /** The newest status handed over for a pod: queued, being written, or written. */
  latest(uid: string): Record<string, unknown> | undefined {
    const e = this.entries.get(uid);
    return e ? (e.desired ?? e.sending ?? e.written) : undefined;
  }

  removePod(uid: string): void {
    this.entries.delete(uid);
  }

  stop(): void {
    this.stopped = true;
  }

  /** Writes the final status, then deletes the pod with grace 0 and a UID precondition. */
  async finalize(pod: Pod, status: Record<string, unknown>): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    const ns = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name ?? '';
    this.setStatus(pod, status);
    await this.flush(uid);
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.opts.client.delete(podsIn(ns), name, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid } });
        break;
      } catch (err) {
        const code = (err as { status?: number }).status;
        if (code === 404 || code === 409) break; // gone, or another pod of that name now
        if (!isTransient(err) || attempt >= 8) {
          this.opts.log?.(`delete pod ${ns}/${name}: ${(err as Error).message}`);
          break;
        }
        await sleep(backoffDelay(attempt, this.opts.retryBaseMs ?? 500, 10_000));
      }
    }
    this.entries.delete(uid);
  }

  private async pump(uid: string, e: Entry): Promise<void> {
    try {
      while (e.desired && !this.stopped) {
        const status = e.desired;
        e.desired = undefined;
        e.sending = status;
        try {
          const out = await this.opts.client.patch<KubeObject>(podsIn(e.namespace), e.name, { status }, 'application/merge-patch+json', { subresource: 'status' });
          this.writes++;
          e.written = status;
          e.failures = 0;
          this.opts.onWritten?.(out);
        } catch (err) {
          const code = (err as { status?: number }).status;
          if (code === 404) {
            this.entries.delete(uid);
            return;
          }
          if (!isTransient(err) && e.failures >= 3) {
            this.opts.log?.(`status of ${e.namespace}/${e.name}: ${(err as Error).message}`);
            return;
          }
          if (!e.desired) e.desired = status;
          await sleep(backoffDelay(e.failures++, this.opts.retryBaseMs ?? 500, 10_000));
        } finally {
          e.sending = undefined;
        }
      }
    } finally {
      e.inFlight = undefined;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
