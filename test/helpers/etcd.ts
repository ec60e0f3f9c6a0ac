/**
 * A throwaway single-member etcd for tests: the real `etcd` binary, in a
 * temp data dir, on two free loopback ports (client + peer).
 *
 * startEtcd() resolves once /health reports healthy; stop() kills the
 * process and removes its data dir. Logs are kept quiet: only the tail of
 * stderr is kept, to explain a failed start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './free-port.js';
import { tempDir } from './temp-dir.js';

export interface EtcdInstance {
  /** `127.0.0.1:port`, the form etcd:// URLs and the etcd3 client take. */
  endpoint: string;
  stop(): Promise<void>;
}

const ETCD_BIN = process.env['SKIFF_TEST_ETCD'] ?? '/usr/bin/etcd';
const START_TIMEOUT_MS = 20_000;

export async function startEtcd(): Promise<EtcdInstance> {
  const dir = tempDir('skiff-etcd-');
  const clientPort = await freePort();
  const peerPort = await freePort();
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child = spawn(
    ETCD_BIN,
    [
      '--name=test',
      `--data-dir=${dir.path}/data`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=test=${peer}`,
      '--logger=zap',
      '--log-level=error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async (): Promise<void> => {
    await kill(child, exited);
    dir.remove();
  };

  try {
    await waitHealthy(client, exited);
  } catch (e) {
    await stop();
    throw new Error(`etcd did not start: ${e instanceof Error ? e.message : String(e)}\n${stderr}`);
  }
  return { endpoint: `127.0.0.1:${clientPort}`, stop };
}

async function waitHealthy(client: string, exited: Promise<number | null>): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let dead = false;
  void exited.then(() => (dead = true));
  while (Date.now() < deadline) {
    if (dead) throw new Error('etcd exited');
    try {
      const res = await fetch(`${client}/health`);
      const body = (await res.json()) as { health?: unknown };
      if (body.health === 'true') return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not healthy after ${START_TIMEOUT_MS} ms`);
}

async function kill(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
