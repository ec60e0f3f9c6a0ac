/**
 * Runs the real kubectl binaries installed beside `kubectl` on PATH
 * (kubectl.1.27 … kubectl.1.33) against a test server, with a private
 * HOME and discovery cache so suites never share state.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readlinkSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectlDir(): string {
  const which = execFileSync('sh', ['-c', 'command -v kubectl']).toString().trim();
  let p = which;
  try {
    p = readlinkSync(which);
    if (!p.startsWith('/')) p = join(dirname(which), p);
  } catch {
    // not a symlink
  }
  return dirname(p);
}

/** Absolute path of a kubectl minor version, e.g. binary('1.27'). */
export function kubectlBinary(version: string): string {
  const p = join(kubectlDir(), `kubectl.${version}`);
  if (!existsSync(p)) throw new Error(`kubectl ${version} not installed at ${p}`);
  return p;
}

export class Kubectl {
  constructor(
    readonly version: string,
    private readonly kubeconfig: string,
    private readonly home: string,
  ) {}

  private env(): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, HOME: this.home, KUBECONFIG: this.kubeconfig };
  }

  /** Runs kubectl with args (and optional stdin), resolving whatever the exit code. */
  run(args: string[], stdin?: string): Promise<KubectlResult> {
    return new Promise((resolve) => {
      const child = execFile(
        kubectlBinary(this.version),
        args,
        { env: this.env(), timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
      if (stdin !== undefined) child.stdin?.end(stdin);
    });
  }

  /** Runs kubectl and fails with its stderr unless it exits 0. */
  async ok(args: string[], stdin?: string): Promise<string> {
    const r = await this.run(args, stdin);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  }

  /**
   * Starts a long-running kubectl (e.g. get -w) and collects its output.
   * `exited` is attached at once, so an early exit is never missed.
   */
  spawn(args: string[]): { child: ChildProcess; output: () => string; stderr: () => string; exited: Promise<number> } {
    const child = spawn(kubectlBinary(this.version), args, { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    return { child, output: () => out, stderr: () => err, exited };
  }
}

/** Polls cond every 50 ms until it holds or the timeout passes. */
export async function eventually(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
