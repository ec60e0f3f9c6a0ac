import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResourceRef } from '../../control-plane/api/client/api-client.js';
import { ApiError } from '../../control-plane/api/errors.js';
import type { KubeObject } from '../../control-plane/api/meta.js';
import { EventRecorder, type EventRecorderOptions } from './event-recorder.js';

type Fault = (op: 'create' | 'patch', name: string) => Error | undefined;

/** An in-memory events collection with the create/merge-patch semantics of the apiserver. */
class FakeEvents {
  readonly stored = new Map<string, KubeObject & Record<string, unknown>>();
  readonly calls: { op: 'create' | 'patch'; name: string }[] = [];
  fault: Fault = () => undefined;
  hang = false;

  async create<T extends KubeObject>(ref: ResourceRef, obj: T): Promise<T> {
    const name = obj.metadata.name!;
    this.calls.push({ op: 'create', name });
    if (this.hang) await new Promise(() => undefined);
    const err = this.fault('create', name);
    if (err) throw err;
    const key = `${ref.namespace}/${name}`;
    if (this.stored.has(key)) throw new ApiError('SKIFF_ALREADY_EXISTS', `events "${name}" already exists`);
    this.stored.set(key, structuredClone(obj) as KubeObject & Record<string, unknown>);
    return obj;
  }

  async patch<T extends KubeObject>(ref: ResourceRef, name: string, patch: unknown): Promise<T> {
    this.calls.push({ op: 'patch', name });
    const err = this.fault('patch', name);
    if (err) throw err;
    const cur = this.stored.get(`${ref.namespace}/${name}`);
    if (!cur) throw new ApiError('SKIFF_NOT_FOUND', `events "${name}" not found`);
    Object.assign(cur, patch);
    return cur as unknown as T;
  }

  list(): (KubeObject & Record<string, unknown>)[] {
    return [...this.stored.values()];
  }
}

const T0 = Date.parse('2026-11-28T10:00:00Z');

function setup(over: Partial<EventRecorderOptions> = {}) {
  const api = new FakeEvents();
  let now = T0;
  const logs: string[] = [];
  const rec = new EventRecorder({
    client: api,
    component: 'kubelet',
    host: 'node-1',
    clock: { now: () => new Date(now) },
    random: () => 0.5,
    log: (m) => logs.push(m),
    retryDelayMs: 1,
    ...over,
  });
  return { api, rec, logs, advance: (ms: number) => (now += ms) };
}

const pod = (name = 'web', uid = `uid-${name}`): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'team-a', uid, resourceVersion: '42' },
});

describe('EventRecorder', () => {
  it('creates a core/v1 Event in the object namespace with the upstream fields', async () => {
    const { api, rec } = setup();
    rec.event(pod(), 'Normal', 'Pulling', 'Pulling image "localhost/busybox:1.0"', 'spec.containers{app}');
    await rec.idle();
    const e = api.list()[0]!;
    assert.equal(api.list().length, 1);
    assert.match(e.metadata.name!, /^web\.[0-9a-f]+$/);
    assert.equal(BigInt(`0x${e.metadata.name!.slice(4)}`), BigInt(T0) * 1_000_000n + 500_000n);
    assert.equal(e.metadata.namespace, 'team-a');
    assert.deepEqual(e.involvedObject, {
      kind: 'Pod',
      namespace: 'team-a',
      name: 'web',
      uid: 'uid-web',
      apiVersion: 'v1',
      resourceVersion: '42',
      fieldPath: 'spec.containers{app}',
    });
    assert.equal(e.reason, 'Pulling');
    assert.equal(e.message, 'Pulling image "localhost/busybox:1.0"');
    assert.deepEqual(e.source, { component: 'kubelet', host: 'node-1' });
    assert.equal(e.firstTimestamp, '2026-11-28T10:00:00Z');
    assert.equal(e.lastTimestamp, '2026-11-28T10:00:00Z');
    assert.equal(e.count, 1);
    assert.equal(e.type, 'Normal');
    assert.equal(e.reportingComponent, 'kubelet');
    assert.equal(e.reportingInstance, 'node-1');
  });

  it('takes objects without kind (informer list items) as v1 Pods and cluster-scoped ones into default', async () => {
    const { api, rec } = setup();
    rec.event({ metadata: { name: 'p', namespace: 'ns', uid: 'u' } }, 'Normal', 'Started', 'Started container app');
    rec.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', uid: 'n' } }, 'Normal', 'NodeReady', 'Node node-1 status is now: NodeReady');
    await rec.idle();
    const byReason = new Map(api.list().map((e) => [e.reason, e]));
    assert.deepEqual(byReason.get('Started')!.involvedObject, { kind: 'Pod', namespace: 'ns', name: 'p', uid: 'u', apiVersion: 'v1', resourceVersion: undefined });
    assert.equal(byReason.get('NodeReady')!.metadata.namespace, 'default');
  });

  it('patches count and lastTimestamp of the existing Event for a repeat within 10 minutes', async () => {
    const { api, rec, advance } = setup();
    rec.event(pod(), 'Warning', 'BackOff', 'Back-off restarting failed container', 'spec.containers{app}');
    await rec.idle();
    advance(90_000);
    rec.event(pod(), 'Warning', 'BackOff', 'Back-off restarting failed container', 'spec.containers{app}');
    await rec.idle();
    assert.equal(api.list().length, 1);
    const e = api.list()[0]!;
    assert.equal(e.count, 2);
    assert.equal(e.firstTimestamp, '2026-11-28T10:00:00Z');
    assert.equal(e.lastTimestamp, '2026-11-28T10:01:30Z');
    assert.deepEqual(
      api.calls.map((c) => c.op),
      ['create', 'patch'],
    );
  });

  it('starts a new Event when the repeat comes more than 10 minutes later or for another container', async () => {
    const { api, rec, advance } = setup();
    rec.event(pod(), 'Normal', 'Killing', 'Stopping container app', 'spec.containers{app}');
    rec.event(pod(), 'Normal', 'Killing', 'Stopping container app', 'spec.containers{side}');
    await rec.idle();
    advance(11 * 60_000);
    rec.event(pod(), 'Normal', 'Killing', 'Stopping container app', 'spec.containers{app}');
    await rec.idle();
    assert.equal(api.list().length, 3);
    assert.ok(api.list().every((e) => e.count === 1));
  });

  it('coalesces repeats that arrive while the Event is being written into one patch', async () => {
    const { api, rec } = setup();
    for (let i = 0; i < 5; i++) rec.event(pod(), 'Warning', 'Unhealthy', 'Liveness probe failed: boom', 'spec.containers{app}');
    await rec.idle();
    assert.equal(api.list()[0]!.count, 5);
    assert.ok(api.calls.length <= 2, `${api.calls.length} writes`);
  });

  it('combines the 10th and later similar events of one reason into one "(combined from similar events)" Event', async () => {
    const { api, rec } = setup();
    for (let i = 1; i <= 11; i++) rec.event(pod(), 'Warning', 'Unhealthy', `Readiness probe failed: attempt ${i}`, 'spec.containers{app}');
    await rec.idle();
    const events = api.list();
    assert.equal(events.length, 10);
    const combined = events.filter((e) => String(e.message).startsWith('(combined from similar events): '));
    assert.equal(combined.length, 1);
    assert.equal(combined[0]!.count, 2);
    assert.equal(combined[0]!.message, '(combined from similar events): Readiness probe failed: attempt 11');
  });

  it('drops events beyond a burst of 25 per object and refills one token every 5 minutes', async () => {
    const { api, rec, advance } = setup();
    for (let i = 0; i < 1000; i++) rec.event(pod(), 'Warning', 'BackOff', 'Back-off pulling image "nope"', 'spec.containers{app}');
    rec.event(pod('other'), 'Normal', 'Scheduled', 'ok');
    await rec.idle();
    const web = api.list().filter((e) => (e.involvedObject as { name: string }).name === 'web');
    assert.equal(web.length, 1);
    assert.equal(web[0]!.count, 25);
    assert.equal(api.list().length, 2, 'another object has its own bucket');
    assert.ok(api.calls.length <= 4, `${api.calls.length} writes for 1001 events`);
    advance(5 * 60_000);
    rec.event(pod(), 'Warning', 'BackOff', 'Back-off pulling image "nope"', 'spec.containers{app}');
    rec.event(pod(), 'Warning', 'BackOff', 'Back-off pulling image "nope"', 'spec.containers{app}');
    await rec.idle();
    assert.equal(web[0]!.count, 26);
  });

  it('never throws to the caller when the API fails, and retries a connection error a bounded number of times', async () => {
    const { api, rec, logs } = setup({ maxTries: 3 });
    api.fault = () => new Error('connect ECONNREFUSED 127.0.0.1:6443');
    assert.doesNotThrow(() => rec.event(pod(), 'Normal', 'Created', 'Created container app', 'spec.containers{app}'));
    await rec.idle();
    assert.equal(api.calls.length, 3);
    assert.equal(api.list().length, 0);
    assert.match(logs.join('\n'), /retry limit exceeded.*ECONNREFUSED/);
  });

  it('does not retry an API rejection such as Forbidden, and records later events again', async () => {
    const { api, rec, logs } = setup();
    api.fault = () => new ApiError('SKIFF_FORBIDDEN', 'events is forbidden');
    rec.event(pod(), 'Normal', 'Created', 'Created container app');
    await rec.idle();
    assert.equal(api.calls.length, 1);
    assert.match(logs.join('\n'), /forbidden/);
    api.fault = () => undefined;
    rec.event(pod(), 'Normal', 'Started', 'Started container app');
    await rec.idle();
    assert.deepEqual(
      api.list().map((e) => e.reason),
      ['Started'],
    );
  });

  it('recreates the Event under the same name when the patch finds it deleted', async () => {
    const { api, rec } = setup();
    rec.event(pod(), 'Warning', 'BackOff', 'Back-off restarting failed container');
    await rec.idle();
    const name = api.list()[0]!.metadata.name!;
    api.stored.clear();
    rec.event(pod(), 'Warning', 'BackOff', 'Back-off restarting failed container');
    await rec.idle();
    assert.equal(api.list().length, 1);
    assert.equal(api.list()[0]!.metadata.name, name);
    assert.equal(api.list()[0]!.count, 2);
  });

  it('bounds the write queue when the API hangs, and stop() returns within its timeout', async () => {
    const { api, rec, logs } = setup({ maxQueue: 50 });
    api.hang = true;
    for (let i = 0; i < 5000; i++) rec.event(pod(`p${i}`), 'Normal', 'Scheduled', 'x');
    assert.ok(rec.pending <= 50, `${rec.pending} queued`);
    assert.match(logs.join('\n'), /event queue full/);
    const t = Date.now();
    await rec.stop(100);
    assert.ok(Date.now() - t < 1000);
    rec.event(pod(), 'Normal', 'Scheduled', 'after stop');
    assert.equal(rec.pending, 0);
  });

  it('stop() drains queued writes first', async () => {
    const { api, rec } = setup();
    for (let i = 0; i < 20; i++) rec.event(pod(`p${i}`), 'Normal', 'Pulled', 'Container image already present on machine');
    await rec.stop();
    assert.equal(api.list().length, 20);
  });
});
