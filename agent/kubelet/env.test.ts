import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../control-plane/api/meta.js';
import { makeResolveEnv } from './env.js';
import { expand, mappingFor } from './env-expansion.js';
import { ContainerStartError, type ObjectSource, type Pod } from './pod-deps.js';

function source(objs: { configMaps?: KubeObject[]; secrets?: KubeObject[]; services?: KubeObject[] }): ObjectSource {
  const find = (list: KubeObject[] | undefined, ns: string, name: string) =>
    list?.find((o) => o.metadata.namespace === ns && o.metadata.name === name);
  return {
    getConfigMap: async (ns, name) => find(objs.configMaps, ns, name),
    getSecret: async (ns, name) => find(objs.secrets, ns, name),
    listServices: async (ns) => (objs.services ?? []).filter((s) => s.metadata.namespace === ns),
    requestServiceAccountToken: async () => ({ token: 't', expirationTimestamp: '' }),
  };
}

const node = { nodeName: 'n1', hostIP: '10.0.0.5' };

function pod(containers: Record<string, unknown>[], extra: Record<string, unknown> = {}): Pod {
  return {
    metadata: { name: 'web', namespace: 'ns1', uid: 'u-1', labels: { b: '2', a: 'x"y' }, annotations: { note: 'hi' } },
    spec: { nodeName: 'n1', serviceAccountName: 'default', containers, ...extra },
  };
}

function svc(ns: string, name: string, clusterIP: string, ports: Record<string, unknown>[]): KubeObject {
  return { metadata: { namespace: ns, name }, spec: { clusterIP, ports } };
}

const asMap = (kv: { key: string; value: string }[]) => new Map(kv.map((e) => [e.key, e.value]));

describe('expand', () => {
  const m = mappingFor(new Map([['A', 'a'], ['B', 'b']]));
  it('replaces known references and keeps unknown ones verbatim', () => {
    assert.equal(expand('$(A)-$(B)-$(C)', m), 'a-b-$(C)');
  });
  it('treats $$ as an escaped dollar', () => {
    assert.equal(expand('$$(A) $$ $$$(A)', m), '$(A) $ $a');
  });
  it('keeps an unclosed reference and a lone dollar as written', () => {
    assert.equal(expand('x$(A', m), 'x$(A');
    assert.equal(expand('$x $', m), '$x $');
    assert.equal(expand('$()', m), '$()');
  });
});

describe('makeResolveEnv', () => {
  it('expands references to earlier variables and Service variables', async () => {
    const src = source({ services: [svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }])] });
    const c = { name: 'c', env: [
      { name: 'A', value: 'one' },
      { name: 'B', value: '$(A)-two-$(LATER)' },
      { name: 'C', value: '$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)' },
      { name: 'LATER', value: 'x' },
    ] };
    const env = await makeResolveEnv(src, node)(pod([c]), c, ['10.42.0.9']);
    const m = asMap(env);
    assert.equal(m.get('B'), 'one-two-$(LATER)');
    assert.equal(m.get('C'), '10.96.0.1:443');
    assert.deepEqual(env.slice(0, 4).map((e) => e.key), ['A', 'B', 'C', 'LATER']);
  });

  it('injects docker-link Service variables for ClusterIP Services of the namespace only', async () => {
    const src = source({ services: [
      svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]),
      svc('default', 'other', '10.96.0.7', [{ port: 80 }]),
      svc('ns1', 'my-db', '10.96.0.9', [{ name: 'sql', port: 5432, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }]),
      svc('ns1', 'headless', 'None', [{ port: 80 }]),
    ] });
    const c = { name: 'c' };
    const m = asMap(await makeResolveEnv(src, node)(pod([c]), c, []));
    assert.equal(m.get('MY_DB_SERVICE_HOST'), '10.96.0.9');
    assert.equal(m.get('MY_DB_SERVICE_PORT'), '5432');
    assert.equal(m.get('MY_DB_SERVICE_PORT_SQL'), '5432');
    assert.equal(m.get('MY_DB_SERVICE_PORT_DNS'), '53');
    assert.equal(m.get('MY_DB_PORT'), 'tcp://10.96.0.9:5432');
    assert.equal(m.get('MY_DB_PORT_5432_TCP'), 'tcp://10.96.0.9:5432');
    assert.equal(m.get('MY_DB_PORT_53_UDP_PROTO'), 'udp');
    assert.equal(m.get('MY_DB_PORT_53_UDP_PORT'), '53');
    assert.equal(m.get('MY_DB_PORT_53_UDP_ADDR'), '10.96.0.9');
    assert.equal(m.get('KUBERNETES_SERVICE_HOST'), '10.96.0.1');
    assert.equal(m.get('KUBERNETES_PORT_443_TCP'), 'tcp://10.96.0.1:443');
    assert.equal(m.has('OTHER_SERVICE_HOST'), false);
    assert.equal(m.has('HEADLESS_SERVICE_HOST'), false);
  });

  it('keeps the kubernetes Service variables when enableServiceLinks is false', async () => {
    const src = source({ services: [svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443 }]), svc('ns1', 'db', '10.96.0.9', [{ port: 1 }])] });
    const c = { name: 'c' };
    const m = asMap(await makeResolveEnv(src, node)(pod([c], { enableServiceLinks: false }), c, []));
    assert.equal(m.get('KUBERNETES_SERVICE_HOST'), '10.96.0.1');
    assert.equal(m.has('DB_SERVICE_HOST'), false);
  });

  it('lets env override envFrom and envFrom skip invalid keys, with prefixes', async () => {
    const src = source({
      configMaps: [{ metadata: { namespace: 'ns1', name: 'cm' }, data: { KEY: 'v1', 'bad key': 'x', OTHER: 'o' } }],
      secrets: [{ metadata: { namespace: 'ns1', name: 's' }, data: { PASS: Buffer.from('hunter2').toString('base64') } }],
    });
    const c = { name: 'c', envFrom: [{ configMapRef: { name: 'cm' } }, { prefix: 'S_', secretRef: { name: 's' } }, { configMapRef: { name: 'gone', optional: true } }], env: [{ name: 'OTHER', value: 'env-wins' }] };
    const m = asMap(await makeResolveEnv(src, node)(pod([c]), c, []));
    assert.equal(m.get('KEY'), 'v1');
    assert.equal(m.get('S_PASS'), 'hunter2');
    assert.equal(m.get('OTHER'), 'env-wins');
    assert.equal(m.has('bad key'), false);
  });

  it('resolves configMapKeyRef and secretKeyRef and skips optional missing ones', async () => {
    const src = source({
      configMaps: [{ metadata: { namespace: 'ns1', name: 'cm' }, data: { k: 'cmv' } }],
      secrets: [{ metadata: { namespace: 'ns1', name: 's' }, data: { k: Buffer.from('sv').toString('base64') } }],
    });
    const c = { name: 'c', env: [
      { name: 'CM', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } },
      { name: 'SEC', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'cm', key: 'nope', optional: true } } },
      { name: 'OPT2', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } },
    ] };
    const m = asMap(await makeResolveEnv(src, node)(pod([c]), c, []));
    assert.equal(m.get('CM'), 'cmv');
    assert.equal(m.get('SEC'), 'sv');
    assert.equal(m.has('OPT'), false);
    assert.equal(m.has('OPT2'), false);
  });

  it('fails with CreateContainerConfigError and upstream wording for a missing ConfigMap, Secret or key', async () => {
    const src = source({ configMaps: [{ metadata: { namespace: 'ns1', name: 'cm' }, data: {} }] });
    const resolve = makeResolveEnv(src, node);
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'c', envFrom: [{ configMapRef: { name: 'x' } }] }, 'configmap "x" not found'],
      [{ name: 'c', env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'y', key: 'k' } } }] }, 'secret "y" not found'],
      [{ name: 'c', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }] }, "couldn't find key k in ConfigMap ns1/cm"],
    ];
    for (const [c, message] of cases) {
      await assert.rejects(resolve(pod([c]), c as { name: string }, []), (e: unknown) => {
        assert.ok(e instanceof ContainerStartError);
        assert.equal(e.reason, 'CreateContainerConfigError');
        assert.equal(e.message, message);
        return true;
      });
    }
  });

  it('resolves fieldRef paths from the pod, the node and the pod IPs', async () => {
    const fields = ['metadata.name', 'metadata.namespace', 'metadata.uid', "metadata.labels['b']", 'metadata.labels', "metadata.annotations['note']",
      'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
    const c = { name: 'c', env: fields.map((f, i) => ({ name: `F${i}`, valueFrom: { fieldRef: { fieldPath: f } } })) };
    const env = await makeResolveEnv(source({}), node)(pod([c]), c, ['10.42.0.9', 'fd00::9']);
    assert.deepEqual(env.slice(0, fields.length).map((e) => e.value), [
      'web', 'ns1', 'u-1', '2', 'a="x\\"y"\nb="2"', 'hi', 'n1', 'default', '10.0.0.5', '10.0.0.5', '10.42.0.9', '10.42.0.9,fd00::9',
    ]);
  });

  it('resolves resourceFieldRef with divisors, rounding up, and limits defaulting to allocatable', async () => {
    const c = {
      name: 'c',
      resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1500m' } },
      env: [
        { name: 'LC', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'LCM', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
        { name: 'RC', valueFrom: { resourceFieldRef: { resource: 'requests.cpu' } } },
        { name: 'RM', valueFrom: { resourceFieldRef: { resource: 'requests.memory', divisor: '1Mi' } } },
        { name: 'LM', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
      ],
    };
    const m = asMap(await makeResolveEnv(source({}), node, { allocatable: { memory: '2Gi' } })(pod([c]), c, []));
    assert.equal(m.get('LC'), '2');
    assert.equal(m.get('LCM'), '1500');
    assert.equal(m.get('RC'), '1');
    assert.equal(m.get('RM'), '64');
    assert.equal(m.get('LM'), String(2 * 1024 ** 3));
  });
});
