/**
 * ExecSync on the host instead of in a container: runs argv directly
 * (like CRI exec, no shell), collects stdout and stderr, and on timeout
 * kills the process and throws a DEADLINE_EXCEEDED RuntimeError, as the
 * runtime does. Used by unit tests of the exec probe and exec hooks, so
 * those run real commands without containerd.
 */
import { spawn } from 'node:child_process';
import { RuntimeError, type ExecSyncResult } from '../../cri/runtime.js';

export function hostExecSync(_containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = cmd;
    if (!file) {
      reject(new RuntimeError('INVALID_ARGUMENT', 'empty command'));
      return;
    }
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    let timedOut = false;
    const onTimeout = (): void => {
      timedOut = true;
      child.kill('SIGKILL');
    };
    const timer = timeoutSeconds > 0 ? setTimeout(onTimeout, timeoutSeconds * 1000) : undefined;
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new RuntimeError('UNKNOWN', `failed to exec in container: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) reject(new RuntimeError('DEADLINE_EXCEEDED', `timeout ${timeoutSeconds}s exceeded: context deadline exceeded`));
      else resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode: code ?? 255 });
    });
  });
}
