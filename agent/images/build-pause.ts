/**
 * Compiles agent/images/pause.c into a static binary with the host's gcc
 * (`gcc -static -O2 -s`), cached in a directory by the hash of the source
 * and flags, so repeated builds and first starts cost nothing.
 *
 * Why at build/first-start time and not shipped: the pause binary must
 * match the host architecture, and gcc (with glibc's static libc) is on
 * the machines Skiff targets; no registry is needed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

const FLAGS = ['-static', '-O2', '-s'];

/** agent/images/pause.c, found upward from this module (works from src, dist/ and private build dirs). */
export function pauseSourcePath(from: string = import.meta.dirname): string {
  let dir = from;
  for (;;) {
    for (const candidate of [join(dir, 'pause.c'), join(dir, 'agent', 'images', 'pause.c')]) if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`agent/images/pause.c not found above ${from}`);
    dir = parent;
  }
}

export interface BuildPauseOptions {
  /** C compiler, default $CC or gcc. */
  cc?: string;
  source?: string;
}

/** Returns the path of the compiled pause binary in cacheDir, compiling it if needed. */
export function buildPause(cacheDir: string, opts: BuildPauseOptions = {}): string {
  const source = opts.source ?? pauseSourcePath();
  const cc = opts.cc ?? process.env['CC'] ?? 'gcc';
  const hash = createHash('sha256').update(readFileSync(source)).update(`\0${cc}\0${FLAGS.join(' ')}`).digest('hex').slice(0, 16);
  const out = join(cacheDir, `pause-${hash}`);
  if (existsSync(out)) return out;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  const r = spawnSync(cc, [...FLAGS, '-o', tmp, source], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    rmSync(tmp, { force: true });
    const why = r.error ? r.error.message : (r.stderr || `exit ${r.status}`).trim();
    throw new Error(`compiling the pause binary with ${cc} failed: ${why}`);
  }
  renameSync(tmp, out);
  return out;
}
