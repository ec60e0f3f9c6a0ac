/**
 * The fake runtime's image store and "registry": what is present locally
 * (imported or pulled), what a pull may fetch (optionally behind
 * credentials) and which pulls fail. Mirrors containerd 1.6 as CRI shows
 * it: refs normalized (`busybox` → docker.io/library/busybox:latest),
 * ids `sha256:…`, a repo digest only for pulled images, a tag belongs to
 * one image at a time, removal removes the whole image (all its tags).
 */
import { createHash } from 'node:crypto';
import { criError } from './cri-errors.js';
import { normalizeImageRef } from './fake-support.js';
import type { AuthConfig, Image, RuntimeError, RuntimeErrorCode } from './runtime.js';

interface Remote {
  auth?: { username: string; password: string };
  size: string;
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

export class FakeImageStore {
  private readonly images = new Map<string, Image>();
  private readonly remotes = new Map<string, Remote>();
  private readonly failures = new Map<string, RuntimeError>();

  /** Present as after an airgap import (no repo digest). Returns the id. */
  add(ref: string, size = '2000000'): string {
    return this.store(normalizeImageRef(ref), size, false);
  }

  allowPull(ref: string, options: { auth?: { username: string; password: string }; size?: string } = {}): void {
    this.remotes.set(normalizeImageRef(ref), { auth: options.auth, size: options.size ?? '2000000' });
  }

  failPull(ref: string, desc: string, code: RuntimeErrorCode = 'UNKNOWN'): void {
    this.failures.set(normalizeImageRef(ref), criError(code, desc));
  }

  /** PullImage: the id of the pulled image, or containerd's error. */
  pull(image: string, auth?: AuthConfig): string {
    const ref = normalizeImageRef(image);
    const failure = this.failures.get(ref);
    if (failure) throw failure;
    const remote = this.remotes.get(ref);
    const q = JSON.stringify(ref);
    if (!remote) throw criError('NOT_FOUND', `failed to pull and unpack image ${q}: failed to resolve reference ${q}: ${ref}: not found`);
    if (remote.auth && !authMatches(remote.auth, auth)) {
      throw criError('UNKNOWN', `failed to pull and unpack image ${q}: failed to resolve reference ${q}: pull access denied, repository does not exist or may require authorization: authorization failed: 401 Unauthorized`);
    }
    return this.store(ref, remote.size, true);
  }

  /** By id (with or without `sha256:`), tag (normalized) or repo digest. */
  find(ref: string): Image | undefined {
    if (this.images.has(ref)) return this.images.get(ref);
    if (/^[0-9a-f]{64}$/.test(ref)) return this.images.get(`sha256:${ref}`);
    const n = normalizeImageRef(ref);
    return [...this.images.values()].find((i) => i.repoTags.includes(n) || i.repoDigests.includes(n));
  }

  byId(id: string): Image | undefined {
    return this.images.get(id);
  }

  list(): Image[] {
    return [...this.images.values()].map(copyImage);
  }

  remove(ref: string): void {
    const found = this.find(ref);
    if (found) this.images.delete(found.id);
  }

  fsInfo(): { usedBytes: string; inodesUsed: string; mountpoint: string } {
    const used = [...this.images.values()].reduce((sum, i) => sum + BigInt(i.size), 0n);
    return { usedBytes: String(used), inodesUsed: String(this.images.size * 30), mountpoint: '/fake/io.containerd.snapshotter.v1.overlayfs' };
  }

  private store(ref: string, size: string, pulled: boolean): string {
    const id = `sha256:${sha(`image:${ref}`)}`;
    for (const other of this.images.values()) other.repoTags = other.repoTags.filter((t) => t !== ref);
    const existing = this.images.get(id);
    const repo = ref.replace(/(:[^/:@]+)?(@.*)?$/, '');
    const digest = pulled ? [`${repo}@sha256:${sha(`manifest:${ref}`)}`] : [];
    this.images.set(id, {
      id,
      repoTags: [...new Set([...(existing?.repoTags ?? []), ref])],
      repoDigests: [...new Set([...(existing?.repoDigests ?? []), ...digest])],
      size,
    });
    return id;
  }
}

export function copyImage(i: Image): Image {
  return { id: i.id, repoTags: [...i.repoTags], repoDigests: [...i.repoDigests], size: i.size };
}

function authMatches(want: { username: string; password: string }, got: AuthConfig | undefined): boolean {
  if (!got) return false;
  if (got.username !== undefined && got.username !== '') return got.username === want.username && got.password === want.password;
  if (got.auth) return Buffer.from(got.auth, 'base64').toString() === `${want.username}:${want.password}`;
  return false;
}
