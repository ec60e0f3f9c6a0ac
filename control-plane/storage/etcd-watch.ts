/**
 * One Store watch on etcd: a dedicated gRPC Watch stream with a single
 * watcher on a key prefix, starting at fromRevision + 1, with prev_kv.
 *
 * Contract: events are passed on in etcd's order (revision order, no gaps).
 * The watch does not reconnect: when the stream fails it ends with onError
 * (Unavailable), and a watch that etcd cancels because its start revision
 * was compacted ends with onError(Expired), so the client re-lists as it
 * would with upstream. Nothing is delivered after close().
 */
import type { Etcd3, IKeyValue, IWatchResponse } from 'etcd3';
import { unavailable } from '../api/errors.js';
import type { StoreEvent, WatchCallbacks, WatchHandle } from './store.js';
import { fromEtcdError } from './etcd-errors.js';
import { prefixEnd, tooOldRevision } from './store-errors.js';

type WatchStream = Awaited<ReturnType<Etcd3['watchClient']['watch']>>;

export class EtcdWatch implements WatchHandle {
  private stream: WatchStream | undefined;
  private done = false;

  constructor(
    client: Etcd3,
    private readonly prefix: string,
    private readonly fromRevision: number,
    private readonly cb: WatchCallbacks,
    private readonly onEnd: (w: EtcdWatch) => void,
  ) {
    client.watchClient.watch().then(
      (stream) => this.attach(stream),
      (e: unknown) => this.fail(fromEtcdError(e)),
    );
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    this.onEnd(this);
    // Half-close rather than cancel: the etcd3 client treats a cancelled
    // stream as a failed connection and resets every call on the host.
    this.stream?.end();
  }

  /** Ends the watch with an error (also used by the store at shutdown). */
  fail(err: Error): void {
    if (this.done) return;
    this.close();
    this.cb.onError(err);
  }

  private attach(stream: WatchStream): void {
    if (this.done) {
      stream.end();
      return;
    }
    this.stream = stream;
    stream.on('data', (res) => this.onResponse(res));
    stream.on('error', (e) => this.fail(fromEtcdError(e)));
    stream.on('end', () => this.fail(unavailable('etcd closed the watch stream')));
    stream.write({
      create_request: {
        key: Buffer.from(this.prefix),
        range_end: Buffer.from(prefixEnd(this.prefix)),
        start_revision: String(this.fromRevision + 1),
        prev_kv: true,
      },
    });
  }

  private onResponse(res: IWatchResponse): void {
    if (this.done) return;
    if (res.canceled) {
      const compacted = Number(res.compact_revision);
      if (compacted > 0) this.fail(tooOldRevision(this.fromRevision, compacted));
      else this.fail(unavailable(`etcd canceled the watch: ${res.cancel_reason || 'no reason given'}`));
      return;
    }
    const events = (res.events ?? []).map(toStoreEvent);
    if (events.length > 0) this.cb.onEvents(events);
  }
}

function toStoreEvent(ev: { type: string; kv: IKeyValue; prev_kv?: IKeyValue | null }): StoreEvent {
  const kv = ev.kv;
  const prev = ev.prev_kv ?? undefined;
  const revision = Number(kv.mod_revision);
  if (ev.type === 'Delete') {
    // A delete's kv carries only the key; the value and creation come from prev_kv.
    const value = prev ? prev.value.toString('utf8') : '';
    const out: StoreEvent = {
      type: 'delete',
      key: kv.key.toString('utf8'),
      value,
      created: false,
      revision,
      createRevision: prev ? Number(prev.create_revision) : 0,
    };
    if (prev) out.prevValue = value;
    return out;
  }
  const out: StoreEvent = {
    type: 'put',
    key: kv.key.toString('utf8'),
    value: kv.value.toString('utf8'),
    created: kv.create_revision === kv.mod_revision,
    revision,
    createRevision: Number(kv.create_revision),
  };
  if (prev) out.prevValue = prev.value.toString('utf8');
  return out;
}
