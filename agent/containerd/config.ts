/**
 * Renders the two files a private containerd needs: its config.toml
 * (config version 2, CRI plugin) and the CNI conflist in its conf_dir.
 *
 * Contract: pure functions of their options; every path is absolute and
 * comes from the caller, so several instances can run side by side on one
 * host (tests do) without sharing root, state, socket, runc state, CNI
 * network name, bridge or IPAM data. The values are the ones measured to
 * work on these machines (../shared/docs/cri-on-this-machine.md):
 * restrict_oom_score_adj (root lacks CAP_SYS_RESOURCE here), Debian's CNI
 * plugins in /usr/lib/cni, the cgroupfs driver, and registry hosts from a
 * certs.d dir — never `registry.mirrors`, which breaks the CRI plugin when
 * combined with config_path.
 */
import { join } from 'node:path';

export interface ContainerdPaths {
  /** The instance's directory: DIR/agent/containerd in production. */
  dir: string;
  root: string;
  state: string;
  socket: string;
  config: string;
  /** runc's state root (per instance, so cleanup can list exactly ours). */
  runcRoot: string;
  /** registry hosts: certs.d/HOST:PORT/hosts.toml */
  certsDir: string;
}

/** The fixed layout under one instance directory. */
export function containerdPaths(dir: string): ContainerdPaths {
  return {
    dir,
    root: join(dir, 'root'),
    state: join(dir, 'state'),
    socket: join(dir, 'containerd.sock'),
    config: join(dir, 'config.toml'),
    runcRoot: join(dir, 'runc'),
    certsDir: join(dir, 'certs.d'),
  };
}

export interface ContainerdConfigOptions {
  paths: ContainerdPaths;
  /** Fully qualified, e.g. localhost/pause:1.0 */
  sandboxImage: string;
  /** Where the CRI streaming server (exec/attach/port-forward) listens. */
  streamAddress: string;
  streamPort: number;
  cniConfDir: string;
  /** Default /usr/lib/cni (Debian's containernetworking-plugins). */
  cniBinDir?: string;
  /** Default 16384, as upstream. */
  maxContainerLogLineSize?: number;
}

/** A TOML basic string (quotes and escapes). */
export function tomlString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

export function containerdConfig(opts: ContainerdConfigOptions): string {
  const p = opts.paths;
  const q = tomlString;
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  if (!Number.isInteger(opts.streamPort) || opts.streamPort < 0 || opts.streamPort > 65535) {
    throw new Error(`invalid stream port ${opts.streamPort}`);
  }
  return [
    '# Written by Skiff on every start; edits are overwritten.',
    'version = 2',
    `root = ${q(p.root)}`,
    `state = ${q(p.state)}`,
    // Snapshotters that cannot work here: disabled so their load failures do not flood the log.
    'disabled_plugins = ["io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs"]',
    '',
    '[grpc]',
    `  address = ${q(p.socket)}`,
    '',
    `[${cri}]`,
    `  sandbox_image = ${q(opts.sandboxImage)}`,
    `  stream_server_address = ${q(opts.streamAddress)}`,
    `  stream_server_port = ${q(String(opts.streamPort))}`,
    '  enable_tls_streaming = false',
    '  netns_mounts_under_state_dir = true',
    '  restrict_oom_score_adj = true',
    `  max_container_log_line_size = ${opts.maxContainerLogLineSize ?? 16384}`,
    '',
    `  [${cri}.cni]`,
    `    bin_dir = ${q(opts.cniBinDir ?? '/usr/lib/cni')}`,
    `    conf_dir = ${q(opts.cniConfDir)}`,
    '    max_conf_num = 1',
    '',
    `  [${cri}.containerd]`,
    '    snapshotter = "overlayfs"',
    '    default_runtime_name = "runc"',
    '',
    `    [${cri}.containerd.runtimes.runc]`,
    '      runtime_type = "io.containerd.runc.v2"',
    '',
    `      [${cri}.containerd.runtimes.runc.options]`,
    '        SystemdCgroup = false',
    `        Root = ${q(p.runcRoot)}`,
    '',
    `  [${cri}.registry]`,
    `    config_path = ${q(p.certsDir)}`,
    '',
  ].join('\n');
}

export interface CniOptions {
  /** The CNI network name; also names results and IPAM state (unique per instance). */
  networkName: string;
  /** Linux bridge device, at most 15 characters. */
  bridgeName: string;
  /** This node's pod CIDR, e.g. 10.42.0.0/24. */
  podCidr: string;
  /** host-local IPAM state directory. */
  ipamDataDir: string;
}

export interface CniConflist {
  cniVersion: string;
  name: string;
  plugins: Array<Record<string, unknown>>;
}

const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;
const CIDR4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export function validateCidr(cidr: string): void {
  const m = CIDR4.exec(cidr);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) throw new Error(`invalid IPv4 CIDR ${JSON.stringify(cidr)}`);
}

export function cniConflist(opts: CniOptions): CniConflist {
  if (!IFNAME.test(opts.bridgeName)) throw new Error(`invalid bridge name ${JSON.stringify(opts.bridgeName)} (1-15 of [A-Za-z0-9_.-])`);
  if (!/^[A-Za-z0-9_.-]+$/.test(opts.networkName)) throw new Error(`invalid CNI network name ${JSON.stringify(opts.networkName)}`);
  validateCidr(opts.podCidr);
  return {
    cniVersion: '1.0.0',
    name: opts.networkName,
    plugins: [
      {
        type: 'bridge',
        bridge: opts.bridgeName,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: opts.podCidr }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: opts.ipamDataDir,
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
}

/** The conflist as the file content containerd reads. */
export function cniConflistJson(opts: CniOptions): string {
  return `${JSON.stringify(cniConflist(opts), null, 2)}\n`;
}
