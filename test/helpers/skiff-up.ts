/**
 * Starts a real `skiff up` (server + agent + its own containerd) on free
 * ports in a temp data dir, as a user runs it, and removes every trace of
 * it again: pods are deleted through the API while the node still runs
 * (so CNI releases addresses and portmap rules), then the process gets
 * SIGTERM, and whatever a test left running on purpose (containers after
 * a restart test) is removed with the supervisor's host cleanup.
 *
 * The API binds 0.0.0.0 so pods can reach it through the bridge gateway
 * (there is no Service proxy yet); everything else stays on loopback.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { containerdPaths } from '../../agent/containerd/config.js';
import { cleanupHost, mountsUnder } from '../../agent/containerd/host-cleanup.js';
import { skiffBin, skiffNodeArgs } from './skiff.js';
import { freePort } from './free-port.js';
import { tempDir, type TempDir } from './temp-dir.js';

export interface SkiffUpOptions {
  /** Image tarballs copied into DIR/agent/images before start (the airgap path). */
  images?: string[];
  extraArgs?: string[];
  nodeName?: string;
}

export interface SkiffUpHandle {
  dataDir: string;
  kubeconfig: string;
  port: number;
  kubeletPort: number;
  nodeName: string;
  /** The pods' parent cgroup name under each hierarchy. */
  cgroupRoot: string;
  /** Milliseconds from spawn to the "is Ready" line of the last start. */
  readyMs: number;
  logs(): string;
  /** SIGTERM and wait for exit (containers keep running). */
  stop(): Promise<void>;
  /** Start again with the same flags and data dir. */
  start(): Promise<void>;
  /** Stops, removes whatever is left on the host and the data dir. */
  destroy(): Promise<void>;
}

export async function startSkiffUp(opts: SkiffUpOptions = {}): Promise<SkiffUpHandle> {
  const dir: TempDir = tempDir('skiff-up-');
  const port = await freePort();
  const kubeletPort = await freePort();
  const nodeName = opts.nodeName ?? `e2e-${process.pid}`;
  // Its own pod cgroup parent: agents of other test files run beside it.
  const cgroupRoot = `skiff-${nodeName}`;
  mkdirSync(join(dir.path, 'agent', 'images'), { recursive: true });
  (opts.images ?? []).forEach((img, i) => copyFileSync(img, join(dir.path, 'agent', 'images', `${i}-${img.split('/').pop() ?? 'image.tar'}`)));
  const args = [skiffBin, 'up', '--data-dir', dir.path, '--port', String(port), '--bind-address', '0.0.0.0', '--node-ip', '127.0.0.1', '--node-name', nodeName, '--kubelet-port', String(kubeletPort), '--cgroup-root', `/${cgroupRoot}`, ...(opts.extraArgs ?? [])];
  let child: ChildProcess | undefined;
  let log = '';
  const handle: SkiffUpHandle = {
    dataDir: dir.path,
    kubeconfig: join(dir.path, 'kubeconfig.yaml'),
    port,
    kubeletPort,
    nodeName,
    cgroupRoot,
    readyMs: 0,
    logs: () => log,
    stop: async () => {
      const c = child;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGTERM');
      await exited;
      child = undefined;
    },
    start: async () => {
      const started = Date.now();
      const c = spawn(process.execPath, [...skiffNodeArgs(), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      let seen = log.length;
      const ready = new Promise<void>((resolve, reject) => {
        const onData = (d: Buffer): void => {
          log += d.toString();
          if (log.slice(seen).includes(`node ${nodeName} is Ready`)) {
            seen = log.length;
            resolve();
          }
        };
        c.stdout?.on('data', onData);
        c.stderr?.on('data', onData);
        c.once('exit', (code) => reject(new Error(`skiff up exited ${code}: ${log}`)));
        setTimeout(() => reject(new Error(`skiff up was not Ready in 60 s: ${log}`)), 60_000).unref();
      });
      await ready;
      handle.readyMs = Date.now() - started;
    },
    destroy: async () => {
      await handle.stop();
      const paths = containerdPaths(join(dir.path, 'agent', 'containerd'));
      if (existsSync(paths.dir)) await cleanupHost({ paths, networkName: 'skiff', bridgeName: 'skiff0', sharedNetworkName: true, removeSharedChains: false });
      // Volumes of pods a test left running (tmpfs for secrets and tokens).
      for (const m of mountsUnder(dir.path)) spawnSync('umount', ['-l', m]);
      // The pod cgroup parent, once no pod of any agent is left under it.
      for (const ctrl of existsSync('/sys/fs/cgroup') ? readdirSync('/sys/fs/cgroup') : []) {
        try {
          rmdirSync(join('/sys/fs/cgroup', ctrl, cgroupRoot));
        } catch {
          // absent, or still holding another agent's pods
        }
      }
      dir.remove();
    },
  };
  try {
    await handle.start();
  } catch (e) {
    await handle.destroy();
    throw e;
  }
  return handle;
}
