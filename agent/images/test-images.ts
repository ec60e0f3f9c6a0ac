/**
 * The two images Skiff builds without any network:
 * - localhost/pause:1.0, the sandbox image: a static pause binary
 *   (build-pause.ts), Entrypoint ["/pause"];
 * - localhost/busybox:1.0, for tests and examples: Debian's static
 *   busybox with a symlink per applet in /bin (exec runs argv directly,
 *   so a command without a symlink would not be found), /etc/passwd and
 *   /etc/group, /tmp (1777) and /root. Cmd ["sh"].
 *
 * Both are OCI layout tarballs (oci-archive.ts), deterministic for the
 * same inputs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildPause } from './build-pause.js';
import { buildOciImage, type BuiltImage, type OciImageSpec } from './oci-archive.js';
import type { TarEntry } from './tar.js';

export const PAUSE_IMAGE = 'localhost/pause:1.0';
export const BUSYBOX_IMAGE = 'localhost/busybox:1.0';
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Applets linked when the busybox binary cannot list its own (`busybox --list`). */
export const ESSENTIAL_APPLETS = [
  'sh', 'echo', 'sleep', 'cat', 'ls', 'wget', 'nc', 'httpd', 'id', 'hostname', 'ip', 'ps', 'env', 'test', '[', 'touch', 'rm',
  'mkdir', 'tar', 'head', 'tail', 'dd', 'kill', 'date', 'grep', 'seq', 'true', 'false', 'mount', 'umount', 'df', 'du', 'wc',
  'printf', 'yes', 'sed', 'awk', 'sort', 'uniq', 'cut', 'tee', 'chmod', 'chown', 'ln', 'mv', 'cp', 'find', 'xargs', 'whoami',
  'uname', 'nslookup', 'ping', 'stat', 'readlink', 'basename', 'dirname', 'tr', 'md5sum', 'sha256sum', 'gzip', 'gunzip',
  'timeout', 'pwd', 'rmdir', 'mkfifo', 'expr', 'top', 'free', 'netstat', 'vi', 'less', 'more', 'which', 'hexdump', 'od',
];

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';

function file(path: string, content: Buffer | string, mode = 0o644): TarEntry {
  return { type: 'file', path, mode, content: typeof content === 'string' ? Buffer.from(content) : content };
}

function dir(path: string, mode = 0o755): TarEntry {
  return { type: 'dir', path, mode };
}

export function pauseImageSpec(pauseBinary: Buffer): OciImageSpec {
  return {
    ref: PAUSE_IMAGE,
    rootfs: [file('pause', pauseBinary, 0o755)],
    config: { Entrypoint: ['/pause'], Env: [DEFAULT_PATH], WorkingDir: '/' },
  };
}

export function busyboxImageSpec(busybox: Buffer, applets: readonly string[]): OciImageSpec {
  const links = [...new Set(applets)].filter((a) => a !== 'busybox' && /^[\w.[\]-]+$/.test(a)).sort();
  return {
    ref: BUSYBOX_IMAGE,
    rootfs: [
      file('bin/busybox', busybox, 0o755),
      ...links.map((a): TarEntry => ({ type: 'symlink', path: `bin/${a}`, target: 'busybox' })),
      { type: 'symlink', path: 'usr/bin/env', target: '/bin/busybox' },
      dir('sbin'),
      dir('usr/sbin'),
      dir('usr/local/bin'),
      file('etc/passwd', PASSWD),
      file('etc/group', GROUP),
      file('etc/nsswitch.conf', 'hosts: files dns\n'),
      dir('tmp', 0o1777),
      dir('root', 0o700),
      dir('home'),
      dir('var/www'),
      dir('proc', 0o555),
      dir('sys', 0o555),
      dir('dev'),
    ],
    config: { Cmd: ['sh'], Env: [DEFAULT_PATH], WorkingDir: '/' },
  };
}

/** The applets a busybox binary reports, or ESSENTIAL_APPLETS if it cannot. */
export function busyboxApplets(busyboxPath: string): string[] {
  const r = spawnSync(busyboxPath, ['--list'], { encoding: 'utf8' });
  const listed = r.status === 0 ? r.stdout.split('\n').map((s) => s.trim()).filter(Boolean) : [];
  return listed.length > 0 ? listed : ESSENTIAL_APPLETS;
}

function writeAtomically(outTar: string, content: Buffer): void {
  mkdirSync(dirname(outTar), { recursive: true });
  const tmp = `${outTar}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, outTar);
}

export interface BuildOptions {
  /** Where the compiled pause binary is cached (default: beside outTar). */
  cacheDir?: string;
  /** Default /bin/busybox (Debian's busybox-static). */
  busyboxPath?: string;
}

export function buildPauseImage(outTar: string, opts: BuildOptions = {}): BuiltImage {
  const bin = buildPause(opts.cacheDir ?? join(dirname(outTar), '.cache'));
  const image = buildOciImage(pauseImageSpec(readFileSync(bin)));
  writeAtomically(outTar, image.archive);
  return image;
}

export function buildBusyboxImage(outTar: string, opts: BuildOptions = {}): BuiltImage {
  const path = opts.busyboxPath ?? '/bin/busybox';
  if (!existsSync(path)) throw new Error(`${path} not found: install Debian's busybox-static`);
  const r = spawnSync('file', ['-b', path], { encoding: 'utf8' });
  if (r.status === 0 && /dynamically linked/.test(r.stdout)) throw new Error(`${path} is dynamically linked: the image needs busybox-static`);
  const image = buildOciImage(busyboxImageSpec(readFileSync(path), busyboxApplets(path)));
  writeAtomically(outTar, image.archive);
  return image;
}

export interface ImageFiles {
  pause: string;
  busybox: string;
}

/** Builds build/images-style pause.tar and busybox.tar into dir unless present. */
export function ensureTestImages(dir: string, opts: BuildOptions = {}): ImageFiles {
  const files = { pause: join(dir, 'pause.tar'), busybox: join(dir, 'busybox.tar') };
  if (!existsSync(files.pause)) buildPauseImage(files.pause, opts);
  if (!existsSync(files.busybox)) buildBusyboxImage(files.busybox, opts);
  return files;
}
