/**
 * A throwaway image registry for tests: Debian's `docker-registry`
 * (distribution 2.8) on a free loopback port, with its own config and
 * storage in a temp dir, optionally behind htpasswd (bcrypt, from
 * apache2-utils' `htpasswd -Bbn`). Plain HTTP: containerd pulls from
 * 127.0.0.1:PORT over HTTP without any registry configuration.
 *
 * push(ociTar, 'busybox:1.0') copies an OCI layout tarball in with skopeo
 * and returns the pullable reference (127.0.0.1:PORT/busybox:1.0).
 * stop() kills the registry and removes its dir.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { tempDir } from './temp-dir.js';

export interface RegistryAuth {
  username: string;
  password: string;
}

export interface TestRegistryOptions {
  /** true: a generated user and password; or given credentials. */
  auth?: boolean | RegistryAuth;
}

export interface TestRegistry {
  /** 127.0.0.1:PORT — the registry host as image references name it. */
  host: string;
  /** http://127.0.0.1:PORT */
  url: string;
  auth?: RegistryAuth;
  /** Pushes an OCI layout tarball as repo:tag; returns host/repo:tag. */
  push(ociTar: string, repoTag: string): Promise<string>;
  logs(): string;
  stop(): Promise<void>;
}

const REGISTRY_BIN = '/usr/bin/docker-registry';

/** Why registry tests must skip here, or undefined. */
export function registrySkipReason(needAuth = false): string | undefined {
  const need = [REGISTRY_BIN, '/usr/bin/skopeo', ...(needAuth ? ['/usr/bin/htpasswd'] : [])];
  const missing = need.filter((b) => !existsSync(b));
  return missing.length > 0 ? `missing ${missing.join(', ')} (docker-registry, skopeo, apache2-utils)` : undefined;
}

function configYaml(dir: string, port: number, htpasswd: string | undefined): string {
  return [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(join(dir, 'storage'))}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    ...(htpasswd ? ['auth:', '  htpasswd:', '    realm: skiff-test', `    path: ${JSON.stringify(htpasswd)}`] : []),
    '',
  ].join('\n');
}

function run(cmd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (b: Buffer) => (out += b.toString()));
    c.stderr.on('data', (b: Buffer) => (out += b.toString()));
    c.on('error', (e) => resolve({ code: -1, out: e.message }));
    c.on('close', (code) => resolve({ code, out }));
  });
}

export async function startTestRegistry(opts: TestRegistryOptions = {}): Promise<TestRegistry> {
  const dir = tempDir('skiff-registry-');
  const port = await freePort();
  const auth: RegistryAuth | undefined =
    opts.auth === true ? { username: 'skiff', password: randomBytes(9).toString('base64url') } : opts.auth || undefined;
  let htpasswd: string | undefined;
  if (auth) {
    const r = spawnSync('htpasswd', ['-Bbn', auth.username, auth.password], { encoding: 'utf8' });
    if (r.status !== 0) {
      dir.remove();
      throw new Error(`htpasswd failed: ${r.error?.message ?? r.stderr}`);
    }
    htpasswd = join(dir.path, 'htpasswd');
    writeFileSync(htpasswd, r.stdout);
  }
  const config = join(dir.path, 'config.yml');
  writeFileSync(config, configYaml(dir.path, port, htpasswd));
  const child: ChildProcess = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (b: Buffer): void => {
    log = (log + b.toString()).slice(-10_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    dir.remove();
  };

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`docker-registry exited: ${log}`);
    }
    try {
      const res = await fetch(`${url}/v2/`);
      if (res.status === 200 || res.status === 401) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not answer on ${url}: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const host = `127.0.0.1:${port}`;
  return {
    host,
    url,
    ...(auth ? { auth } : {}),
    push: async (ociTar, repoTag) => {
      const ref = `${host}/${repoTag}`;
      const args = ['copy', '--quiet', '--dest-tls-verify=false', ...(auth ? ['--dest-creds', `${auth.username}:${auth.password}`] : []), `oci-archive:${ociTar}`, `docker://${ref}`];
      const r = await run('skopeo', args);
      if (r.code !== 0) throw new Error(`skopeo push of ${ociTar} to ${ref} failed: ${r.out.trim()}`);
      return ref;
    },
    logs: () => log,
    stop,
  };
}
