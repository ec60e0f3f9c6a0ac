import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../framework/pod-util.js';
import { endpointsSubsets } from './endpoints-subsets.js';
import { serviceEndpoints, type Service } from './service-endpoints.js';

const svc = (over: Partial<NonNullable<Service['spec']>> = {}): Service => ({
  metadata: { name: 'web', namespace: 'ns', uid: 's1' },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }], ...over },
});

let n = 0;
const pod = (name: string, opts: { ip?: string; ready?: boolean; labels?: Record<string, string>; port?: number; deleting?: boolean; phase?: string; hostname?: string } = {}): Pod => ({
  metadata: {
    name,
    namespace: 'ns',
    uid: `u-${name}-${n++}`,
    labels: opts.labels ?? { app: 'web' },
    ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  spec: {
    nodeName: 'node-1',
    ...(opts.hostname ? { hostname: opts.hostname, subdomain: 'web' } : {}),
    containers: [{ name: 'c', ports: opts.port === undefined ? [] : [{ name: 'http', containerPort: opts.port, protocol: 'TCP' }] }],
  },
  status: {
    phase: opts.phase ?? 'Running',
    ...(opts.ip === undefined ? {} : { podIP: opts.ip }),
    conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
  },
});

describe('service endpoints', () => {
  it('selects pods of the namespace by label, with an IP, and not terminal', () => {
    const eps = serviceEndpoints(svc(), [
      pod('a', { ip: '10.0.0.1', port: 8080 }),
      pod('b', { port: 8080 }),
      pod('c', { ip: '10.0.0.3', port: 8080, labels: { app: 'other' } }),
      pod('d', { ip: '10.0.0.4', port: 8080, phase: 'Succeeded' }),
    ]);
    assert.deepEqual(eps.map((e) => e.pod.name), ['a']);
  });

  it('resolves a named targetPort per pod and skips pods without it', () => {
    const eps = serviceEndpoints(svc(), [pod('a', { ip: '10.0.0.1', port: 8080 }), pod('b', { ip: '10.0.0.2', port: 9090 }), pod('c', { ip: '10.0.0.3' })]);
    const { subsets } = endpointsSubsets(svc(), eps);
    assert.equal(subsets.length, 2, 'pods serving different ports land in different subsets');
    assert.deepEqual(
      subsets.map((s) => [s.ports?.[0]?.port, s.addresses?.map((a) => a.ip)]),
      [
        [8080, ['10.0.0.1']],
        [9090, ['10.0.0.2']],
      ],
    );
  });

  it('puts unready pods in notReadyAddresses and leaves out pods being deleted', () => {
    const s = svc({ ports: [{ port: 80, targetPort: 8080 }] });
    const eps = serviceEndpoints(s, [pod('a', { ip: '10.0.0.1' }), pod('b', { ip: '10.0.0.2', ready: false }), pod('c', { ip: '10.0.0.3', deleting: true })]);
    const { subsets } = endpointsSubsets(s, eps);
    assert.deepEqual(subsets, [
      {
        addresses: [{ ip: '10.0.0.1', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: eps[0]!.pod.uid } }],
        notReadyAddresses: [{ ip: '10.0.0.2', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'b', uid: eps[1]!.pod.uid } }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    ]);
    assert.equal(eps.find((e) => e.pod.name === 'c')?.terminating, true, 'slices still see the terminating pod');
  });

  it('treats every pod as ready when the Service publishes not-ready addresses', () => {
    const s = svc({ ports: [{ port: 80 }], publishNotReadyAddresses: true });
    const { subsets } = endpointsSubsets(s, serviceEndpoints(s, [pod('a', { ip: '10.0.0.1', ready: false })]));
    assert.equal(subsets[0]?.addresses?.length, 1);
    assert.equal(subsets[0]?.notReadyAddresses, undefined);
  });

  it('sets the hostname of pods whose subdomain is the Service', () => {
    const s = svc({ ports: [{ port: 80 }] });
    const [ep] = serviceEndpoints(s, [pod('a', { ip: '10.0.0.1', hostname: 'a-0' })]);
    assert.equal(ep?.hostname, 'a-0');
  });

  it('manages nothing for a Service without a selector', () => {
    assert.deepEqual(serviceEndpoints(svc({ selector: {} }), [pod('a', { ip: '10.0.0.1', port: 1 })]), []);
  });

  it('truncates Endpoints at 1,000 addresses', () => {
    const s = svc({ ports: [{ port: 80 }] });
    const pods = Array.from({ length: 1005 }, (_, i) => pod(`p${String(i).padStart(4, '0')}`, { ip: `10.1.${i >> 8}.${i & 255}` }));
    const r = endpointsSubsets(s, serviceEndpoints(s, pods));
    assert.equal(r.truncated, true);
    assert.equal(r.subsets[0]?.addresses?.length, 1000);
  });
});
