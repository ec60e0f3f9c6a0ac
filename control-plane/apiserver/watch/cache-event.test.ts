/**
 * CacheEvent and its wire lines, against the built-in resource table: the
 * spliced fast path must produce exactly what the slow path
 * (decodeStored + toServed + JSON.stringify) would, fall back whenever the
 * stored string is not one it can splice safely, parse nothing a watcher
 * did not ask for, and build each line once.
 */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import type { ResolvedResource, ResourceEntry } from '../../api/resource-table.js';
import { newBuiltinTable } from '../../api/resources/index.js';
import { decodeStored, encodeForStorage, toServed } from '../rest/codec.js';
import { CacheEvent, cacheEventFromStore, eventLine, eventText, splicedObject, type WatchEventType } from './cache-event.js';

const table = newBuiltinTable();

function resolve(group: string, version: string, resource: string): ResolvedResource {
  const r = table.resolve(group, version, resource);
  assert.ok(r, `${group}/${version}/${resource} is served`);
  return r;
}

const pods = resolve('', 'v1', 'pods');
const coreEvents = resolve('', 'v1', 'events');
const eventsV1 = resolve('events.k8s.io', 'v1', 'events');

/** A Pod as a client would send it, with the fields that make splicing interesting (unicode, escapes, nesting). */
function pod(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion: '999',
      labels: { app: 'web', tier: 'frönt' },
      annotations: { note: 'quotes " and \\ and\nnewline' },
      creationTimestamp: '2026-11-28T06:00:00Z',
    },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
    status: { phase: 'Running' },
    ...extra,
  };
}

function stored(entry: ResourceEntry, obj: KubeObject): string {
  return encodeForStorage(entry, obj);
}

/** What the slow path serves for a stored string at a revision. */
function served(resolved: ResolvedResource, value: string, revision: number): KubeObject {
  return toServed(resolved, decodeStored(value, revision));
}

function parsedLine(text: string): { type: string; object: KubeObject } {
  assert.ok(text.endsWith('}\n'), 'a line ends with a newline');
  assert.equal(text.indexOf('\n'), text.length - 1, 'one line only');
  return JSON.parse(text) as { type: string; object: KubeObject };
}

describe('splicedObject', () => {
  it('serves a stored Pod exactly as decodeStored + toServed would, resourceVersion injected', () => {
    const value = stored(pods.entry, pod('web-0'));
    assert.ok(!value.includes('"resourceVersion"'), 'encodeForStorage drops the resourceVersion');
    const spliced = splicedObject(value, 42, pods);
    assert.ok(spliced !== undefined, 'a stored Pod is spliced');
    assert.deepEqual(JSON.parse(spliced), served(pods, value, 42));
    assert.equal((JSON.parse(spliced) as KubeObject).metadata.resourceVersion, '42');
  });

  it('splices an object whose metadata is empty', () => {
    const value = stored(pods.entry, { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { containers: [] } });
    assert.ok(value.includes('"metadata":{}'));
    const spliced = splicedObject(value, 7, pods);
    assert.ok(spliced !== undefined);
    assert.deepEqual(JSON.parse(spliced), served(pods, value, 7));
    assert.deepEqual((JSON.parse(spliced) as KubeObject).metadata, { resourceVersion: '7' });
  });

  it('splices an object with nothing after its empty metadata', () => {
    const value = stored(pods.entry, { apiVersion: 'v1', kind: 'Pod', metadata: {} });
    const spliced = splicedObject(value, 3, pods);
    assert.ok(spliced !== undefined);
    assert.deepEqual(JSON.parse(spliced), served(pods, value, 3));
  });

  it('falls back for an alias served version (events.k8s.io/v1 over core events)', () => {
    assert.ok(eventsV1.alias, 'events.k8s.io/v1 is an alias of core/v1 events');
    const value = stored(coreEvents.entry, coreEvent('e1', { kind: 'Pod', namespace: 'default', name: 'web-0' }));
    assert.ok(splicedObject(value, 5, coreEvents) !== undefined, 'the stored version itself is spliced');
    assert.equal(splicedObject(value, 5, eventsV1), undefined);
  });

  it('falls back for a string that does not start with the stored head', () => {
    const reordered = JSON.stringify({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'x' } });
    assert.equal(splicedObject(reordered, 5, pods), undefined);
    const spaced = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }, null, 1);
    assert.equal(splicedObject(spaced, 5, pods), undefined);
    // Another entry's stored string: the kind in the head differs.
    assert.equal(splicedObject(stored(coreEvents.entry, coreEvent('e1', {})), 5, pods), undefined);
  });

  it('falls back for a string that mentions "resourceVersion" anywhere', () => {
    const ev = coreEvent('e2', { kind: 'Pod', namespace: 'default', name: 'web-0', resourceVersion: '12' });
    const value = stored(coreEvents.entry, ev);
    assert.ok(value.includes('"resourceVersion":"12"'), 'the involvedObject keeps its resourceVersion');
    assert.equal(splicedObject(value, 20, coreEvents), undefined);
    const labelled = stored(pods.entry, pod('web-1', { metadata: { name: 'web-1', labels: { resourceVersion: 'x' } } }));
    assert.equal(splicedObject(labelled, 20, pods), undefined);
  });
});

function coreEvent(name: string, involvedObject: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: 'default' },
    involvedObject,
    reason: 'Scheduled',
    message: 'Successfully assigned default/web-0 to n1',
    type: 'Normal',
    source: { component: 'default-scheduler' },
    firstTimestamp: '2026-11-28T06:00:00Z',
    lastTimestamp: '2026-11-28T06:00:00Z',
    count: 1,
  };
}

describe('eventLine and eventText', () => {
  const types: WatchEventType[] = ['ADDED', 'MODIFIED'];

  it('lines for a put carry the new state at the event revision, equal to the slow path', () => {
    const before = stored(pods.entry, pod('web-0'));
    const after = stored(pods.entry, pod('web-0', { status: { phase: 'Succeeded' } }));
    const ev = new CacheEvent('/registry/pods/default/web-0', 51, after, before);
    for (const type of types) {
      const l = parsedLine(eventText(ev, pods, type));
      assert.equal(l.type, type);
      assert.deepEqual(l.object, served(pods, after, 51));
    }
  });

  it('a DELETED line for a store delete carries the previous state at the delete revision', () => {
    const value = stored(pods.entry, pod('web-0'));
    const ev = cacheEventFromStore({ type: 'delete', key: '/registry/pods/default/web-0', value, created: false, createRevision: 10, revision: 60 });
    assert.equal(ev.hasObject, false);
    assert.equal(ev.hasPrev, true);
    const l = parsedLine(eventText(ev, pods, 'DELETED'));
    assert.equal(l.type, 'DELETED');
    assert.deepEqual(l.object, served(pods, value, 60));
    assert.deepEqual(l.object, toServed(pods, ev.prev as KubeObject));
  });

  it('a DELETED line for an update (object leaving a selection) carries the previous state at the event revision', () => {
    const before = stored(pods.entry, pod('web-0'));
    const after = stored(pods.entry, pod('web-0', { metadata: { name: 'web-0', namespace: 'default', labels: { app: 'other' } } }));
    const ev = cacheEventFromStore({ type: 'put', key: '/registry/pods/default/web-0', value: after, prevValue: before, created: false, createRevision: 10, revision: 61 });
    const l = parsedLine(eventText(ev, pods, 'DELETED'));
    assert.deepEqual(l.object, served(pods, before, 61));
    assert.equal(l.object.metadata.labels?.app, 'web');
  });

  it('takes the slow path for an alias and still serves the alias version', () => {
    const value = stored(coreEvents.entry, coreEvent('e1', { kind: 'Pod', namespace: 'default', name: 'web-0' }));
    const ev = new CacheEvent('/registry/events/default/e1', 70, value, undefined);
    const l = parsedLine(eventText(ev, eventsV1, 'ADDED'));
    const expected = toServed(eventsV1, structuredClone(decodeStored(value, 70)));
    assert.deepEqual(l.object, expected);
    assert.equal(l.object.apiVersion, 'events.k8s.io/v1');
    assert.equal(l.object.metadata.resourceVersion, '70');
    // The alias conversion must not have touched the shared decoded object.
    assert.deepEqual(ev.object, decodeStored(value, 70));
    // The core line of the same event is still the core form.
    assert.deepEqual(parsedLine(eventText(ev, coreEvents, 'ADDED')).object, served(coreEvents, value, 70));
  });

  it('takes the slow path for a string mentioning "resourceVersion" and keeps the involvedObject\'s own', () => {
    const value = stored(coreEvents.entry, coreEvent('e2', { kind: 'Pod', namespace: 'default', name: 'web-0', resourceVersion: '12' }));
    const ev = new CacheEvent('/registry/events/default/e2', 71, value, undefined);
    const l = parsedLine(eventLine(ev, coreEvents, 'ADDED').toString('utf8'));
    assert.deepEqual(l.object, served(coreEvents, value, 71));
    assert.equal(l.object.metadata.resourceVersion, '71');
    assert.equal((l.object.involvedObject as Record<string, unknown>).resourceVersion, '12');
  });

  it('takes the slow path for a string not starting with the stored head', () => {
    const value = JSON.stringify({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'odd', namespace: 'default' }, spec: {} });
    const ev = new CacheEvent('/registry/pods/default/odd', 72, value, undefined);
    const l = parsedLine(eventText(ev, pods, 'ADDED'));
    assert.deepEqual(l.object, served(pods, value, 72));
  });

  it('eventLine is eventText UTF-8 encoded, built once per type and served version', () => {
    const value = stored(pods.entry, pod('wéb-ü'));
    const ev = new CacheEvent('/registry/pods/default/web-u', 80, value, undefined);
    const text = eventText(ev, pods, 'ADDED');
    const bytes = eventLine(ev, pods, 'ADDED');
    assert.ok(bytes.equals(Buffer.from(text)));
    assert.equal(eventLine(ev, pods, 'ADDED'), bytes, 'the same Buffer instance on the second call');
    assert.equal(eventText(ev, pods, 'ADDED'), text);
    const modified = eventLine(ev, pods, 'MODIFIED');
    assert.notEqual(modified, bytes);
    assert.equal(parsedLine(modified.toString('utf8')).type, 'MODIFIED');
    assert.equal(ev.lines.size, 2);
  });
});

describe('CacheEvent laziness', () => {
  const realParse = JSON.parse;
  let parses = 0;
  const spy = (): void => {
    parses = 0;
    JSON.parse = ((text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => {
      parses++;
      return realParse(text, reviver);
    }) as typeof JSON.parse;
  };
  afterEach(() => {
    JSON.parse = realParse;
  });

  it('builds spliced lines without parsing either state', () => {
    const before = stored(pods.entry, pod('web-0'));
    const after = stored(pods.entry, pod('web-0', { status: { phase: 'Failed' } }));
    const ev = new CacheEvent('/registry/pods/default/web-0', 90, after, before);
    spy();
    eventLine(ev, pods, 'MODIFIED');
    eventText(ev, pods, 'ADDED');
    eventLine(ev, pods, 'DELETED');
    assert.equal(parses, 0);
    JSON.parse = realParse;
  });

  it('parses each state at most once, when .object or .prev is read', () => {
    const before = stored(pods.entry, pod('web-0'));
    const after = stored(pods.entry, pod('web-0', { status: { phase: 'Failed' } }));
    const ev = new CacheEvent('/registry/pods/default/web-0', 91, after, before);
    spy();
    const obj = ev.object;
    assert.equal(parses, 1);
    assert.equal(ev.object, obj, 'the same decoded object again');
    assert.equal(parses, 1);
    const prev = ev.prev;
    assert.equal(parses, 2);
    assert.equal(ev.prev, prev);
    assert.equal(parses, 2);
    JSON.parse = realParse;
    assert.deepEqual(obj, decodeStored(after, 91));
    assert.deepEqual(prev, decodeStored(before, 91));
  });

  it('never parses a spliced value: invalid JSON after the head still yields a line, and only reading .object fails', () => {
    const broken = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},"spec":oops}';
    const ev = new CacheEvent('/registry/pods/default/x', 92, broken, undefined);
    assert.equal(eventText(ev, pods, 'ADDED'), '{"type":"ADDED","object":{"apiVersion":"v1","kind":"Pod","metadata":{"resourceVersion":"92","name":"x"},"spec":oops}}\n');
    assert.throws(() => ev.object, SyntaxError);
  });

  it('a deletion has no new state to parse', () => {
    const ev = new CacheEvent('/registry/pods/default/x', 93, undefined, stored(pods.entry, pod('x')));
    assert.equal(ev.object, undefined);
    assert.equal(ev.prev?.metadata.resourceVersion, '93');
  });
});
