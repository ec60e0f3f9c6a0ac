import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildSandboxConfig, parseResolvConf, podDnsConfig, type SandboxConfigInput } from './sandbox-config.js';
import type { Pod } from './pod-deps.js';

const hostDns = parseResolvConf('# host\nnameserver 192.168.1.1\nnameserver 192.168.1.2\nsearch corp.example\noptions edns0 ndots:1\n');

function pod(spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): Pod {
  return {
    metadata: { name: 'web', namespace: 'shop', uid: 'u-1', labels: { app: 'web' }, annotations: { note: 'x' }, ...meta },
    spec: { containers: [{ name: 'app', image: 'localhost/busybox:1.0' }], ...spec },
  };
}

function input(p: Pod, extra: Partial<SandboxConfigInput> = {}): SandboxConfigInput {
  return { pod: p, attempt: 0, nodeHostname: 'node-a', logRoot: '/d/agent/logs/pods', clusterDns: ['10.43.0.10'], clusterDomain: 'cluster.local', hostDns, ...extra };
}

describe('sandbox config', () => {
  it('parses resolv.conf nameservers, search and options', () => {
    assert.deepEqual(hostDns, { servers: ['192.168.1.1', '192.168.1.2'], searches: ['corp.example'], options: ['edns0', 'ndots:1'] });
  });

  it('gives ClusterFirst pods the cluster DNS, the namespace search path and ndots:5', () => {
    assert.deepEqual(podDnsConfig(pod(), ['10.43.0.10'], 'cluster.local', hostDns), {
      servers: ['10.43.0.10'],
      searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'],
      options: ['ndots:5'],
    });
  });

  it('falls back to the host resolv.conf when no cluster DNS is configured', () => {
    assert.deepEqual(podDnsConfig(pod(), [], 'cluster.local', hostDns), hostDns);
  });

  it('uses the host resolv.conf for Default and for ClusterFirst on the host network, the cluster DNS for ClusterFirstWithHostNet', () => {
    assert.deepEqual(podDnsConfig(pod({ dnsPolicy: 'Default' }), ['10.43.0.10'], 'cluster.local', hostDns), hostDns);
    assert.deepEqual(podDnsConfig(pod({ hostNetwork: true }), ['10.43.0.10'], 'cluster.local', hostDns), hostDns);
    assert.deepEqual(podDnsConfig(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), ['10.43.0.10'], 'cluster.local', hostDns).servers, ['10.43.0.10']);
  });

  it('gives None only spec.dnsConfig, and merges dnsConfig options by name otherwise', () => {
    const dnsConfig = { nameservers: ['1.1.1.1'], searches: ['my.dns'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] };
    assert.deepEqual(podDnsConfig(pod({ dnsPolicy: 'None', dnsConfig }), ['10.43.0.10'], 'cluster.local', hostDns), {
      servers: ['1.1.1.1'],
      searches: ['my.dns'],
      options: ['ndots:2', 'edns0'],
    });
    const c = podDnsConfig(pod({ dnsConfig }), ['10.43.0.10'], 'cluster.local', hostDns);
    assert.deepEqual(c.servers, ['10.43.0.10', '1.1.1.1']);
    assert.deepEqual(c.options, ['ndots:2', 'edns0']);
  });

  it('names the sandbox after the pod, with the attempt, labels, annotations, log directory and cgroup parent', () => {
    const c = buildSandboxConfig(input(pod(), { attempt: 2 }));
    assert.deepEqual(c.metadata, { name: 'web', namespace: 'shop', uid: 'u-1', attempt: 2 });
    assert.equal(c.hostname, 'web');
    assert.equal(c.logDirectory, '/d/agent/logs/pods/shop_web_u-1');
    assert.deepEqual(c.labels, {
      app: 'web',
      'io.kubernetes.pod.name': 'web',
      'io.kubernetes.pod.namespace': 'shop',
      'io.kubernetes.pod.uid': 'u-1',
      'skiff.dev/managed': 'true',
    });
    assert.deepEqual(c.annotations, { note: 'x' });
    assert.equal(c.linux?.cgroupParent, '/skiff/podu-1');
    assert.deepEqual(c.linux?.securityContext?.namespaceOptions, { network: 0, pid: 1, ipc: 0 });
  });

  it('uses spec.hostname, and the node hostname on the host network', () => {
    assert.equal(buildSandboxConfig(input(pod({ hostname: 'db-0', subdomain: 'db' }))).hostname, 'db-0');
    const host = buildSandboxConfig(input(pod({ hostNetwork: true, hostPID: true, hostIPC: true })));
    assert.equal(host.hostname, 'node-a');
    assert.deepEqual(host.linux?.securityContext?.namespaceOptions, { network: 2, pid: 2, ipc: 2 });
  });

  it('maps container hostPorts, with protocol and host IP', () => {
    const p = pod({
      containers: [
        { name: 'a', ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81 }] },
        { name: 'b', ports: [{ containerPort: 53, hostPort: 5353, protocol: 'UDP', hostIP: '127.0.0.1' }] },
      ],
    });
    assert.deepEqual(buildSandboxConfig(input(p)).portMappings, [
      { protocol: 0, containerPort: 80, hostPort: 8080, hostIp: '' },
      { protocol: 1, containerPort: 53, hostPort: 5353, hostIp: '127.0.0.1' },
    ]);
  });

  it('carries pod security context, sysctls and privileged when a container asks', () => {
    const p = pod({
      securityContext: { runAsUser: 1000, runAsGroup: 2000, supplementalGroups: [3000], sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] },
      containers: [{ name: 'a', securityContext: { privileged: true } }],
      shareProcessNamespace: true,
    });
    const l = buildSandboxConfig(input(p)).linux;
    assert.deepEqual(l?.sysctls, { 'net.ipv4.ip_unprivileged_port_start': '0' });
    assert.deepEqual(l?.securityContext?.runAsUser, { value: '1000' });
    assert.deepEqual(l?.securityContext?.runAsGroup, { value: '2000' });
    assert.deepEqual(l?.securityContext?.supplementalGroups, ['3000']);
    assert.equal(l?.securityContext?.privileged, true);
    assert.equal(l?.securityContext?.namespaceOptions?.pid, 0);
  });
});
