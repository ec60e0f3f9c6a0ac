/**
 * Upstream's AtomicWriter (pkg/volume/util/atomic_writer.go): projects a
 * payload of files into a volume directory so a reader never sees a mix
 * of old and new contents.
 *
 * Layout of DIR after a write:
 *   DIR/..2026_11_28_12_00_00.123456789/<files>   the timestamped data dir
 *   DIR/..data -> ..2026_11_28_12_00_00.123456789  the one atomic switch
 *   DIR/<top-level name> -> ..data/<top-level name> user-visible links
 * A write whose payload equals the current contents (bytes and modes)
 * changes nothing. Otherwise the new data dir is written, `..data_tmp` is
 * pointed at it and renamed over `..data` (rename(2) is atomic), links
 * for new names are added, the old data dir and links for names no longer
 * in the payload are removed.
 * Paths must be relative, without `..` elements, and must not start with
 * `..`. Modes are applied with chmod, so the umask does not matter.
 */
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, readdir, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Clock } from '../../../control-plane/api/meta.js';

export interface FileProjection {
  data: Buffer;
  /** Permission bits, e.g. 0o644. */
  mode: number;
}

export type Payload = Map<string, FileProjection>;

const DATA = '..data';
const DATA_TMP = '..data_tmp';

export function validatePath(p: string): void {
  if (p === '') throw new Error('invalid path: must not be empty');
  if (p.length > 4096) throw new Error(`invalid path: must be less than or equal to 4096 characters`);
  if (p.startsWith('/')) throw new Error(`invalid path: must be relative path: ${p}`);
  if (p.split('/').includes('..')) throw new Error(`invalid path: must not contain '..': ${p}`);
  if (p.startsWith('..')) throw new Error(`invalid path: must not start with '..': ${p}`);
}

function tsDirName(now: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const ts = `${now.getUTCFullYear()}_${pad(now.getUTCMonth() + 1)}_${pad(now.getUTCDate())}_${pad(now.getUTCHours())}_${pad(now.getUTCMinutes())}_${pad(now.getUTCSeconds())}`;
  return `..${ts}.${randomBytes(5).toString('hex')}`;
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Every regular file under dir, relative path → projection. */
async function readTree(dir: string, prefix = ''): Promise<Payload> {
  const out: Payload = new Map();
  for (const ent of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${ent.name}` : ent.name;
    const full = join(dir, ent.name);
    if (ent.isDirectory()) for (const [k, v] of await readTree(full, rel)) out.set(k, v);
    else if (ent.isFile()) out.set(rel, { data: await readFile(full), mode: (await stat(full)).mode & 0o7777 });
  }
  return out;
}

function samePayload(a: Payload, b: Payload): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || w.mode !== v.mode || !w.data.equals(v.data)) return false;
  }
  return true;
}

function topLevel(payload: Payload): Set<string> {
  return new Set([...payload.keys()].map((p) => p.split('/')[0] ?? p));
}

export class AtomicWriter {
  constructor(
    private readonly targetDir: string,
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  /** Projects the payload; resolves true when the contents changed. */
  async write(payload: Payload): Promise<boolean> {
    const clean: Payload = new Map();
    for (const [p, f] of payload) {
      validatePath(p);
      clean.set(p.replace(/\/+$/, ''), f);
    }
    await mkdir(this.targetDir, { recursive: true });
    const dataLink = join(this.targetDir, DATA);
    let oldTsName: string | undefined;
    try {
      oldTsName = await readlink(dataLink);
    } catch {
      oldTsName = undefined;
    }
    const oldTsDir = oldTsName ? join(this.targetDir, oldTsName) : undefined;
    if (oldTsDir && (await exists(oldTsDir)) && samePayload(await readTree(oldTsDir), clean)) {
      await this.createUserLinks(topLevel(clean));
      return false;
    }

    const tsName = tsDirName(this.clock.now());
    const tsDir = join(this.targetDir, tsName);
    await mkdir(tsDir, { mode: 0o755 });
    await chmod(tsDir, 0o755);
    for (const [p, f] of clean) {
      const full = join(tsDir, p);
      await mkdir(dirname(full), { recursive: true, mode: 0o755 });
      await writeFile(full, f.data, { mode: f.mode });
      await chmod(full, f.mode);
    }
    const tmpLink = join(this.targetDir, DATA_TMP);
    await rm(tmpLink, { force: true });
    await symlink(tsName, tmpLink);
    await rename(tmpLink, dataLink);

    const wanted = topLevel(clean);
    await this.createUserLinks(wanted);
    // Links to names that are gone now dangle: remove them.
    if (oldTsDir) {
      for (const name of await readdir(this.targetDir)) {
        if (name.startsWith('..') || wanted.has(name)) continue;
        const p = join(this.targetDir, name);
        if ((await lstat(p)).isSymbolicLink()) await rm(p, { force: true });
      }
      if (oldTsName !== tsName) await rm(oldTsDir, { recursive: true, force: true });
    }
    return true;
  }

  private async createUserLinks(names: Set<string>): Promise<void> {
    for (const name of names) {
      const p = join(this.targetDir, name);
      if (await exists(p)) continue;
      await symlink(join(DATA, name), p);
    }
  }
}
