/**
 * The few mount operations volumes need: tmpfs for emptyDir medium Memory
 * and for Secret/projected volumes (upstream keeps secrets off disk the
 * same way), unmount, and a mount-point test from /proc/self/mountinfo.
 * Real mounts need root (CAP_SYS_ADMIN); the interface lets tests and
 * unprivileged runs inject another implementation.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Mounter {
  /** Mounts a tmpfs on dir (which exists), limited to sizeBytes when given. */
  mountTmpfs(dir: string, sizeBytes?: bigint): Promise<void>;
  unmount(dir: string): Promise<void>;
  isMountPoint(dir: string): Promise<boolean>;
  /** Mount points at or below dir, deepest first. */
  mountsUnder(dir: string): Promise<string[]>;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export async function mountPoints(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => unescapeMountPath(line.split(' ')[4] ?? ''));
}

export const systemMounter: Mounter = {
  async mountTmpfs(dir, sizeBytes) {
    const opts = ['mode=0777'];
    if (sizeBytes !== undefined && sizeBytes > 0n) opts.push(`size=${sizeBytes}`);
    try {
      await run('mount', ['-t', 'tmpfs', '-o', opts.join(','), 'tmpfs', dir]);
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`mount of tmpfs on ${dir} failed: ${(e.stderr || e.message).trim()}`);
    }
  },
  async unmount(dir) {
    try {
      await run('umount', [dir]);
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`unmount of ${dir} failed: ${(e.stderr || e.message).trim()}`);
    }
  },
  async isMountPoint(dir) {
    const abs = resolve(dir);
    return (await mountPoints()).includes(abs);
  },
  async mountsUnder(dir) {
    const abs = resolve(dir);
    return (await mountPoints())
      .filter((m) => m === abs || m.startsWith(abs + '/'))
      .sort((a, b) => b.length - a.length);
  },
};
