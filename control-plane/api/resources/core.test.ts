import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../field-errors.js';
import type { KubeObject } from '../meta.js';
import type { ResourceEntry } from '../resource-table.js';
import { configmaps, secrets } from './config-data.js';
import { coreEventToEventsV1, eventsV1ToCoreEvent, eventsV1Alias } from './events.js';
import { limitranges } from './quotas.js';
import { namespaces, nodes } from './namespaces.js';
import { services } from './services.js';

function run(entry: ResourceEntry, o: KubeObject, old?: KubeObject): string[] {
  entry.defaults?.(o);
  entry.normalize?.(o);
  return (entry.validate?.(o, old) ?? []).map(formatFieldError);
}

describe('services', () => {
  test('a ClusterIP service gets upstream defaults', () => {
    const s: KubeObject = { metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } };
    assert.deepEqual(run(services, s), []);
    assert.deepEqual(s.spec, {
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    });
  });

  test('NodePort services get externalTrafficPolicy Cluster', () => {
    const s: KubeObject = { metadata: { name: 'web', namespace: 'default' }, spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 'http' }] } };
    assert.deepEqual(run(services, s), []);
    assert.equal((s.spec as Record<string, unknown>).externalTrafficPolicy, 'Cluster');
  });

  test('ports are required unless headless or ExternalName; protocols are checked', () => {
    const none: KubeObject = { metadata: { name: 'web', namespace: 'default' }, spec: {} };
    assert.deepEqual(run(services, none), ['spec.ports: Required value']);
    const bad: KubeObject = { metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ port: 0, protocol: 'ICMP' }] } };
    assert.deepEqual(run(services, bad), [
      'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      // targetPort defaulted from the (bad) port, reported too as upstream does
      'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
    ]);
  });

  test('the cluster IP may not change once set', () => {
    const old: KubeObject = { metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.0.5', ports: [{ port: 80 }] } };
    run(services, old);
    const changed = structuredClone(old);
    (changed.spec as Record<string, unknown>).clusterIP = '10.96.0.6';
    (changed.spec as Record<string, unknown>).clusterIPs = ['10.96.0.6'];
    assert.deepEqual(run(services, changed, old), ['spec.clusterIPs[0]: Invalid value: ["10.96.0.6"]: may not change once set']);
  });
});

describe('secrets and configmaps', () => {
  test('stringData is folded into base64 data and never stored', () => {
    const s: KubeObject = { metadata: { name: 's', namespace: 'default' }, data: { a: 'eA==' }, stringData: { b: 'hello', a: 'y' } };
    assert.deepEqual(run(secrets, s), []);
    assert.deepEqual(s, { metadata: { name: 's', namespace: 'default' }, type: 'Opaque', data: { a: 'eQ==', b: 'aGVsbG8=' } });
  });

  test('data over 1 MiB is too long', () => {
    const c: KubeObject = { metadata: { name: 'c', namespace: 'default' }, data: { big: 'x'.repeat(1048577) } };
    assert.deepEqual(run(configmaps, c), ['data: Too long: may not be more than 1048576 bytes']);
  });

  test('immutable data may not change', () => {
    const old: KubeObject = { metadata: { name: 'c', namespace: 'default' }, immutable: true, data: { a: '1' } };
    const changed: KubeObject = { metadata: { name: 'c', namespace: 'default' }, immutable: true, data: { a: '2' } };
    assert.deepEqual(run(configmaps, changed, old), ['data: Forbidden: field is immutable when `immutable` is set']);
  });
});

describe('namespaces and limit ranges', () => {
  test('a namespace gets its finalizer, phase and name label; names are DNS labels', () => {
    const n: KubeObject = { metadata: { name: 'team-a' } };
    assert.deepEqual(run(namespaces, n), []);
    assert.deepEqual(n, {
      metadata: { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'team-a' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
    assert.equal(run(namespaces, { metadata: { name: 'a.b' } })[0], 'metadata.name: Invalid value: "a.b": must not contain dots');
  });

  test('limit range container defaults come from max, then default, then min', () => {
    const l: KubeObject = { metadata: { name: 'l', namespace: 'default' }, spec: { limits: [{ type: 'Container', max: { cpu: '2000m' }, min: { memory: '1024Mi' } }] } };
    assert.deepEqual(run(limitranges, l), []);
    assert.deepEqual(l.spec, { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '1Gi' }, default: { cpu: '2' }, defaultRequest: { cpu: '2', memory: '1Gi' } }] });
  });
});

describe('events.k8s.io/v1 conversion', () => {
  const core: KubeObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'e', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'p', namespace: 'default', uid: 'u' },
    reason: 'Started',
    message: 'Started container',
    source: { component: 'kubelet', host: 'n1' },
    firstTimestamp: '2026-01-01T00:00:00Z',
    lastTimestamp: '2026-01-01T00:01:00Z',
    count: 2,
    type: 'Normal',
    eventTime: null,
    reportingComponent: 'kubelet',
    reportingInstance: 'n1',
  };

  test('core events convert to events.k8s.io/v1 with renamed fields', () => {
    assert.deepEqual(coreEventToEventsV1(core), {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'e', namespace: 'default' },
      reason: 'Started',
      type: 'Normal',
      eventTime: null,
      reportingInstance: 'n1',
      regarding: { kind: 'Pod', name: 'p', namespace: 'default', uid: 'u' },
      note: 'Started container',
      deprecatedSource: { component: 'kubelet', host: 'n1' },
      deprecatedFirstTimestamp: '2026-01-01T00:00:00Z',
      deprecatedLastTimestamp: '2026-01-01T00:01:00Z',
      deprecatedCount: 2,
      reportingController: 'kubelet',
    });
  });

  test('the conversion round-trips', () => {
    const back = eventsV1ToCoreEvent(coreEventToEventsV1(core));
    const sorted = (o: object): string => JSON.stringify(Object.fromEntries(Object.entries(o).sort()));
    assert.equal(sorted(back), sorted(core));
  });

  test('regarding.* field selectors map to involvedObject.*', () => {
    assert.equal(eventsV1Alias.fieldSelectorAliases?.['regarding.name'], 'involvedObject.name');
    assert.equal(eventsV1Alias.fieldSelectorAliases?.['reportingController'], 'reportingComponent');
  });
});

describe('nodes', () => {
  const node = (spec: Record<string, unknown>): KubeObject => ({ metadata: { name: 'n1', resourceVersion: '1', uid: 'u', creationTimestamp: '2026-01-01T00:00:00Z' }, spec });
  test('a podCIDR may be set once but never changed', () => {
    assert.deepEqual(run(nodes, node({ podCIDR: '10.42.1.0/24', podCIDRs: ['10.42.1.0/24'] }), node({})), []);
    assert.deepEqual(run(nodes, node({ podCIDR: '10.42.2.0/24', podCIDRs: ['10.42.2.0/24'] }), node({ podCIDR: '10.42.1.0/24', podCIDRs: ['10.42.1.0/24'] })), [
      'spec.podCIDR: Forbidden: node updates may not change podCIDR except from "" to valid',
      'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
    ]);
  });
});
