/**
 * A private, real containerd for integration/e2e/conformance tests.
 *
 * startTestContainerd() runs Debian's containerd through the agent's own
 * supervisor in a temp dir: its own socket, root, state, runc root, CNI
 * conf and IPAM dir, a free streaming port, a unique bridge and CNI
 * network name, and a pod CIDR 10.88.X.0/24 no other running instance
 * holds (reserved by an atomic mkdir, reclaimed when the holder died).
 * The test images (localhost/pause:1.0, localhost/busybox:1.0) are built
 * once into build/images and imported before it resolves.
 *
 * stop() removes every sandbox through CRI, stops containerd, then
 * removes what is left: runc containers, shims, mounts, iptables rules of
 * its network, the bridge, CNI results, the temp dir. Several instances
 * can run at once (one per test file).
 *
 * containerdAvailable() tells tests whether to skip (t.skip with a reason).
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { containerdPaths } from '../../agent/containerd/config.js';
import { cleanupHost, removeAllPods } from '../../agent/containerd/host-cleanup.js';
import { startContainerd, type RunningContainerd } from '../../agent/containerd/supervisor.js';
import { importImage, type ImportedImage } from '../../agent/images/import.js';
import { BUSYBOX_IMAGE, ensureTestImages, PAUSE_IMAGE, type ImageFiles } from '../../agent/images/test-images.js';
import { freePort } from './free-port.js';
import { tempDir } from './temp-dir.js';

export { BUSYBOX_IMAGE, PAUSE_IMAGE };

export interface TestContainerdOptions {
  /** Default: a free 10.88.X.0/24. */
  podCidr?: string;
  /** Streaming server address, default 127.0.0.1. */
  streamAddress?: string;
  /** Import the pause and busybox images (default true). */
  images?: boolean;
}

export interface TestContainerd {
  /** unix:///…/containerd.sock */
  endpoint: string;
  socketPath: string;
  /** The temp dir holding everything of this instance. */
  dir: string;
  streamPort: number;
  podCidr: string;
  bridgeName: string;
  networkName: string;
  supervisor: RunningContainerd;
  importImage(path: string): Promise<ImportedImage[]>;
  /** containerd's output so far (for failure messages). */
  logs(): string;
  stop(): Promise<void>;
}

const BINARIES = ['/usr/bin/containerd', '/usr/bin/ctr', '/usr/sbin/runc', '/usr/lib/cni/bridge', '/usr/lib/cni/host-local', '/usr/lib/cni/portmap', '/usr/lib/cni/loopback'];

/** True when containerd, ctr, runc and the CNI plugins are installed and we are root. */
export function containerdAvailable(): boolean {
  if (process.getuid?.() !== 0) return false;
  return BINARIES.every((b) => {
    try {
      accessSync(b, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The reason a test skips, or undefined when containerd can run. */
export function containerdSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to run containerd';
  const missing = BINARIES.filter((b) => !existsSync(b));
  return missing.length > 0 ? `containerd not installed (missing ${missing.join(', ')})` : undefined;
}

/** The repository root (the dir with Skiff's package.json), from dist/ or a private build dir. */
function repoRoot(): string {
  let dir = import.meta.dirname;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'skiff') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repository root not found');
    dir = parent;
  }
}

/** build/images/{pause,busybox}.tar, built if missing. */
export function testImageFiles(): ImageFiles {
  return ensureTestImages(join(repoRoot(), 'build', 'images'));
}

const RESERVATIONS = join(tmpdir(), 'skiff-test-pod-cidrs');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Reserves 10.88.X.0/24 for this process (no other test instance holds it); returns the CIDR and its release. */
/** True when a live process holds a test pod CIDR other than `own` (another test containerd may be running). */
export function otherTestInstancesAlive(own?: string): boolean {
  let slots: string[] = [];
  try {
    slots = readdirSync(RESERVATIONS);
  } catch {
    return false;
  }
  return slots.some((slot) => {
    if (own === `10.88.${slot}.0/24`) return false;
    try {
      return alive(Number(readFileSync(join(RESERVATIONS, slot, 'pid'), 'utf8')));
    } catch {
      return true; // being written by another process
    }
  });
}

export function reservePodCidr(): { cidr: string; release(): void } {
  mkdirSync(RESERVATIONS, { recursive: true });
  const start = randomBytes(1)[0]!;
  for (let i = 0; i < 256; i++) {
    const x = (start + i) % 256;
    const slot = join(RESERVATIONS, String(x));
    try {
      mkdirSync(slot);
    } catch {
      let holder = NaN;
      try {
        holder = Number(readFileSync(join(slot, 'pid'), 'utf8'));
      } catch {
        // being written, or stale without a pid: leave it
      }
      if (!Number.isInteger(holder) || alive(holder)) continue;
      rmSync(slot, { recursive: true, force: true });
      try {
        mkdirSync(slot);
      } catch {
        continue;
      }
    }
    writeFileSync(join(slot, 'pid'), String(process.pid));
    return { cidr: `10.88.${x}.0/24`, release: () => rmSync(slot, { recursive: true, force: true }) };
  }
  throw new Error('no free 10.88.X.0/24 pod CIDR for a test containerd');
}

export async function startTestContainerd(opts: TestContainerdOptions = {}): Promise<TestContainerd> {
  const images = opts.images === false ? undefined : testImageFiles();
  const tmp = tempDir('skiff-ctd-');
  const suffix = randomBytes(3).toString('hex');
  const bridgeName = `sk${suffix}`;
  const networkName = `skiff-t${suffix}`;
  const reservation = opts.podCidr ? undefined : reservePodCidr();
  const podCidr = opts.podCidr ?? reservation!.cidr;
  const streamPort = await freePort();
  let log = '';
  const dir = join(tmp.path, 'containerd');
  const cniDir = join(tmp.path, 'cni');
  let supervisor: RunningContainerd | undefined;

  const cleanup = async (): Promise<void> => {
    if (supervisor) {
      await removeAllPods(supervisor.socketPath).catch(() => 0);
      await supervisor.stop();
    }
    await cleanupHost({
      paths: supervisor?.paths ?? containerdPaths(dir),
      networkName,
      bridgeName,
      extraDirs: [tmp.path],
      // The last test instance out removes the shared CNI-HOSTPORT chains.
      removeSharedChains: !otherTestInstancesAlive(reservation?.cidr),
      log: (l) => (log += `${l}\n`),
    });
    tmp.remove();
    reservation?.release();
  };

  try {
    supervisor = await startContainerd({
      dir,
      cniDir,
      streamAddress: opts.streamAddress ?? '127.0.0.1',
      streamPort,
      sandboxImage: PAUSE_IMAGE,
      podCidr,
      bridgeName,
      networkName,
      log: (l) => (log = (log + l + '\n').slice(-20_000)),
    });
    if (images) {
      await importImage(supervisor.socketPath, images.pause);
      await importImage(supervisor.socketPath, images.busybox);
    }
  } catch (e) {
    await cleanup();
    throw new Error(`test containerd did not start: ${e instanceof Error ? e.message : String(e)}\n${log}`);
  }

  const running = supervisor;
  let stopped = false;
  return {
    endpoint: running.endpoint,
    socketPath: running.socketPath,
    dir: tmp.path,
    streamPort,
    podCidr,
    bridgeName,
    networkName,
    supervisor: running,
    importImage: (path) => importImage(running.socketPath, path),
    logs: () => log,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await cleanup();
    },
  };
}
