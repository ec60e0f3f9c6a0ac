/**
 * Custom test images on top of the busybox rootfs, built in memory and
 * written as OCI layout tarballs — e.g. an image whose entrypoint traps
 * SIGTERM (busybox `sleep`/`httpd` as PID 1 ignore it, so a graceful-stop
 * test would wait out the whole grace period), or one serving a file.
 *
 * buildBusyboxVariant({ ref, files, entrypoint, cmd, env }) returns the
 * tarball path (in a temp dir removed by the returned remove()), ready for
 * TestContainerd.importImage() or TestRegistry.push().
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOciImage, type ImageConfig } from '../../agent/images/oci-archive.js';
import type { TarEntry } from '../../agent/images/tar.js';
import { busyboxApplets, busyboxImageSpec } from '../../agent/images/test-images.js';
import { tempDir } from './temp-dir.js';

export interface VariantFile {
  content: string | Buffer;
  /** Default 0644, or 0755 for files under bin/. */
  mode?: number;
}

export interface BusyboxVariant {
  /** Fully qualified, e.g. localhost/graceful:1.0 */
  ref: string;
  /** Extra files by absolute path, e.g. { '/www/index.html': { content: 'hi' } } */
  files?: Record<string, VariantFile>;
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
}

export interface BuiltVariant {
  tar: string;
  ref: string;
  /** The image ID CRI reports (config digest). */
  imageId: string;
  remove(): void;
}

export function buildBusyboxVariant(v: BusyboxVariant, busyboxPath = '/bin/busybox'): BuiltVariant {
  const base = busyboxImageSpec(readFileSync(busyboxPath), busyboxApplets(busyboxPath));
  const extra = Object.entries(v.files ?? {}).map(
    ([path, f]): TarEntry => ({
      type: 'file',
      path,
      mode: f.mode ?? (/^\/?(usr\/)?s?bin\//.test(path) ? 0o755 : 0o644),
      content: typeof f.content === 'string' ? Buffer.from(f.content) : f.content,
    }),
  );
  const overridden = new Set(extra.map((e) => e.path.replace(/^\/+/, '')));
  const config: ImageConfig = { ...base.config };
  if (v.entrypoint) config.Entrypoint = v.entrypoint;
  if (v.cmd) config.Cmd = v.cmd;
  else if (v.entrypoint) delete config.Cmd;
  if (v.env) config.Env = [...(base.config.Env ?? []), ...v.env];
  if (v.workingDir) config.WorkingDir = v.workingDir;
  const image = buildOciImage({
    ref: v.ref,
    rootfs: [...base.rootfs.filter((e) => !overridden.has(e.path.replace(/^\/+/, ''))), ...extra],
    config,
  });
  const dir = tempDir('skiff-image-');
  const tar = join(dir.path, 'image.tar');
  writeFileSync(tar, image.archive);
  return { tar, ref: v.ref, imageId: image.configDigest, remove: dir.remove };
}

/** An image whose PID 1 prints "started", then exits 0 at once on SIGTERM (for graceful-stop tests). */
export function buildGracefulImage(ref = 'localhost/graceful:1.0'): BuiltVariant {
  return buildBusyboxVariant({
    ref,
    files: { '/bin/graceful': { content: "#!/bin/sh\ntrap 'echo terminated; exit 0' TERM\necho started\nwhile true; do sleep 3600 & wait $!; done\n" } },
    entrypoint: ['/bin/graceful'],
  });
}
