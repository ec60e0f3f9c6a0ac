/**
 * Builds an OCI image-layout tarball (what `ctr images import` and
 * `skopeo copy oci-archive:` read) from a root filesystem described in
 * memory: one gzip layer, an image config, a manifest, and index.json.
 *
 * Contract:
 * - Deterministic: the same rootfs and config give the same bytes, so the
 *   image ID only changes when the content does (mtime 0, sorted entries,
 *   gzip without a timestamp).
 * - index.json names the image twice: `io.containerd.image.name` holds
 *   the full reference (ctr tags the import with it, e.g.
 *   localhost/pause:1.0) and `org.opencontainers.image.ref.name` holds
 *   the tag, as the OCI layout spec uses it (skopeo, buildah).
 * - Missing parent directories of rootfs entries are added (mode 0755).
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { tarArchive, type TarEntry } from './tar.js';

export const MEDIA_TYPES = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export interface ImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Labels?: Record<string, string>;
}

export interface OciImageSpec {
  /** Full reference, e.g. localhost/busybox:1.0 (must carry a tag). */
  ref: string;
  rootfs: TarEntry[];
  config: ImageConfig;
  /** GOARCH-style; default from process.arch. */
  architecture?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string };
}

export interface BuiltImage {
  /** The OCI layout tar. */
  archive: Buffer;
  manifestDigest: string;
  /** sha256 of the config: what CRI reports as the image ID. */
  configDigest: string;
  layerDigest: string;
  diffId: string;
}

export function goArch(nodeArch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[nodeArch] ?? nodeArch;
}

export function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

/** The tag of a reference: after the last ':' that follows the last '/'. */
export function refTag(ref: string): string {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon <= slash || ref.includes('@')) throw new Error(`image reference ${JSON.stringify(ref)} needs a tag (name:tag)`);
  return ref.slice(colon + 1);
}

/** Normalizes paths (no leading '/'), adds missing parent dirs, sorts, and rejects duplicates. */
export function normalizeRootfs(entries: TarEntry[]): TarEntry[] {
  const byPath = new Map<string, TarEntry>();
  for (const e of entries) {
    const path = e.path.replace(/^\/+/, '').replace(/\/+$/, '');
    if (path === '' || path.split('/').some((s) => s === '..' || s === '.' || s === '')) throw new Error(`invalid rootfs path ${JSON.stringify(e.path)}`);
    if (byPath.has(path)) throw new Error(`duplicate rootfs path ${path}`);
    byPath.set(path, { ...e, path });
  }
  for (const path of [...byPath.keys()]) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      const existing = byPath.get(parent);
      if (!existing) byPath.set(parent, { type: 'dir', path: parent, mode: 0o755 });
      else if (existing.type !== 'dir') throw new Error(`rootfs path ${path} is under non-directory ${parent}`);
    }
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function json(v: unknown): Buffer {
  return Buffer.from(JSON.stringify(v));
}

export function buildOciImage(spec: OciImageSpec): BuiltImage {
  const tag = refTag(spec.ref);
  const architecture = spec.architecture ?? goArch();
  const layerTar = tarArchive(normalizeRootfs(spec.rootfs));
  const diffId = sha256(layerTar);
  const layer = gzipSync(layerTar, { level: 9 });
  const layerDigest = sha256(layer);
  const config = json({
    created: '1970-01-01T00:00:00Z',
    architecture,
    os: 'linux',
    config: spec.config,
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created: '1970-01-01T00:00:00Z', created_by: 'skiff agent/images' }],
  });
  const configDigest = sha256(config);
  const manifest = json({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: { mediaType: MEDIA_TYPES.config, digest: configDigest, size: config.length },
    layers: [{ mediaType: MEDIA_TYPES.layerGzip, digest: layerDigest, size: layer.length }],
  });
  const manifestDigest = sha256(manifest);
  const manifestDesc: Descriptor = {
    mediaType: MEDIA_TYPES.manifest,
    digest: manifestDigest,
    size: manifest.length,
    annotations: { 'io.containerd.image.name': spec.ref, 'org.opencontainers.image.ref.name': tag },
    platform: { architecture, os: 'linux' },
  };
  const index = json({ schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests: [manifestDesc] });
  const blob = (digest: string, content: Buffer): TarEntry => ({ type: 'file', path: `blobs/sha256/${digest.slice('sha256:'.length)}`, mode: 0o644, content });
  const archive = tarArchive([
    { type: 'file', path: 'oci-layout', mode: 0o644, content: json({ imageLayoutVersion: '1.0.0' }) },
    { type: 'file', path: 'index.json', mode: 0o644, content: index },
    { type: 'dir', path: 'blobs', mode: 0o755 },
    { type: 'dir', path: 'blobs/sha256', mode: 0o755 },
    blob(configDigest, config),
    blob(layerDigest, layer),
    blob(manifestDigest, manifest),
  ]);
  return { archive, manifestDigest, configDigest, layerDigest, diffId };
}
