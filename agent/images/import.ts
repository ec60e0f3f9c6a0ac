/**
 * Imports image tarballs (OCI layout or docker-archive, optionally gzip
 * compressed) into containerd's `k8s.io` namespace, where CRI sees them.
 *
 * Why `ctr`: CRI has no import call. Debian's containerd package ships
 * `ctr`, which speaks containerd's own API and unpacks the image for the
 * default snapshotter, so the image is immediately usable by CRI.
 * Gzip'ed archives are decompressed on the fly into ctr's stdin.
 *
 * importImageDir() is the airgap path (k3s-style): every *.tar, *.tar.gz
 * and *.tgz in a directory, in name order.
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';

export interface ImportedImage {
  ref: string;
  /** The manifest (or index) digest ctr reports. */
  digest: string;
}

export interface ImportOptions {
  /** containerd namespace, default k8s.io (CRI's). */
  namespace?: string;
  /** ctr binary, default "ctr" from PATH. */
  ctr?: string;
  timeoutMs?: number;
}

export class ImageImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageImportError';
  }
}

/** Parses ctr's "unpacking REF (sha256:…)…done" lines. */
export function parseCtrImportOutput(out: string): ImportedImage[] {
  const images: ImportedImage[] = [];
  for (const m of out.matchAll(/unpacking (\S+) \((sha256:[0-9a-f]{64})\)/g)) images.push({ ref: m[1]!, digest: m[2]! });
  return images;
}

const GZIP = /\.(tar\.gz|tgz)$/;

export function isImageArchive(name: string): boolean {
  return name.endsWith('.tar') || GZIP.test(name);
}

/** Imports one archive; resolves with the images ctr unpacked. */
export function importImage(socketPath: string, file: string, opts: ImportOptions = {}): Promise<ImportedImage[]> {
  if (!existsSync(file)) return Promise.reject(new ImageImportError(`${file}: no such file`));
  const gz = GZIP.test(file);
  const args = ['--address', socketPath, '-n', opts.namespace ?? 'k8s.io', 'images', 'import', gz ? '-' : file];
  return new Promise((resolve, reject) => {
    const child = spawn(opts.ctr ?? 'ctr', args, { stdio: [gz ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new ImageImportError(`${file}: cannot run ctr: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(parseCtrImportOutput(out));
      const why = (err.trim().split('\n').pop() ?? '').replace(/^ctr: /, '') || (signal ? `killed by ${signal}` : `exit ${code}`);
      reject(new ImageImportError(`${file}: import failed: ${why}`));
    });
    if (gz && child.stdin) {
      const src = createReadStream(file).pipe(createGunzip());
      src.on('error', (e) => {
        child.kill('SIGKILL');
        reject(new ImageImportError(`${file}: ${e.message}`));
      });
      child.stdin.on('error', () => undefined);
      src.pipe(child.stdin);
    }
  });
}

/** Imports the files one after the other (ctr unpacking is I/O bound). */
export async function importImages(socketPath: string, files: string[], opts: ImportOptions = {}): Promise<ImportedImage[]> {
  const all: ImportedImage[] = [];
  for (const f of files) all.push(...(await importImage(socketPath, f, opts)));
  return all;
}

/** The image archives in a directory, in name order ([] if it does not exist). */
export function imageArchivesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter(isImageArchive)
    .sort()
    .map((f) => join(dir, f))
    .filter((p) => statSync(p).isFile());
}

export function importImageDir(socketPath: string, dir: string, opts: ImportOptions = {}): Promise<ImportedImage[]> {
  return importImages(socketPath, imageArchivesIn(dir), opts);
}
