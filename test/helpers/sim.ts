/**
 * Starts a real `skiff sim` process (the built CLI, as a user runs it)
 * against a test server and resolves once it printed its ready line
 * ("skiff sim: N nodes registered"). stop() sends SIGTERM and waits for
 * the exit, resolving with the exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { skiffBin, skiffNodeArgs } from './skiff.js';

export interface SimOptions {
  kubeconfig: string;
  nodes: number;
  prefix?: string;
  cpu?: string;
  memory?: string;
  maxPods?: number;
  extraArgs?: string[];
}

export interface SimHandle {
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>;
  /** Everything the process wrote to stdout and stderr. */
  logs(): string;
  /** The exit code once exited (null while running or when killed by a signal). */
  exitCode(): number | null;
  pid(): number | undefined;
}

export async function startSim(opts: SimOptions): Promise<SimHandle> {
  const args = [skiffBin, 'sim', '--kubeconfig', opts.kubeconfig, '--nodes', String(opts.nodes)];
  if (opts.prefix !== undefined) args.push('--prefix', opts.prefix);
  if (opts.cpu !== undefined) args.push('--cpu', opts.cpu);
  if (opts.memory !== undefined) args.push('--memory', opts.memory);
  if (opts.maxPods !== undefined) args.push('--max-pods', String(opts.maxPods));
  args.push(...(opts.extraArgs ?? []));
  // SKIFF_SIM_NODE_ARGS (e.g. "--cpu-prof") profiles the simulator in benchmarks.
  const nodeArgs = (process.env['SKIFF_SIM_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...skiffNodeArgs(), ...nodeArgs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = `skiff sim: ${opts.nodes} nodes registered`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`skiff sim did not become ready: ${log}`));
    }, 60_000);
    const onData = (d: Buffer): void => {
      log += d.toString();
      if (log.includes(ready)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`skiff sim exited ${code}: ${log}`));
    });
  });
  return {
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    logs: () => log,
    exitCode: () => child.exitCode,
    pid: () => (child.exitCode === null ? child.pid : undefined),
  };
}
