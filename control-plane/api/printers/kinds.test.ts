import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../meta.js';
import { builtinPrinter } from './builtin.js';
import { defaultPrinter } from './default-table.js';
import type { Printer } from './printer.js';

const NOW = new Date('2025-01-01T12:00:00Z');
const meta = (name: string, extra: Record<string, unknown> = {}): KubeObject['metadata'] => ({ name, namespace: 'default', creationTimestamp: '2025-01-01T09:00:00Z', ...extra });

function printer(group: string, resource: string): Printer {
  const p = builtinPrinter(group, resource);
  assert.ok(p, `${group}/${resource} has a printer`);
  return p;
}

function headers(p: Printer, wide = false): string[] {
  return p.columns.filter((c) => wide || c.priority === 0).map((c) => c.name.toUpperCase());
}

const template = { spec: { containers: [{ name: 'app', image: 'nginx:1.25' }, { name: 'side', image: 'busybox' }] } };

describe('workload printers', () => {
  test('deployment prints READY ready/desired, UP-TO-DATE, AVAILABLE and wide containers, images, selector', () => {
    const p = printer('apps', 'deployments');
    assert.deepEqual(headers(p, true), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    const d = { metadata: meta('web'), spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } };
    assert.deepEqual(p.print(d, NOW).cells, ['web', '2/3', 3, 2, '3h', 'app,side', 'nginx:1.25,busybox', 'app=web']);
  });

  test('replicaset, daemonset and statefulset print their counts', () => {
    const rs = { metadata: meta('web-5d8'), spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template }, status: { replicas: 2, readyReplicas: 1 } };
    assert.deepEqual(printer('apps', 'replicasets').print(rs, NOW).cells, ['web-5d8', 2, 2, 1, '3h', 'app,side', 'nginx:1.25,busybox', 'app=web']);
    const ds = {
      metadata: meta('agent'),
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'a', image: 'agent' }] } } },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
    };
    assert.deepEqual(headers(printer('apps', 'daemonsets')), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    assert.deepEqual(printer('apps', 'daemonsets').print(ds, NOW).cells, ['agent', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '3h', 'a', 'agent', 'app=agent']);
    const sts = { metadata: meta('db'), spec: { replicas: 3, template }, status: { readyReplicas: 1 } };
    assert.deepEqual(printer('apps', 'statefulsets').print(sts, NOW).cells, ['db', '1/3', '3h', 'app,side', 'nginx:1.25,busybox']);
  });

  test('controllerrevision names its controller as kind.group/name', () => {
    const cr = { metadata: meta('db-7c9', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u', controller: true }] }), revision: 2 };
    assert.deepEqual(printer('apps', 'controllerrevisions').print(cr, NOW).cells, ['db-7c9', 'statefulset.apps/db', 2, '3h']);
    assert.equal(printer('apps', 'controllerrevisions').print({ metadata: meta('x'), revision: 1 }, NOW).cells[1], '<none>');
  });

  test('job prints STATUS, COMPLETIONS and DURATION', () => {
    const p = printer('batch', 'jobs');
    assert.deepEqual(headers(p), ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
    const done = { metadata: meta('pi'), spec: { completions: 1, parallelism: 1, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } }, template }, status: { succeeded: 1, startTime: '2025-01-01T09:00:00Z', completionTime: '2025-01-01T09:00:42Z', conditions: [{ type: 'Complete', status: 'True' }] } };
    assert.deepEqual(p.print(done, NOW).cells.slice(0, 5), ['pi', 'Complete', '1/1', '42s', '3h']);
    const running = { metadata: meta('work'), spec: { parallelism: 3, template }, status: { active: 3, startTime: '2025-01-01T11:57:00Z' } };
    assert.deepEqual(p.print(running, NOW).cells.slice(1, 4), ['Running', '0/1 of 3', '3m']);
    const failed = { metadata: meta('bad'), spec: { completions: 2, template }, status: { failed: 1, conditions: [{ type: 'Failed', status: 'True' }] } };
    assert.deepEqual(p.print(failed, NOW).cells.slice(1, 4), ['Failed', '0/2', '']);
  });

  test('cronjob prints schedule, timezone, suspend, active and last schedule', () => {
    const p = printer('batch', 'cronjobs');
    assert.deepEqual(headers(p), ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE']);
    const cj = { metadata: meta('hello'), spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: { template } } }, status: { active: [{ name: 'hello-1' }], lastScheduleTime: '2025-01-01T11:55:00Z' } };
    assert.deepEqual(p.print(cj, NOW).cells, ['hello', '*/5 * * * *', '<none>', 'False', 1, '5m', '3h', 'app,side', 'nginx:1.25,busybox', '<none>']);
    assert.equal(p.print({ ...cj, status: {} }, NOW).cells[5], '<none>');
  });
});

describe('service and endpoint printers', () => {
  const p = printer('', 'services');
  test('service columns and ClusterIP / NodePort / LoadBalancer / ExternalName cells', () => {
    assert.deepEqual(headers(p, true), ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR']);
    const cip = { metadata: meta('web'), spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { app: 'web' } } };
    assert.deepEqual(p.print(cip, NOW).cells, ['web', 'ClusterIP', '10.96.0.10', '<none>', '80/TCP,53/UDP', '3h', 'app=web']);
    const np = { metadata: meta('np'), spec: { type: 'NodePort', clusterIP: '10.96.0.11', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] } };
    assert.deepEqual(p.print(np, NOW).cells.slice(1, 5), ['NodePort', '10.96.0.11', '<none>', '80:30080/TCP']);
    const lb = { metadata: meta('lb'), spec: { type: 'LoadBalancer', clusterIP: '10.96.0.12', ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] } };
    assert.equal(p.print(lb, NOW).cells[3], '<pending>');
    assert.equal(p.print({ ...lb, status: { loadBalancer: { ingress: [{ ip: '203.0.113.5' }, { hostname: 'lb.example.com' }] } } }, NOW).cells[3], '203.0.113.5,lb.example.com');
    const en = { metadata: meta('ext'), spec: { type: 'ExternalName', externalName: 'db.example.com' } };
    assert.deepEqual(p.print(en, NOW).cells.slice(1, 7), ['ExternalName', '<none>', 'db.example.com', '<none>', '3h', '<none>']);
    const headless = { metadata: meta('h'), spec: { type: 'ClusterIP', clusterIP: 'None', ports: [{ port: 80, protocol: 'TCP' }] } };
    assert.equal(p.print(headless, NOW).cells[2], 'None');
  });

  test('endpoints list at most three addresses with a count of the rest', () => {
    const e = printer('', 'endpoints');
    const ep = { metadata: meta('web'), subsets: [{ addresses: [{ ip: '10.1.0.1' }, { ip: '10.1.0.2' }, { ip: '10.1.0.3' }, { ip: '10.1.0.4' }], ports: [{ port: 80 }, { port: 443 }] }] };
    assert.deepEqual(e.print(ep, NOW).cells, ['web', '10.1.0.1:80,10.1.0.2:80,10.1.0.3:80 + 5 more...', '3h']);
    assert.equal(e.print({ metadata: meta('none') }, NOW).cells[1], '<none>');
    assert.equal(e.print({ metadata: meta('v6'), subsets: [{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }] }, NOW).cells[1], '[fd00::1]:80');
  });

  test('endpointslices print address type, ports and endpoints', () => {
    const s = printer('discovery.k8s.io', 'endpointslices');
    const es = { metadata: meta('web-abc'), addressType: 'IPv4', ports: [{ port: 80, name: 'http' }], endpoints: [{ addresses: ['10.1.0.1'] }, { addresses: ['10.1.0.2'] }] };
    assert.deepEqual(s.print(es, NOW).cells, ['web-abc', 'IPv4', '80', '10.1.0.1,10.1.0.2', '3h']);
    assert.deepEqual(s.print({ metadata: meta('e'), addressType: 'IPv4' }, NOW).cells.slice(2, 4), ['<unset>', '<unset>']);
  });
});

describe('cluster printers', () => {
  test('node prints Ready,SchedulingDisabled, roles and wide node info', () => {
    const p = printer('', 'nodes');
    assert.deepEqual(headers(p, true), ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
    const n = {
      metadata: { name: 'node1', creationTimestamp: '2024-12-30T12:00:00Z', labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/worker': '' } },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '192.168.1.10' }, { type: 'Hostname', address: 'node1' }],
        nodeInfo: { kubeletVersion: 'v1.33.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://1.7.24' },
      },
    };
    assert.deepEqual(p.print(n, NOW).cells, ['node1', 'Ready,SchedulingDisabled', 'control-plane,worker', '2d', 'v1.33.0', '192.168.1.10', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0', 'containerd://1.7.24']);
    const bare = { metadata: { name: 'n2', labels: { 'kubernetes.io/role': 'edge' } }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } };
    assert.deepEqual(p.print(bare, NOW).cells, ['n2', 'NotReady', 'edge', '<unknown>', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
    assert.equal(p.print({ metadata: { name: 'n3' } }, NOW).cells[1], 'Unknown');
    assert.equal(p.print({ metadata: { name: 'n3' } }, NOW).cells[2], '<none>');
  });

  test('namespace prints its phase', () => {
    assert.deepEqual(printer('', 'namespaces').print({ metadata: meta('dev'), status: { phase: 'Active' } }, NOW).cells, ['dev', 'Active', '3h']);
  });

  test('event prints LAST SEEN, TYPE, REASON, OBJECT, MESSAGE and wide SUBOBJECT, SOURCE, FIRST SEEN, COUNT, NAME', () => {
    const p = printer('', 'events');
    assert.deepEqual(headers(p), ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    assert.deepEqual(headers(p, true), ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME']);
    const ev = {
      metadata: meta('web-0.17f'),
      involvedObject: { kind: 'Pod', name: 'web-0', namespace: 'default', fieldPath: 'spec.containers{app}' },
      reason: 'Pulled',
      message: 'Container image "nginx" already present on machine\n',
      type: 'Normal',
      source: { component: 'kubelet', host: 'node1' },
      firstTimestamp: '2025-01-01T11:00:00Z',
      lastTimestamp: '2025-01-01T11:58:00Z',
      count: 4,
    };
    assert.deepEqual(p.print(ev, NOW).cells, ['2m', 'Normal', 'Pulled', 'pod/web-0', 'spec.containers{app}', 'kubelet, node1', 'Container image "nginx" already present on machine', '60m', 4, 'web-0.17f']);
    const newApi = { metadata: meta('e2'), involvedObject: { kind: 'Node' }, eventTime: '2025-01-01T11:59:50.000000Z', reportingComponent: 'scheduler', type: 'Warning', reason: 'X', message: 'm' };
    assert.deepEqual(p.print(newApi, NOW).cells, ['10s', 'Warning', 'X', 'node', '', 'scheduler', 'm', '10s', 1, 'e2']);
    const series = { ...newApi, series: { count: 7, lastObservedTime: '2025-01-01T11:59:55.000000Z' } };
    assert.deepEqual([p.print(series, NOW).cells[0], p.print(series, NOW).cells[8]], ['5s', 7]);
  });

  test('lease, pdb and priorityclass print their fields', () => {
    assert.deepEqual(printer('coordination.k8s.io', 'leases').print({ metadata: meta('node1'), spec: { holderIdentity: 'node1' } }, NOW).cells, ['node1', 'node1', '3h']);
    const pdb = printer('policy', 'poddisruptionbudgets');
    assert.deepEqual(headers(pdb), ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE']);
    assert.deepEqual(pdb.print({ metadata: meta('web'), spec: { minAvailable: 1 }, status: { disruptionsAllowed: 2 } }, NOW).cells, ['web', '1', 'N/A', 2, '3h']);
    assert.deepEqual(pdb.print({ metadata: meta('web'), spec: { maxUnavailable: '25%' } }, NOW).cells, ['web', 'N/A', '25%', 0, '3h']);
    const pc = printer('scheduling.k8s.io', 'priorityclasses');
    assert.deepEqual(headers(pc), ['NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE', 'PREEMPTIONPOLICY']);
    assert.deepEqual(pc.print({ metadata: meta('high'), value: 1000000, preemptionPolicy: 'PreemptLowerPriority' }, NOW).cells, ['high', 1000000, false, '3h', 'PreemptLowerPriority']);
  });
});

describe('configuration printers', () => {
  test('configmap DATA counts data and binaryData; secret prints TYPE and DATA; serviceaccount SECRETS', () => {
    assert.deepEqual(printer('', 'configmaps').print({ metadata: meta('cfg'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, NOW).cells, ['cfg', 3, '3h']);
    assert.deepEqual(printer('', 'secrets').print({ metadata: meta('tls'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } }, NOW).cells, ['tls', 'kubernetes.io/tls', 2, '3h']);
    assert.deepEqual(printer('', 'serviceaccounts').print({ metadata: meta('default') }, NOW).cells, ['default', 0, '3h']);
  });

  test('resourcequota splits requests and limits, sorted by resource', () => {
    const q = { metadata: meta('quota'), status: { hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '2Gi', 'limits.cpu': '4' }, used: { pods: '3', 'requests.cpu': '500m', 'limits.cpu': '1' } } };
    assert.deepEqual(printer('', 'resourcequotas').print(q, NOW).cells, ['quota', '3h', 'pods: 3/10, requests.cpu: 500m/2', 'limits.cpu: 1/4, limits.memory: 0/2Gi']);
  });

  test('kinds without a printer (limitranges) use the default NAME / CREATED AT table', () => {
    assert.equal(builtinPrinter('', 'limitranges'), undefined);
    assert.deepEqual(defaultPrinter.columns.map((c) => [c.name, c.type, c.format]), [['Name', 'string', 'name'], ['Created At', 'date', '']]);
    assert.deepEqual(defaultPrinter.print({ metadata: meta('limits') }, NOW).cells, ['limits', '2025-01-01T09:00:00Z']);
    assert.deepEqual(defaultPrinter.print({ metadata: { name: 'x' } }, NOW).cells, ['x', '0001-01-01T00:00:00Z']);
  });
});
