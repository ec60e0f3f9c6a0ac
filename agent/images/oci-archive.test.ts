import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { buildOciImage, goArch, MEDIA_TYPES, normalizeRootfs, refTag, type OciImageSpec } from './oci-archive.js';
import { parseTar, type ParsedTarEntry } from './tar.js';

const spec: OciImageSpec = {
  ref: 'localhost/hello:1.0',
  rootfs: [
    { type: 'file', path: '/bin/hello', mode: 0o755, content: Buffer.from('binary') },
    { type: 'symlink', path: 'bin/hi', target: 'hello' },
    { type: 'dir', path: 'tmp', mode: 0o1777 },
  ],
  config: { Entrypoint: ['/bin/hello'], Cmd: ['world'], Env: ['PATH=/bin'] },
  architecture: 'amd64',
};

const digestOf = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function layout(archive: Buffer): Map<string, ParsedTarEntry> {
  return new Map(parseTar(archive).map((e) => [e.path, e]));
}

function blob(files: Map<string, ParsedTarEntry>, digest: string): Buffer {
  const e = files.get(`blobs/sha256/${digest.slice(7)}`);
  assert.ok(e, `blob ${digest} present`);
  assert.equal(digestOf(e.content), digest, 'blob content matches its digest');
  return e.content;
}

describe('buildOciImage', () => {
  const image = buildOciImage(spec);
  const files = layout(image.archive);

  it('writes an OCI image layout: oci-layout, index.json and blobs/sha256', () => {
    assert.deepEqual([...files.keys()].slice(0, 4), ['oci-layout', 'index.json', 'blobs/', 'blobs/sha256/']);
    assert.deepEqual(JSON.parse(files.get('oci-layout')!.content.toString()), { imageLayoutVersion: '1.0.0' });
    assert.equal(files.size, 7);
  });

  it('names the manifest in index.json with the full ref for containerd and the tag for the OCI spec', () => {
    const index = JSON.parse(files.get('index.json')!.content.toString()) as { schemaVersion: number; mediaType: string; manifests: Array<Record<string, unknown>> };
    assert.equal(index.schemaVersion, 2);
    assert.equal(index.mediaType, MEDIA_TYPES.index);
    assert.equal(index.manifests.length, 1);
    const m = index.manifests[0]!;
    assert.equal(m['mediaType'], MEDIA_TYPES.manifest);
    assert.equal(m['digest'], image.manifestDigest);
    assert.deepEqual(m['annotations'], { 'io.containerd.image.name': 'localhost/hello:1.0', 'org.opencontainers.image.ref.name': '1.0' });
    assert.deepEqual(m['platform'], { architecture: 'amd64', os: 'linux' });
    assert.equal(m['size'], blob(files, image.manifestDigest).length);
  });

  it('links manifest → config and one gzip layer by digest and size', () => {
    const manifest = JSON.parse(blob(files, image.manifestDigest).toString()) as {
      schemaVersion: number;
      mediaType: string;
      config: { mediaType: string; digest: string; size: number };
      layers: Array<{ mediaType: string; digest: string; size: number }>;
    };
    assert.equal(manifest.schemaVersion, 2);
    assert.equal(manifest.mediaType, MEDIA_TYPES.manifest);
    assert.deepEqual(manifest.config, { mediaType: MEDIA_TYPES.config, digest: image.configDigest, size: blob(files, image.configDigest).length });
    assert.deepEqual(manifest.layers, [{ mediaType: MEDIA_TYPES.layerGzip, digest: image.layerDigest, size: blob(files, image.layerDigest).length }]);
  });

  it('puts the runtime config and the layer diff_id (sha256 of the uncompressed layer) in the image config', () => {
    const config = JSON.parse(blob(files, image.configDigest).toString()) as Record<string, unknown>;
    assert.equal(config['architecture'], 'amd64');
    assert.equal(config['os'], 'linux');
    assert.deepEqual(config['config'], spec.config);
    const diff = gunzipSync(blob(files, image.layerDigest));
    assert.deepEqual(config['rootfs'], { type: 'layers', diff_ids: [digestOf(diff)] });
    assert.equal(image.diffId, digestOf(diff));
  });

  it('layers the rootfs with relative paths, parent dirs added, in sorted order', () => {
    const layer = parseTar(gunzipSync(blob(files, image.layerDigest)));
    assert.deepEqual(
      layer.map((e) => [e.path, e.type, e.mode.toString(8)]),
      [
        ['bin/', 'dir', '755'],
        ['bin/hello', 'file', '755'],
        ['bin/hi', 'symlink', '777'],
        ['tmp/', 'dir', '1777'],
      ],
    );
  });

  it('gives the same digests for the same input and different ones for a changed file', () => {
    assert.equal(buildOciImage(spec).manifestDigest, image.manifestDigest);
    const changed = buildOciImage({ ...spec, rootfs: [{ type: 'file', path: 'bin/hello', mode: 0o755, content: Buffer.from('other') }] });
    assert.notEqual(changed.configDigest, image.configDigest);
  });
});

describe('normalizeRootfs', () => {
  it('rejects duplicates, .. segments and files used as directories', () => {
    const f = { type: 'file' as const, mode: 0o644, content: Buffer.alloc(0) };
    assert.throws(() => normalizeRootfs([{ ...f, path: 'a' }, { ...f, path: '/a' }]), /duplicate/);
    assert.throws(() => normalizeRootfs([{ ...f, path: 'a/../b' }]), /invalid rootfs path/);
    assert.throws(() => normalizeRootfs([{ ...f, path: 'a' }, { ...f, path: 'a/b' }]), /under non-directory/);
  });
});

describe('refTag and goArch', () => {
  it('takes the tag after the last colon of the last path segment, and requires one', () => {
    assert.equal(refTag('localhost:5000/busybox:1.0'), '1.0');
    assert.throws(() => refTag('localhost:5000/busybox'), /needs a tag/);
  });

  it("maps Node's arch names to Go's", () => {
    assert.equal(goArch('x64'), 'amd64');
    assert.equal(goArch('arm64'), 'arm64');
  });
});
