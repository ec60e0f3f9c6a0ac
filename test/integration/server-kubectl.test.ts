/**
 * A started server (startServer, in process) driven by the real kubectl
 * with the kubeconfig the server wrote: version, api-versions and
 * api-resources for the oldest (aggregated v2beta1) and newest (v2)
 * kubectl, and the bootstrap objects every cluster has.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildServerConfig } from '../../control-plane/config.js';
import { startServer, type RunningServer } from '../../control-plane/main.js';
import { Kubectl } from '../helpers/kubectl.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('skiff server with kubectl', () => {
  const dir = tempDir();
  let server: RunningServer;

  before(async () => {
    server = await startServer(buildServerConfig({ dataDir: join(dir.path, 'data'), port: '0', bindAddress: '127.0.0.1' }));
  });

  after(async () => {
    try {
      await server?.close();
    } finally {
      dir.remove();
    }
  });

  for (const version of ['1.27', '1.33']) {
    describe(`kubectl ${version}`, () => {
      const kubectl = () => new Kubectl(version, server.kubeconfigPath, join(dir.path, `home-${version}`));

      test('version reports the server as v1.33.0+skiff', async () => {
        const out = JSON.parse(await kubectl().ok(['version', '-o', 'json'])) as { serverVersion: { gitVersion: string; major: string; minor: string } };
        assert.match(out.serverVersion.gitVersion, /^v1\.33\.0\+skiff\.\d+\.\d+\.\d+/);
        assert.equal(out.serverVersion.minor, '33');
      });

      test('api-versions lists the core and group versions', async () => {
        const lines = (await kubectl().ok(['api-versions'])).trim().split('\n');
        assert.ok(lines.includes('v1'));
        assert.ok(lines.includes('apps/v1'));
      });

      test('api-resources lists resources with short names, and deploy resolves to deployments', async () => {
        const out = await kubectl().ok(['api-resources']);
        assert.match(out, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
        assert.match(out, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
        const explainless = await kubectl().ok(['get', 'deploy', '-A']);
        assert.doesNotMatch(explainless, /doesn't have a resource type/);
      });
    });
  }

  test('the system namespaces and the kubernetes Service exist, with the first service IP', async () => {
    const kubectl = new Kubectl('1.33', server.kubeconfigPath, join(dir.path, 'home-boot'));
    const ns = (await kubectl.ok(['get', 'ns', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').sort();
    assert.deepEqual(ns, ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    const svc = JSON.parse(await kubectl.ok(['get', 'svc', 'kubernetes', '-n', 'default', '-o', 'json'])) as {
      metadata: { labels: Record<string, string> };
      spec: { clusterIP: string; ports: { name: string; port: number; targetPort: number; protocol: string }[] };
    };
    assert.equal(svc.spec.clusterIP, '10.43.0.1');
    assert.deepEqual(svc.spec.ports, [{ name: 'https', port: 443, protocol: 'TCP', targetPort: server.port }]);
    assert.deepEqual(svc.metadata.labels, { component: 'apiserver', provider: 'kubernetes' });
    const ep = await kubectl.ok(['get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[0].addresses[0].ip}:{.subsets[0].ports[0].port}']);
    assert.equal(ep, `127.0.0.1:${server.port}`);
  });

  test('drain finds pods/eviction in legacy discovery with its group and version', async () => {
    const kubectl = new Kubectl('1.33', server.kubeconfigPath, join(dir.path, 'home-raw'));
    const list = JSON.parse(await kubectl.ok(['get', '--raw', '/api/v1'])) as { resources: { name: string; group?: string; version?: string; kind: string }[] };
    const ev = list.resources.find((r) => r.name === 'pods/eviction');
    assert.deepEqual(ev && { group: ev.group, version: ev.version, kind: ev.kind }, { group: 'policy', version: 'v1', kind: 'Eviction' });
  });
});
