/**
 * `skiff server` as a user runs it (the compiled CLI in a child process):
 * mistakes end with one line on stderr and a non-zero exit, a good start
 * serves and writes a private kubeconfig, SIGTERM exits 0, and a restart
 * reuses the cluster's certificates.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../helpers/free-port.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The compiled CLI entry (what cli/skiff.js loads), relative to this compiled test. */
const cliMain = join(import.meta.dirname, '..', '..', 'cli', 'main.js');

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cliMain, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `expected one line on stderr, got: ${stderr}`);
  return lines[0] ?? '';
}

/** Starts the server and resolves once its kubeconfig line appears on stderr. */
function startServerProcess(args: string[]): Promise<{ stop(signal: NodeJS.Signals): Promise<number | null>; stderr(): string }> {
  const child = spawn(process.execPath, [cliMain, 'server', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start: ${err}`));
    }, 30_000);
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('kubeconfig written')) {
        clearTimeout(timer);
        resolve({
          stop: async (signal) => {
            child.kill(signal);
            return exited;
          },
          stderr: () => err,
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited ${code}: ${err}`));
    });
  });
}

describe('skiff CLI', () => {
  const dir = tempDir();
  after(() => dir.remove());

  test('an unknown flag exits non-zero with one line naming it', () => {
    const r = run(['server', '--bogus']);
    assert.notEqual(r.code, 0);
    assert.equal(oneLine(r.stderr), 'skiff: unknown flag --bogus (see skiff server --help)');
  });

  test('a flag without its value, a missing data dir, an unknown command and bad ranges each give one line', () => {
    const cases: [string[], RegExp][] = [
      [['server', '--data-dir', dir.path, '--port'], /^skiff: flag --port needs a value/],
      [['server'], /^skiff: --data-dir is required$/],
      [['frobnicate'], /^skiff: unknown command "frobnicate"/],
      [['server', '--data-dir', dir.path, '--service-cidr', '10.43.0.0'], /^skiff: --service-cidr: invalid CIDR "10\.43\.0\.0"/],
      [['server', '--data-dir', dir.path, '--service-node-port-range', '40000-30000'], /^skiff: --service-node-port-range: invalid port range/],
      [['server', '--data-dir', dir.path, '--datastore', 'mysql://db'], /^skiff: invalid --datastore/],
      [['server', '--data-dir', dir.path, '--port', '99999'], /^skiff: invalid --port "99999"/],
    ];
    for (const [args, re] of cases) {
      const r = run(args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(oneLine(r.stderr), re);
    }
  });

  test('a data dir that cannot be created is one line', () => {
    const file = join(dir.path, 'a-file');
    writeFileSync(file, '');
    const r = run(['server', '--data-dir', join(file, 'data'), '--port', '0']);
    assert.notEqual(r.code, 0);
    assert.equal(oneLine(r.stderr), `skiff: cannot use data dir ${join(file, 'data')}: a parent is not a directory`);
  });

  test('a port in use is one line', async () => {
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const r = run(['server', '--data-dir', join(dir.path, 'busy'), '--port', String(port), '--bind-address', '127.0.0.1']);
      assert.notEqual(r.code, 0);
      assert.equal(oneLine(r.stderr), `skiff: port ${port} is in use on 127.0.0.1`);
    } finally {
      blocker.close();
    }
  });

  test('help and version print to stdout and exit 0', () => {
    const help = run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: skiff <command>/);
    const serverHelp = run(['server', '--help']);
    assert.equal(serverHelp.code, 0);
    for (const flag of ['--data-dir', '--port', '--bind-address', '--tls-san', '--datastore', '--write-kubeconfig', '--service-cidr', '--service-node-port-range']) {
      assert.ok(serverHelp.stdout.includes(flag), flag);
    }
    const version = run(['version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^skiff v\d+\.\d+\.\d+.* \(Kubernetes v1\.33\.0\)$/m);
  });

  test('a server starts, writes a 0600 kubeconfig, exits 0 on SIGTERM and reuses its certificates on restart', async () => {
    const data = join(dir.path, 'run');
    const kubeconfig = join(dir.path, 'kc', 'admin.yaml');
    const port = await freePort();
    const args = ['--data-dir', data, '--port', String(port), '--bind-address', '127.0.0.1', '--write-kubeconfig', kubeconfig, '--tls-san', 'skiff.test'];
    const first = await startServerProcess(args);
    assert.equal(statSync(kubeconfig).mode & 0o777, 0o600);
    assert.match(readFileSync(kubeconfig, 'utf8'), new RegExp(`server: https://127\\.0\\.0\\.1:${port}`));
    const ca = readFileSync(join(data, 'tls', 'ca.crt'), 'utf8');
    const serving = readFileSync(join(data, 'tls', 'server.crt'), 'utf8');
    assert.equal(await first.stop('SIGTERM'), 0);
    assert.match(first.stderr(), /SIGTERM received, shutting down/);

    const second = await startServerProcess(args);
    try {
      assert.equal(readFileSync(join(data, 'tls', 'ca.crt'), 'utf8'), ca);
      assert.equal(readFileSync(join(data, 'tls', 'server.crt'), 'utf8'), serving);
    } finally {
      assert.equal(await second.stop('SIGINT'), 0);
    }
  });
});
