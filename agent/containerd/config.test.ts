import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cniConflist, cniConflistJson, containerdConfig, containerdPaths, tomlString } from './config.js';

const paths = containerdPaths('/data/agent/containerd');
const base = {
  paths,
  sandboxImage: 'localhost/pause:1.0',
  streamAddress: '127.0.0.1',
  streamPort: 10350,
  cniConfDir: '/data/agent/cni/net.d',
};

/** The `key = value` lines of one [table] of the rendered TOML. */
function table(toml: string, name: string): Map<string, string> {
  const out = new Map<string, string>();
  let current = '';
  for (const raw of toml.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || line === '') continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = header[1]!;
      continue;
    }
    const kv = /^([\w.]+)\s*=\s*(.+)$/.exec(line);
    if (kv && current === name) out.set(kv[1]!, kv[2]!);
  }
  return out;
}

describe('containerdPaths', () => {
  it('puts root, state, socket, config, runc state and certs.d under the instance dir', () => {
    assert.deepEqual(paths, {
      dir: '/data/agent/containerd',
      root: '/data/agent/containerd/root',
      state: '/data/agent/containerd/state',
      socket: '/data/agent/containerd/containerd.sock',
      config: '/data/agent/containerd/config.toml',
      runcRoot: '/data/agent/containerd/runc',
      certsDir: '/data/agent/containerd/certs.d',
    });
  });
});

describe('containerdConfig', () => {
  const toml = containerdConfig(base);

  it('is config version 2 with root and state under the dir', () => {
    const top = table(toml, '');
    assert.equal(top.get('version'), '2');
    assert.equal(top.get('root'), '"/data/agent/containerd/root"');
    assert.equal(top.get('state'), '"/data/agent/containerd/state"');
    assert.equal(table(toml, 'grpc').get('address'), '"/data/agent/containerd/containerd.sock"');
  });

  it('configures the CRI plugin with the sandbox image, plain-HTTP streaming and the restricted oom_score_adj', () => {
    const cri = table(toml, 'plugins."io.containerd.grpc.v1.cri"');
    assert.equal(cri.get('sandbox_image'), '"localhost/pause:1.0"');
    assert.equal(cri.get('stream_server_address'), '"127.0.0.1"');
    assert.equal(cri.get('stream_server_port'), '"10350"');
    assert.equal(cri.get('enable_tls_streaming'), 'false');
    assert.equal(cri.get('netns_mounts_under_state_dir'), 'true');
    assert.equal(cri.get('restrict_oom_score_adj'), 'true');
  });

  it("uses Debian's CNI plugins and exactly one conflist from the given conf dir", () => {
    const cni = table(toml, 'plugins."io.containerd.grpc.v1.cri".cni');
    assert.equal(cni.get('bin_dir'), '"/usr/lib/cni"');
    assert.equal(cni.get('conf_dir'), '"/data/agent/cni/net.d"');
    assert.equal(cni.get('max_conf_num'), '1');
    assert.equal(table(containerdConfig({ ...base, cniBinDir: '/opt/cni/bin' }), 'plugins."io.containerd.grpc.v1.cri".cni').get('bin_dir'), '"/opt/cni/bin"');
  });

  it('runs runc v2 on overlayfs with the cgroupfs driver and a per-instance runc root', () => {
    const ctd = table(toml, 'plugins."io.containerd.grpc.v1.cri".containerd');
    assert.equal(ctd.get('snapshotter'), '"overlayfs"');
    assert.equal(ctd.get('default_runtime_name'), '"runc"');
    assert.equal(table(toml, 'plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc').get('runtime_type'), '"io.containerd.runc.v2"');
    const opts = table(toml, 'plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options');
    assert.equal(opts.get('SystemdCgroup'), 'false');
    assert.equal(opts.get('Root'), '"/data/agent/containerd/runc"');
  });

  it('reads registry hosts from certs.d and never configures mirrors', () => {
    assert.equal(table(toml, 'plugins."io.containerd.grpc.v1.cri".registry').get('config_path'), '"/data/agent/containerd/certs.d"');
    assert.doesNotMatch(toml, /mirrors/);
  });

  it('escapes quotes and backslashes in paths', () => {
    assert.equal(tomlString('a"b\\c'), '"a\\"b\\\\c"');
    const odd = containerdConfig({ ...base, paths: containerdPaths('/tmp/we"ird') });
    assert.equal(table(odd, '').get('root'), '"/tmp/we\\"ird/root"');
  });

  it('rejects a stream port outside 0-65535', () => {
    assert.throws(() => containerdConfig({ ...base, streamPort: 70000 }), /invalid stream port/);
  });
});

describe('cniConflist', () => {
  const opts = { networkName: 'skiff', bridgeName: 'skiff0', podCidr: '10.42.0.0/24', ipamDataDir: '/data/agent/cni/ipam' };

  it('is a bridge with a gateway, no masquerade and hairpin, host-local IPAM on the pod CIDR, then portmap', () => {
    assert.deepEqual(cniConflist(opts), {
      cniVersion: '1.0.0',
      name: 'skiff',
      plugins: [
        {
          type: 'bridge',
          bridge: 'skiff0',
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: '10.42.0.0/24' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: '/data/agent/cni/ipam' },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    });
  });

  it('renders as JSON that parses back to the same list', () => {
    assert.deepEqual(JSON.parse(cniConflistJson(opts)), cniConflist(opts));
  });

  it('rejects a bridge name longer than a Linux interface name', () => {
    assert.throws(() => cniConflist({ ...opts, bridgeName: 'a-very-long-bridge0' }), /invalid bridge name/);
  });

  it('rejects a malformed pod CIDR', () => {
    assert.throws(() => cniConflist({ ...opts, podCidr: '10.42.0.0' }), /invalid IPv4 CIDR/);
    assert.throws(() => cniConflist({ ...opts, podCidr: '10.420.0.0/24' }), /invalid IPv4 CIDR/);
  });
});
