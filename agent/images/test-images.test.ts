import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { buildOciImage } from './oci-archive.js';
import { parseTar } from './tar.js';
import { BUSYBOX_IMAGE, busyboxImageSpec, ESSENTIAL_APPLETS, PAUSE_IMAGE, pauseImageSpec } from './test-images.js';

function layerOf(archive: Buffer): ReturnType<typeof parseTar> {
  const files = parseTar(archive);
  const layer = files.find((f) => f.path.startsWith('blobs/') && f.content[0] === 0x1f && f.content[1] === 0x8b);
  assert.ok(layer, 'a gzip layer blob');
  return parseTar(gunzipSync(layer.content));
}

describe('pauseImageSpec', () => {
  it('is localhost/pause:1.0 with /pause as the entrypoint', () => {
    const spec = pauseImageSpec(Buffer.from('ELF'));
    assert.equal(spec.ref, PAUSE_IMAGE);
    assert.deepEqual(spec.config.Entrypoint, ['/pause']);
    const layer = layerOf(buildOciImage(spec).archive);
    assert.deepEqual(layer.map((e) => [e.path, e.mode.toString(8)]), [['pause', '755']]);
  });
});

describe('busyboxImageSpec', () => {
  const spec = busyboxImageSpec(Buffer.from('busybox'), ['sh', 'tar', 'busybox', 'sleep', 'sh']);
  const layer = layerOf(buildOciImage(spec).archive);
  const byPath = new Map(layer.map((e) => [e.path, e]));

  it('is localhost/busybox:1.0 running sh by default', () => {
    assert.equal(spec.ref, BUSYBOX_IMAGE);
    assert.deepEqual(spec.config.Cmd, ['sh']);
    assert.ok(spec.config.Env?.some((e) => e.startsWith('PATH=') && e.includes('/bin')));
  });

  it('links each applet once in /bin to busybox (not busybox itself)', () => {
    const links = layer.filter((e) => e.type === 'symlink' && e.path.startsWith('bin/')).map((e) => [e.path, e.linkname]);
    assert.deepEqual(links, [
      ['bin/sh', 'busybox'],
      ['bin/sleep', 'busybox'],
      ['bin/tar', 'busybox'],
    ]);
    assert.equal(byPath.get('bin/busybox')?.mode, 0o755);
  });

  it('has /etc/passwd and /etc/group with root, /tmp 1777 and /root', () => {
    assert.match(byPath.get('etc/passwd')!.content.toString(), /^root:x:0:0:root:\/root:\/bin\/sh$/m);
    assert.match(byPath.get('etc/group')!.content.toString(), /^root:x:0:$/m);
    assert.equal(byPath.get('tmp/')?.mode, 0o1777);
    assert.equal(byPath.get('root/')?.type, 'dir');
  });

  it('falls back to applets the tests need, including tar for kubectl cp', () => {
    for (const a of ['sh', 'sleep', 'tar', 'httpd', 'wget', 'nc', 'cat', 'ls', 'env']) assert.ok(ESSENTIAL_APPLETS.includes(a), a);
  });
});
