import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import type { ResourceEntry } from '../../api/resource-table.js';
import { isApiError } from '../../api/errors.js';
import { MemoryStore } from '../../../test/helpers/memory-store.js';
import type { AdmissionAttributes } from './admission.js';
import { ServiceAllocation } from './service-allocation.js';
import { parsePortRange, parseServiceCidr } from './service-allocation-ranges.js';

const PREFIX = '/registry/services/specs/';
const servicesEntry: ResourceEntry = {
  group: '',
  version: 'v1',
  resource: 'services',
  singular: 'service',
  kind: 'Service',
  namespaced: true,
  storagePrefix: PREFIX,
};

function svc(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec };
}

function attrs(obj: KubeObject, extra: Partial<AdmissionAttributes> = {}): AdmissionAttributes {
  return {
    operation: 'CREATE',
    resource: { entry: servicesEntry, group: '', version: 'v1', kind: 'Service' },
    subresource: '',
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name ?? '',
    object: obj,
    user: { name: 'admin', groups: ['system:masters'] },
    dryRun: false,
    ...extra,
  };
}

/** A plug-in over a small range (a /28: 14 usable addresses) and a clock the test moves. */
function setup(opts: { cidr?: string; ports?: string; random?: () => number } = {}) {
  const store = new MemoryStore();
  let now = Date.parse('2026-01-01T00:00:00Z');
  const clock = { now: () => new Date(now) };
  const plugin = new ServiceAllocation({
    serviceCidr: parseServiceCidr(opts.cidr ?? '10.43.0.0/28'),
    nodePortRange: parsePortRange(opts.ports ?? '30000-30009'),
    store,
    clock,
    random: opts.random ?? (() => 0),
    reservationTtlMs: 1000,
  });
  const persist = async (obj: KubeObject) => store.create(`${PREFIX}default/${obj.metadata.name}`, JSON.stringify(obj));
  return { store, plugin, persist, advance: (ms: number) => (now += ms) };
}

function spec(obj: KubeObject): Record<string, unknown> {
  return obj['spec'] as Record<string, unknown>;
}

async function rejects422(p: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => isApiError(e) && e.status === 422 && e.message === message);
}

describe('ServiceAllocation', () => {
  test('a ClusterIP service without an IP gets one from the range, never the first or tenth address', async () => {
    const { plugin, persist } = setup();
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const s = svc(`s${i}`, { ports: [{ port: 80 }] });
      await plugin.admit(attrs(s));
      const ip = spec(s)['clusterIP'] as string;
      assert.deepEqual(spec(s)['clusterIPs'], [ip]);
      assert.deepEqual(spec(s)['ipFamilies'], ['IPv4']);
      assert.notEqual(ip, '10.43.0.1');
      assert.notEqual(ip, '10.43.0.10');
      assert.ok(!seen.has(ip), `duplicate ${ip}`);
      seen.add(ip);
      await persist(s);
    }
    // 14 usable minus the two reserved: the range is now full.
    await assert.rejects(plugin.admit(attrs(svc('full', {}))), (e: unknown) => isApiError(e) && e.status === 500 && /range is full/.test(e.message));
  });

  test('the first and tenth address are handed out when requested explicitly', async () => {
    const { plugin } = setup();
    const k = svc('kubernetes', { clusterIP: '10.43.0.1' });
    await plugin.admit(attrs(k));
    assert.equal(spec(k)['clusterIP'], '10.43.0.1');
    const dns = svc('kube-dns', { clusterIPs: ['10.43.0.10'] });
    await plugin.admit(attrs(dns));
    assert.equal(spec(dns)['clusterIP'], '10.43.0.10');
  });

  test('a requested IP already held by a stored service is rejected with upstream message', async () => {
    const { plugin, persist } = setup();
    await persist(svc('a', { clusterIP: '10.43.0.5', clusterIPs: ['10.43.0.5'] }));
    await rejects422(
      plugin.admit(attrs(svc('b', { clusterIP: '10.43.0.5' }))),
      'Service "b" is invalid: spec.clusterIPs: Invalid value: ["10.43.0.5"]: failed to allocate IP 10.43.0.5: provided IP is already allocated',
    );
  });

  test('a requested IP outside the range is rejected naming the range', async () => {
    const { plugin } = setup();
    await rejects422(
      plugin.admit(attrs(svc('b', { clusterIP: '10.0.0.5' }))),
      'Service "b" is invalid: spec.clusterIPs: Invalid value: ["10.0.0.5"]: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.43.0.0/28',
    );
  });

  test('concurrent creates never receive the same IP before either is stored', async () => {
    const { plugin } = setup();
    const a = svc('a', {});
    const b = svc('b', {});
    await Promise.all([plugin.admit(attrs(a)), plugin.admit(attrs(b))]);
    assert.notEqual(spec(a)['clusterIP'], spec(b)['clusterIP']);
  });

  test('a dry run reserves nothing, and a reservation lapses after its time', async () => {
    const { plugin, advance } = setup();
    const dry = svc('a', {});
    await plugin.admit(attrs(dry, { dryRun: true }));
    const real = svc('b', {});
    await plugin.admit(attrs(real));
    assert.equal(spec(real)['clusterIP'], spec(dry)['clusterIP']);
    // b was never stored (its create failed): once the reservation lapses the IP is free again.
    const ip = String(spec(real)['clusterIP']);
    await rejects422(
      plugin.admit(attrs(svc('c', { clusterIP: ip }))),
      `Service "c" is invalid: spec.clusterIPs: Invalid value: ["${ip}"]: failed to allocate IP ${ip}: provided IP is already allocated`,
    );
    advance(2000);
    const c = svc('c', { clusterIP: ip });
    await plugin.admit(attrs(c));
    assert.equal(spec(c)['clusterIP'], ip);
  });

  test('headless services stay headless and ExternalName services get nothing', async () => {
    const { plugin } = setup();
    const headless = svc('h', { clusterIP: 'None' });
    await plugin.admit(attrs(headless));
    assert.deepEqual(spec(headless)['clusterIPs'], ['None']);
    const ext = svc('e', { type: 'ExternalName', externalName: 'example.com' });
    await plugin.admit(attrs(ext));
    assert.equal(spec(ext)['clusterIP'], undefined);
  });

  test('NodePort services get distinct node ports, honour requested ones and reject taken or out-of-range ones', async () => {
    const { plugin, persist } = setup();
    const a = svc('a', { type: 'NodePort', ports: [{ port: 80 }, { port: 443, nodePort: 30005 }] });
    await plugin.admit(attrs(a));
    const ports = spec(a)['ports'] as { nodePort: number }[];
    assert.equal(ports[1]?.nodePort, 30005);
    assert.ok(ports[0] && ports[0].nodePort >= 30000 && ports[0].nodePort <= 30009 && ports[0].nodePort !== 30005);
    await persist(a);
    await rejects422(
      plugin.admit(attrs(svc('b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30005 }] }))),
      'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30005: provided port is already allocated',
    );
    await rejects422(
      plugin.admit(attrs(svc('c', { type: 'NodePort', ports: [{ port: 80, nodePort: 40000 }] }))),
      'Service "c" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-30009',
    );
  });

  test('one node port may serve TCP and UDP of the same port', async () => {
    const { plugin } = setup();
    const dns = svc('dns', { type: 'NodePort', ports: [{ port: 53, protocol: 'UDP', nodePort: 30001 }, { port: 53, protocol: 'TCP', nodePort: 30001 }] });
    await plugin.admit(attrs(dns));
    assert.deepEqual((spec(dns)['ports'] as { nodePort: number }[]).map((p) => p.nodePort), [30001, 30001]);
  });

  test('an update keeps the IP and node ports the service already had', async () => {
    const { plugin, persist } = setup();
    const a = svc('a', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP' }] });
    await plugin.admit(attrs(a));
    await persist(a);
    const changed = svc('a', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP' }], selector: { app: 'x' } });
    await plugin.admit(attrs(changed, { operation: 'UPDATE', oldObject: a }));
    assert.equal(spec(changed)['clusterIP'], spec(a)['clusterIP']);
    assert.deepEqual(spec(changed)['ports'], spec(a)['ports']);
  });

  test('a ClusterIP service changed to NodePort gets node ports on update', async () => {
    const { plugin, persist } = setup();
    const a = svc('a', { ports: [{ port: 80 }] });
    await plugin.admit(attrs(a));
    await persist(a);
    const np = svc('a', { type: 'NodePort', clusterIP: spec(a)['clusterIP'], ports: [{ port: 80 }] });
    await plugin.admit(attrs(np, { operation: 'UPDATE', oldObject: a }));
    assert.equal(typeof (spec(np)['ports'] as { nodePort?: number }[])[0]?.nodePort, 'number');
  });

  test('a LoadBalancer with local traffic policy gets a health check node port', async () => {
    const { plugin } = setup();
    const lb = svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] });
    await plugin.admit(attrs(lb));
    const hc = spec(lb)['healthCheckNodePort'];
    assert.equal(typeof hc, 'number');
    assert.notEqual(hc, (spec(lb)['ports'] as { nodePort: number }[])[0]?.nodePort);
  });

  test('other resources and subresources pass untouched', async () => {
    const { plugin } = setup();
    const s = svc('a', {});
    await plugin.admit(attrs(s, { subresource: 'status' }));
    assert.equal(spec(s)['clusterIP'], undefined);
  });
});
