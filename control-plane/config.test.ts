import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildServerConfig, ConfigError, kubernetesGitVersion, packageVersion } from './config.js';

describe('buildServerConfig', () => {
  test('defaults fill everything not given, with paths resolved against the working directory', () => {
    const c = buildServerConfig({ dataDir: 'data' }, '/srv');
    assert.deepEqual({ ...c, tlsSans: [...c.tlsSans] }, {
      dataDir: '/srv/data',
      port: 6443,
      bindAddress: '0.0.0.0',
      tlsSans: [],
      datastore: 'sqlite:///srv/data/state.db',
      kubeconfigPath: '/srv/data/kubeconfig.yaml',
      serviceCidr: '10.43.0.0/16',
      serviceNodePortRange: '30000-32767',
      clusterCidr: '10.42.0.0/16',
      nodeCidrMaskSize: 24,
      nodeMonitorGracePeriodMs: 40_000,
      leaderElect: true,
      leaderElectLeaseDurationMs: 15_000,
      leaderElectRenewDeadlineMs: 10_000,
      leaderElectRetryPeriodMs: 2_000,
      terminatedPodGcThreshold: 12_500,
      disableScheduler: false,
      disableControllerManager: false,
    });
  });

  test('flags override defaults and the result is frozen', () => {
    const c = buildServerConfig({
      dataDir: '/d',
      port: '0',
      bindAddress: '127.0.0.1',
      tlsSan: ['api.example.com', '10.0.0.9', 'api.example.com'],
      datastore: 'etcd://127.0.0.1:2379,10.0.0.2:2379',
      writeKubeconfig: '/tmp/kc',
      serviceCidr: '10.96.0.0/12',
      serviceNodePortRange: '31000-31999',
    });
    assert.equal(c.port, 0);
    assert.deepEqual([...c.tlsSans], ['api.example.com', '10.0.0.9']);
    assert.equal(c.datastore, 'etcd://127.0.0.1:2379,10.0.0.2:2379');
    assert.equal(c.kubeconfigPath, '/tmp/kc');
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.tlsSans));
  });

  test('each invalid value fails with a one-line ConfigError naming the flag', () => {
    const cases: [Parameters<typeof buildServerConfig>[0], RegExp][] = [
      [{}, /--data-dir is required/],
      [{ dataDir: '/d', port: '70000' }, /invalid --port "70000"/],
      [{ dataDir: '/d', port: 'http' }, /invalid --port/],
      [{ dataDir: '/d', bindAddress: 'localhost' }, /invalid --bind-address/],
      [{ dataDir: '/d', tlsSan: ['bad name'] }, /invalid --tls-san "bad name"/],
      [{ dataDir: '/d', datastore: 'mysql://x' }, /invalid --datastore/],
      [{ dataDir: '/d', datastore: 'etcd://nohostport' }, /etcd members must be host:port/],
      [{ dataDir: '/d', serviceCidr: '10.43.0.0' }, /--service-cidr: invalid CIDR/],
      [{ dataDir: '/d', serviceNodePortRange: '5-1' }, /--service-node-port-range: invalid port range/],
      [{ dataDir: '/d', clusterCidr: '10.42.0.0' }, /invalid --cluster-cidr "10.42.0.0"/],
      [{ dataDir: '/d', nodeCidrMaskSize: '8' }, /invalid --node-cidr-mask-size "8": expected a prefix length from 16/],
      [{ dataDir: '/d', nodeMonitorGracePeriod: '40' }, /invalid --node-monitor-grace-period "40": expected a duration/],
      [{ dataDir: '/d', leaderElect: 'maybe' }, /invalid --leader-elect "maybe"/],
      [{ dataDir: '/d', leaderElectRenewDeadline: '20s' }, /renew-deadline: it must be shorter than --leader-elect-lease-duration/],
      [{ dataDir: '/d', terminatedPodGcThreshold: '-1' }, /invalid --terminated-pod-gc-threshold/],
    ];
    for (const [flags, re] of cases) {
      assert.throws(() => buildServerConfig(flags), (e: unknown) => e instanceof ConfigError && re.test(e.message) && !e.message.includes('\n'), JSON.stringify(flags));
    }
  });
});

describe('controller flags', () => {
  test('default to upstream values and parse Go durations', () => {
    const d = buildServerConfig({ dataDir: '/d' });
    assert.deepEqual(
      [d.clusterCidr, d.nodeCidrMaskSize, d.nodeMonitorGracePeriodMs, d.leaderElect, d.leaderElectLeaseDurationMs, d.leaderElectRenewDeadlineMs, d.leaderElectRetryPeriodMs, d.terminatedPodGcThreshold],
      ['10.42.0.0/16', 24, 40_000, true, 15_000, 10_000, 2_000, 12_500],
    );
    const c = buildServerConfig({ dataDir: '/d', nodeMonitorGracePeriod: '1m30s', leaderElect: 'false', clusterCidr: '10.99.0.0/24', nodeCidrMaskSize: '26' });
    assert.deepEqual([c.nodeMonitorGracePeriodMs, c.leaderElect, c.nodeCidrMaskSize], [90_000, false, 26]);
  });
});

describe('versions', () => {
  test('the package version comes from package.json and gitVersion is semver with skiff build metadata', () => {
    const v = packageVersion();
    assert.match(v, /^\d+\.\d+\.\d+/);
    assert.equal(kubernetesGitVersion(v), `v1.33.0+skiff.${v}`);
    assert.match(kubernetesGitVersion(v), /^v\d+\.\d+\.\d+(\+[0-9A-Za-z.-]+)?$/);
  });
});
