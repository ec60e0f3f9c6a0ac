import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentConfigError, agentPaths, buildAgentConfig, defaultNodeIP } from './config.js';

const base = { dataDir: 'd', server: 'https://10.0.0.1:6443', token: 'K10abc::node:s' };

test('fills every default and resolves the data dir', () => {
  const c = buildAgentConfig(base, { requireServer: true, cwd: '/x', hostname: 'Worker-1' });
  assert.equal(c.dataDir, '/x/d');
  assert.equal(c.nodeName, 'worker-1');
  assert.equal(c.kubeletPort, 10250);
  assert.equal(c.maxPods, 110);
  assert.deepEqual(c.clusterDns, ['10.43.0.10']);
  assert.equal(c.clusterDomain, 'cluster.local');
  assert.equal(c.containerRuntimeEndpoint, undefined);
  assert.ok(Object.isFrozen(c));
});

test('requires --server and --token for skiff agent but not for skiff up', () => {
  assert.throws(() => buildAgentConfig({ dataDir: 'd' }, { requireServer: true }), /--server is required/);
  assert.throws(() => buildAgentConfig({ dataDir: 'd', server: 'https://h:1' }, { requireServer: true }), /--token is required/);
  assert.equal(buildAgentConfig({ dataDir: 'd' }, { requireServer: false, hostname: 'h' }).server, undefined);
});

test('refuses a plain-HTTP server, a bad node name, IP, port or runtime endpoint with the flag named', () => {
  const bad: [Record<string, string>, RegExp][] = [
    [{ server: 'http://h:6443' }, /--server/],
    [{ nodeName: 'Bad_Name' }, /--node-name/],
    [{ nodeIp: '10.0.0' }, /--node-ip/],
    [{ kubeletPort: '70000' }, /--kubelet-port/],
    [{ containerRuntimeEndpoint: 'tcp://h:1' }, /--container-runtime-endpoint/],
    [{ podCidr: '10.1.0.0' }, /--pod-cidr/],
    [{ maxPods: 'many' }, /--max-pods/],
  ];
  for (const [flags, re] of bad) assert.throws(() => buildAgentConfig({ ...base, ...flags }, { requireServer: true, hostname: 'h' }), (e: unknown) => e instanceof AgentConfigError && re.test(e.message));
});

test('checks --system-reserved and keeps it as given', () => {
  assert.equal(buildAgentConfig({ ...base, systemReserved: 'cpu=250m,memory=512Mi' }, { requireServer: true, hostname: 'h' }).systemReserved, 'cpu=250m,memory=512Mi');
  for (const bad of ['cpu', 'gpu=1', 'memory=lots']) {
    assert.throws(() => buildAgentConfig({ ...base, systemReserved: bad }, { requireServer: true, hostname: 'h' }), (e: unknown) => e instanceof AgentConfigError && /--system-reserved/.test(e.message));
  }
});

test('picks the first non-internal IPv4 address as the default node IP', () => {
  const ifs = { lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }], eth0: [{ address: 'fe80::1', family: 'IPv6', internal: false }, { address: '10.1.2.3', family: 'IPv4', internal: false }] };
  assert.equal(defaultNodeIP(ifs as unknown as ReturnType<typeof import('node:os').networkInterfaces>), '10.1.2.3');
});

test('keeps the agent state under DIR/agent', () => {
  const p = agentPaths('/var/lib/skiff');
  assert.equal(p.containerd, '/var/lib/skiff/agent/containerd');
  assert.equal(p.images, '/var/lib/skiff/agent/images');
  assert.equal(p.logs, '/var/lib/skiff/agent/logs/pods');
});
