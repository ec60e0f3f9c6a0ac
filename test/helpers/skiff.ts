/**
 * Starts a real `skiff server` process (the built CLI, as a user runs it)
 * on a free port in a temp data dir, and stops it again. restart() keeps
 * the data dir; kill() is kill -9 for crash tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { tempDir, type TempDir } from './temp-dir.js';

/** cli/skiff.js, from dist/test/helpers. */
export const skiffBin = join(import.meta.dirname, '..', '..', '..', 'cli', 'skiff.js');

/**
 * The node flags on the executable's `#!/usr/bin/env -S node …` line:
 * spawning `node <flags> cli/skiff.js` runs skiff exactly as `npx skiff` or
 * the installed binary would.
 */
export function skiffNodeArgs(bin = skiffBin): string[] {
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\S*env\s+-S\s+node\s+(.*)$/.exec(first);
  return m?.[1] ? m[1].trim().split(/\s+/) : [];
}

export interface SkiffOptions {
  /** --datastore URL; default: SQLite in the data dir. */
  datastore?: string;
  /** Reuse a data dir (not removed on stop). */
  dataDir?: string;
  extraArgs?: string[];
}

export interface SkiffHandle {
  port: number;
  dataDir: string;
  kubeconfig: string;
  url: string;
  /** SIGTERM, wait for exit, start again with the same flags. */
  restart(): Promise<void>;
  /** kill -9, no cleanup of the data dir. */
  kill(): Promise<void>;
  /** Start again after kill(). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Everything the process wrote to stderr. */
  logs(): string;
  /** The server's process id (while running). */
  pid(): number | undefined;
}

function readyz(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const r = request({ host: '127.0.0.1', port, path: '/readyz', rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    r.on('error', () => resolve(false));
    r.on('timeout', () => {
      r.destroy();
      resolve(false);
    });
    r.end();
  });
}

export async function startSkiff(opts: SkiffOptions = {}): Promise<SkiffHandle> {
  const port = await freePort();
  const owned: TempDir | undefined = opts.dataDir ? undefined : tempDir('skiff-server-');
  const dataDir = opts.dataDir ?? owned!.path;
  const args = [skiffBin, 'server', '--data-dir', dataDir, '--port', String(port), '--bind-address', '127.0.0.1'];
  if (opts.datastore) args.push('--datastore', opts.datastore);
  args.push(...(opts.extraArgs ?? []));
  let child: ChildProcess | undefined;
  let log = '';

  const exited = (c: ChildProcess): Promise<void> =>
    new Promise((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) resolve();
      else c.once('exit', () => resolve());
    });

  const launch = async (): Promise<void> => {
    // SKIFF_SERVER_NODE_ARGS (e.g. "--cpu-prof") profiles the server in benchmarks.
    const nodeArgs = (process.env['SKIFF_SERVER_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
    const c = spawn(process.execPath, [...skiffNodeArgs(), ...nodeArgs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    c.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (c.exitCode !== null) throw new Error(`skiff server exited ${c.exitCode}: ${log}`);
      if (existsSync(join(dataDir, 'kubeconfig.yaml')) && (await readyz(port))) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    c.kill('SIGKILL');
    throw new Error(`skiff server did not become ready: ${log}`);
  };

  const terminate = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    if (!c) return;
    c.kill(signal);
    await exited(c);
    child = undefined;
  };

  await launch();
  return {
    port,
    dataDir,
    kubeconfig: join(dataDir, 'kubeconfig.yaml'),
    url: `https://127.0.0.1:${port}`,
    restart: async () => {
      await terminate('SIGTERM');
      await launch();
    },
    kill: () => terminate('SIGKILL'),
    start: launch,
    stop: async () => {
      await terminate('SIGTERM');
      owned?.remove();
    },
    logs: () => log,
    pid: () => child?.pid,
  };
}
