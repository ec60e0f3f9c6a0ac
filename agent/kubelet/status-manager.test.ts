import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient } from '../../control-plane/api/client/api-client.js';
import type { Transport, TransportRequest, TransportResponse, TransportStream } from '../../control-plane/api/client/transport.js';
import { statusCovers, StatusManager } from './status-manager.js';
import type { Pod } from './pod-deps.js';

/** An API stand-in that records requests and answers after `release()`. */
class RecordingTransport implements Transport {
  readonly requests: TransportRequest[] = [];
  private waiters: (() => void)[] = [];
  hold = false;
  answer: (req: TransportRequest) => TransportResponse = (req) => ({ status: 200, headers: {}, body: JSON.stringify({ metadata: { name: 'p', namespace: 'default', uid: 'u1', resourceVersion: String(this.requests.length) }, status: JSON.parse(String(req.body ?? '{}')).status }) });

  async request(req: TransportRequest): Promise<TransportResponse> {
    this.requests.push(req);
    if (this.hold) await new Promise<void>((r) => this.waiters.push(r));
    return this.answer(req);
  }

  release(): void {
    this.hold = false;
    for (const w of this.waiters.splice(0)) w();
  }

  stream(): Promise<TransportStream> {
    throw new Error('no streams here');
  }

  close(): void {}
}

const pod = (status: Record<string, unknown> = {}): Pod => ({ metadata: { name: 'p', namespace: 'default', uid: 'u1' }, status });

describe('status manager', () => {
  it('writes a changed status as a merge patch of pods/status', async () => {
    const t = new RecordingTransport();
    const m = new StatusManager({ client: new ApiClient(t) });
    m.setStatus(pod({ phase: 'Pending' }), { phase: 'Running' });
    await m.flush('u1');
    assert.equal(t.requests.length, 1);
    assert.equal(t.requests[0]?.method, 'PATCH');
    assert.equal(t.requests[0]?.path, '/api/v1/namespaces/default/pods/p/status');
    assert.equal(t.requests[0]?.headers?.['content-type'], 'application/merge-patch+json');
    assert.deepEqual(JSON.parse(String(t.requests[0]?.body ?? '')), { status: { phase: 'Running' } });
  });

  it('does not write what the server or the last write already holds', async () => {
    const t = new RecordingTransport();
    const m = new StatusManager({ client: new ApiClient(t) });
    m.setStatus(pod({ phase: 'Running', hostIP: '1.2.3.4' }), { phase: 'Running' });
    m.setStatus(pod({ phase: 'Pending' }), { phase: 'Succeeded' });
    await m.flush('u1');
    m.setStatus(pod({ phase: 'Pending' }), { phase: 'Succeeded' });
    await m.flush('u1');
    assert.equal(t.requests.length, 1);
    assert.equal(m.writes, 1);
  });

  it('keeps one write in flight per pod and coalesces newer statuses into one more', async () => {
    const t = new RecordingTransport();
    t.hold = true;
    const m = new StatusManager({ client: new ApiClient(t) });
    m.setStatus(pod(), { phase: 'Pending' });
    for (const phase of ['Running', 'Running', 'Failed']) m.setStatus(pod(), { phase, n: phase });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(t.requests.length, 1);
    t.release();
    await m.flush('u1');
    assert.deepEqual(t.requests.map((r) => JSON.parse(String(r.body ?? '')).status.phase), ['Pending', 'Failed']);
  });

  it('does not queue again a status equal to the one being written, and reports it as the latest', async () => {
    const t = new RecordingTransport();
    t.hold = true;
    const m = new StatusManager({ client: new ApiClient(t) });
    m.setStatus(pod(), { phase: 'Running' });
    m.setStatus(pod(), { phase: 'Running' });
    assert.deepEqual(m.latest('u1'), { phase: 'Running' });
    await new Promise((r) => setTimeout(r, 10));
    t.release();
    await m.flush('u1');
    assert.equal(t.requests.length, 1);
  });

  it('retries a failed write', async () => {
    const t = new RecordingTransport();
    let fail = 1;
    const ok = t.answer;
    t.answer = (req) => (fail-- > 0 ? { status: 503, headers: {}, body: '{"kind":"Status","reason":"ServiceUnavailable","message":"busy"}' } : ok(req));
    const m = new StatusManager({ client: new ApiClient(t), retryBaseMs: 5 });
    m.setStatus(pod(), { phase: 'Running' });
    await m.flush('u1');
    assert.equal(t.requests.length, 2);
    assert.deepEqual(m.lastWritten('u1'), { phase: 'Running' });
  });

  it('finalizes a deleted pod: last status, then DELETE with grace 0 and a UID precondition', async () => {
    const t = new RecordingTransport();
    const m = new StatusManager({ client: new ApiClient(t) });
    await m.finalize(pod({ phase: 'Running' }), { phase: 'Failed' });
    assert.deepEqual(t.requests.map((r) => r.method), ['PATCH', 'DELETE']);
    assert.deepEqual(JSON.parse(String(t.requests[1]?.body ?? '')), { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid: 'u1' } });
  });

  it('compares only the fields it writes', () => {
    assert.equal(statusCovers({ phase: 'Running', extra: 1 }, { phase: 'Running' }), true);
    assert.equal(statusCovers({ phase: 'Running' }, { phase: 'Running', podIP: '1.1.1.1' }), false);
  });
});
