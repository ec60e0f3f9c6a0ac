#!/usr/bin/env node
// Builds the images Skiff needs without any network into build/images:
// pause.tar (localhost/pause:1.0, the sandbox image, a static C program
// compiled with gcc) and busybox.tar (localhost/busybox:1.0, from Debian's
// busybox-static). Runs after tsc (it uses dist/agent/images). Rebuilds
// only what is missing or older than its inputs; --force rebuilds both.
// Missing gcc or busybox-static is a warning, not a failure: the agent
// builds the pause image at first start, and tests skip without busybox.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const out = join(root, 'build', 'images');
const force = process.argv.includes('--force');
const { buildPauseImage, buildBusyboxImage } = await import(join(root, 'dist', 'agent', 'images', 'test-images.js'));

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);
const stale = (target, inputs) => force || !existsSync(target) || inputs.some((i) => mtime(i) > mtime(target));

const jobs = [
  { name: 'pause', file: join(out, 'pause.tar'), inputs: [join(root, 'agent', 'images', 'pause.c'), join(root, 'dist', 'agent', 'images', 'test-images.js')], build: buildPauseImage },
  { name: 'busybox', file: join(out, 'busybox.tar'), inputs: ['/bin/busybox', join(root, 'dist', 'agent', 'images', 'test-images.js')], build: buildBusyboxImage },
];

for (const job of jobs) {
  if (!stale(job.file, job.inputs)) continue;
  try {
    const image = job.build(job.file, { cacheDir: join(out, '.cache') });
    process.stdout.write(`build-images: ${job.file} (${image.configDigest.slice(0, 19)})\n`);
  } catch (e) {
    process.stderr.write(`build-images: warning: ${job.name} image not built: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}
