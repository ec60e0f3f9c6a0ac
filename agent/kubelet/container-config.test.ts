import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PodSandboxConfig } from '../cri/runtime.js';
import { containerHash, makeBuildContainerConfig } from './container-config.js';
import { milliCpuToQuota, milliCpuToShares, upstreamOomScoreAdj } from './container-config-resources.js';
import { DEFAULT_MASKED_PATHS } from './container-config-security.js';
import { ContainerStartError, type ContainerSpec, type Pod } from './pod-deps.js';

const GiB = 1024n ** 3n;

function sandbox(logDirectory: string): PodSandboxConfig {
  return {
    metadata: { name: 'web', uid: 'u1', namespace: 'ns', attempt: 0 },
    hostname: 'web',
    logDirectory,
    portMappings: [],
    labels: {},
    annotations: {},
    linux: { cgroupParent: '/skiff/podu1', securityContext: { namespaceOptions: { network: 0, pid: 1, ipc: 0 } } },
  };
}

function pod(container: ContainerSpec, spec: Record<string, unknown> = {}): Pod {
  return {
    metadata: { name: 'web', namespace: 'ns', uid: 'u1' },
    spec: { containers: [container], terminationGracePeriodSeconds: 30, ...spec },
    status: { podIP: '10.42.0.7', podIPs: [{ ip: '10.42.0.7' }] },
  };
}

describe('buildContainerConfig', () => {
  let dir: string;
  let podDir: string;
  let logDir: string;
  const build = makeBuildContainerConfig({ memoryCapacityBytes: 4n * GiB, random: () => 0.5 });
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cc-'));
    podDir = join(dir, 'pods/u1');
    logDir = join(dir, 'logs/ns_web_u1');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const input = (p: Pod, c: ContainerSpec, extra: Partial<Parameters<typeof build>[0]> = {}) => ({
    pod: p, container: c, attempt: 2, env: [{ key: 'NAME', value: 'world' }], volumePaths: new Map<string, string>(),
    podDir, sandboxConfig: sandbox(logDir), imageRef: 'sha256:abc', ...extra,
  });

  it('passes command and args separately with $(VAR) expanded, plus metadata, image, logPath and labels', () => {
    const c = { name: 'app', image: 'localhost/busybox:1.0', command: ['sh', '-c'], args: ['echo $(NAME) $$(NAME) $(MISSING)'], workingDir: '/w', tty: true, stdin: true };
    const cfg = build(input(pod(c), c));
    assert.deepEqual(cfg.command, ['sh', '-c']);
    assert.deepEqual(cfg.args, ['echo world $(NAME) $(MISSING)']);
    assert.deepEqual(cfg.metadata, { name: 'app', attempt: 2 });
    assert.equal(cfg.image.image, 'sha256:abc');
    assert.equal(cfg.logPath, 'app/2.log');
    assert.equal(cfg.workingDir, '/w');
    assert.equal(cfg.tty, true);
    assert.equal(cfg.stdin, true);
    assert.equal(cfg.labels['io.kubernetes.container.name'], 'app');
    assert.equal(cfg.labels['skiff.dev/managed'], 'true');
    assert.equal(cfg.annotations['io.kubernetes.container.restartCount'], '2');
    assert.equal(cfg.annotations['io.kubernetes.container.hash'], containerHash(c));
    assert.ok(statSync(join(logDir, 'app')).isDirectory());
  });

  it('hashes container specs stably regardless of key order', () => {
    assert.equal(containerHash({ name: 'a', image: 'x', args: ['1'] }), containerHash({ args: ['1'], image: 'x', name: 'a' }));
    assert.notEqual(containerHash({ name: 'a', image: 'x' }), containerHash({ name: 'a', image: 'y' }));
  });

  it('mounts volumes read-only for configMap-like sources, with subPath, subPathExpr and propagation', () => {
    const cfgVol = join(dir, 'vol-cm');
    mkdirSync(join(cfgVol, '..2026_x'), { recursive: true });
    writeFileSync(join(cfgVol, '..2026_x/app.conf'), 'x');
    symlinkSync('..2026_x', join(cfgVol, '..data'));
    symlinkSync('..data/app.conf', join(cfgVol, 'app.conf'));
    const data = join(dir, 'vol-data');
    mkdirSync(data);
    const c = { name: 'app', volumeMounts: [
      { name: 'cm', mountPath: '/etc/app/app.conf', subPath: 'app.conf' },
      { name: 'data', mountPath: '/data', mountPropagation: 'HostToContainer' },
      { name: 'data', mountPath: '/per-pod', subPathExpr: 'logs/$(NAME)', readOnly: true },
    ] };
    const p = pod(c, { volumes: [{ name: 'cm', configMap: { name: 'x' } }, { name: 'data', emptyDir: {} }] });
    const cfg = build(input(p, c, { volumePaths: new Map([['cm', cfgVol], ['data', data]]) }));
    const byPath = new Map(cfg.mounts.map((m) => [m.containerPath, m]));
    assert.deepEqual(byPath.get('/etc/app/app.conf'), { containerPath: '/etc/app/app.conf', hostPath: join(cfgVol, '..2026_x/app.conf'), readonly: true, propagation: 0 });
    assert.deepEqual(byPath.get('/data'), { containerPath: '/data', hostPath: data, readonly: false, propagation: 1 });
    assert.equal(byPath.get('/per-pod')?.hostPath, join(data, 'logs/world'));
    assert.ok(statSync(join(data, 'logs/world')).isDirectory());
  });

  it('fails with CreateContainerConfigError for an unknown volume, a bad subPath or an unset subPathExpr variable', () => {
    const data = join(dir, 'vol-bad');
    mkdirSync(data);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ name: 'nope', mountPath: '/x' }, /cannot find volume "nope" to mount into container "app"/],
      [{ name: 'data', mountPath: '/x', subPath: '/abs' }, /must not be an absolute path/],
      [{ name: 'data', mountPath: '/x', subPath: 'a/../../etc' }, /must not contain '\.\.'/],
      [{ name: 'data', mountPath: '/x', subPathExpr: '$(UNSET)' }, /missing value for UNSET/],
      [{ name: 'data', mountPath: '/x', mountPropagation: 'Bidirectional' }, /only to privileged containers/],
    ];
    for (const [mount, msg] of cases) {
      const c = { name: 'app', volumeMounts: [mount] };
      assert.throws(() => build(input(pod(c), c, { volumePaths: new Map([['data', data]]) })), (e: unknown) => e instanceof ContainerStartError && e.reason === 'CreateContainerConfigError' && msg.test(e.message));
    }
  });

  it('writes a managed /etc/hosts with the pod IP, subdomain FQDN and hostAliases', () => {
    const c = { name: 'app' };
    const p = pod(c, { subdomain: 'db', hostAliases: [{ ip: '1.2.3.4', hostnames: ['foo', 'bar'] }] });
    const cfg = build(input(p, c));
    const hosts = cfg.mounts.find((m) => m.containerPath === '/etc/hosts');
    assert.equal(hosts?.hostPath, join(podDir, 'etc-hosts'));
    const text = readFileSync(join(podDir, 'etc-hosts'), 'utf8');
    assert.ok(text.startsWith('# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'));
    assert.match(text, /\n10\.42\.0\.7\tweb\.db\.ns\.svc\.cluster\.local\tweb\n/);
    assert.ok(text.endsWith('\n# Entries added by HostAliases.\n1.2.3.4\tfoo\tbar\n'));
  });

  it('copies the node hosts file for hostNetwork pods and skips /etc/hosts when the pod has no IP yet', () => {
    const nodeHosts = join(dir, 'node-hosts');
    writeFileSync(nodeHosts, '127.0.0.1 localhost node1\n');
    const c = { name: 'app' };
    const withHostNet = makeBuildContainerConfig({ memoryCapacityBytes: GiB, nodeHostsPath: nodeHosts, random: () => 0 });
    const p = { ...pod(c, { hostNetwork: true }), status: {} };
    withHostNet(input(p, c));
    assert.equal(readFileSync(join(podDir, 'etc-hosts'), 'utf8'), '# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost node1\n');
    const noIp = { ...pod(c), status: {} };
    assert.equal(build(input(noIp, c)).mounts.some((m) => m.containerPath === '/etc/hosts'), false);
  });

  it('creates a 0666 termination-log file under containers/<name> mounted at terminationMessagePath', () => {
    const c = { name: 'app', terminationMessagePath: '/tmp/msg' };
    const cfg = build(input(pod(c), c));
    const m = cfg.mounts.find((x) => x.containerPath === '/tmp/msg');
    assert.equal(m?.hostPath, join(podDir, 'containers/app/80000000'));
    assert.equal(statSync(m?.hostPath ?? '').mode & 0o777, 0o666);
  });

  it('derives cpu shares, quota and memory limit from requests and limits as upstream', () => {
    const c = { name: 'app', resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } } };
    const r = build(input(pod(c), c)).linux?.resources;
    assert.deepEqual(r, { cpuPeriod: '100000', cpuQuota: '50000', cpuShares: '256', memoryLimitInBytes: String(128 * 1024 * 1024), oomScoreAdj: '985' });
    const onlyLimit = { name: 'app', resources: { limits: { cpu: '2' } } };
    const r2 = build(input(pod(onlyLimit), onlyLimit)).linux?.resources;
    assert.equal(r2?.cpuShares, '2048');
    assert.equal(r2?.cpuQuota, '200000');
    const none = { name: 'app' };
    const r3 = build(input(pod(none), none)).linux?.resources;
    assert.equal(r3?.cpuShares, '2');
    assert.equal(r3?.cpuQuota, '0');
    assert.equal(r3?.memoryLimitInBytes, '0');
    assert.equal(milliCpuToShares(1n), 2n);
    assert.equal(milliCpuToQuota(1n, 100000n), 1000n);
  });

  it('never sends a negative oomScoreAdj: Guaranteed pods get 0 where upstream uses -997', () => {
    const g = { name: 'app', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } };
    assert.equal(upstreamOomScoreAdj(pod(g), g, 4n * GiB), -997);
    assert.equal(build(input(pod(g), g)).linux?.resources?.oomScoreAdj, '0');
    const be = { name: 'app' };
    assert.equal(build(input(pod(be), be)).linux?.resources?.oomScoreAdj, '1000');
    const huge = { name: 'app', resources: { requests: { memory: '4Gi' } } };
    assert.equal(build(input(pod(huge), huge)).linux?.resources?.oomScoreAdj, '3');
    const tiny = { name: 'app', resources: { requests: { cpu: '1m' } } };
    assert.equal(build(input(pod(tiny), tiny)).linux?.resources?.oomScoreAdj, '999');
  });

  it('merges pod and container securityContext with upstream defaults', () => {
    const c = { name: 'app', securityContext: { runAsUser: 1000, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] } } };
    const p = pod(c, { securityContext: { runAsUser: 1, runAsGroup: 2000, fsGroup: 3000, supplementalGroups: [4000] }, shareProcessNamespace: true });
    const sc = build(input(p, c, { sandboxConfig: { ...sandbox(logDir), linux: undefined } })).linux?.securityContext;
    assert.deepEqual(sc?.runAsUser, { value: '1000' });
    assert.deepEqual(sc?.runAsGroup, { value: '2000' });
    assert.equal(sc?.readonlyRootfs, true);
    assert.equal(sc?.noNewPrivs, true);
    assert.deepEqual(sc?.capabilities, { addCapabilities: ['NET_ADMIN'], dropCapabilities: ['ALL'] });
    assert.deepEqual(sc?.supplementalGroups, ['3000', '4000']);
    assert.deepEqual(sc?.maskedPaths, DEFAULT_MASKED_PATHS);
    assert.deepEqual(sc?.namespaceOptions, { network: 0, pid: 0, ipc: 0 });
    const priv = { name: 'app', securityContext: { privileged: true } };
    const psc = build(input(pod(priv), priv)).linux?.securityContext;
    assert.equal(psc?.privileged, true);
    assert.equal(psc?.maskedPaths, undefined);
    assert.deepEqual(psc?.namespaceOptions, { network: 0, pid: 1, ipc: 0 });
  });
});

describe('subPath safety', () => {
  it('refuses a subPath whose symlink resolves outside the volume', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-esc-'));
    try {
      const vol = join(dir, 'vol');
      mkdirSync(vol);
      symlinkSync('/etc', join(vol, 'escape'));
      const c = { name: 'app', volumeMounts: [{ name: 'v', mountPath: '/x', subPath: 'escape' }] };
      const build = makeBuildContainerConfig({ memoryCapacityBytes: GiB });
      const p = pod(c, { volumes: [{ name: 'v', emptyDir: {} }] });
      assert.throws(
        () => build({ pod: p, container: c, attempt: 0, env: [], volumePaths: new Map([['v', vol]]), podDir: join(dir, 'pod'), sandboxConfig: sandbox(join(dir, 'logs')), imageRef: 'x' }),
        /subpath "escape" not within volume path/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
