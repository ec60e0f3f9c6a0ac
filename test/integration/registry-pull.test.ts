/**
 * The test registry helper with a real containerd: images pushed with
 * skopeo are pulled back over plain HTTP from 127.0.0.1:PORT, through CRI
 * PullImage (as the kubelet pulls) and with ctr; with htpasswd auth on,
 * anonymous requests get 401 and pulls need the credentials.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { decodeBytesFields, unaryCall } from '../../agent/containerd/cri-probe.js';
import { containerdSkipReason, startTestContainerd, testImageFiles, type TestContainerd } from '../helpers/containerd.js';
import { registrySkipReason, startTestRegistry, type RegistryAuth, type TestRegistry } from '../helpers/registry.js';

const skip = containerdSkipReason() ?? registrySkipReason(true);

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}
const bytesField = (f: number, b: Buffer): Buffer => Buffer.concat([varint((f << 3) | 2), varint(b.length), b]);
const str = (f: number, s: string): Buffer => bytesField(f, Buffer.from(s));

/** CRI PullImage; auth as the kubelet sends it (server_address with a scheme). */
async function criPull(socket: string, image: string, auth?: RegistryAuth & { serverAddress: string }): Promise<{ status: number; message: string; imageRef: string }> {
  const spec = bytesField(1, str(1, image));
  const authField = auth ? bytesField(2, Buffer.concat([str(1, auth.username), str(2, auth.password), str(4, auth.serverAddress)])) : Buffer.alloc(0);
  const r = await unaryCall(socket, '/runtime.v1.ImageService/PullImage', Buffer.concat([spec, authField]), 60_000);
  return { status: r.status, message: r.message, imageRef: decodeBytesFields(r.body, 1)[0]?.toString() ?? '' };
}

const imageRefs = (ctd: TestContainerd): string[] =>
  execFileSync('ctr', ['--address', ctd.socketPath, '-n', 'k8s.io', 'images', 'ls', '-q'], { encoding: 'utf8' }).split('\n');

describe('the test registry', { skip }, () => {
  let ctd: TestContainerd;
  let open: TestRegistry;
  let locked: TestRegistry;
  before(async () => {
    [ctd, open, locked] = await Promise.all([startTestContainerd({ images: false }), startTestRegistry(), startTestRegistry({ auth: true })]);
  });
  after(async () => {
    await Promise.all([ctd?.stop(), open?.stop(), locked?.stop()]);
  });

  it('serves pushed images that containerd pulls over plain HTTP through CRI, without registry config', async () => {
    const ref = await open.push(testImageFiles().busybox, 'busybox:1.0');
    assert.equal(ref, `${open.host}/busybox:1.0`);
    const r = await criPull(ctd.socketPath, ref);
    assert.equal(r.status, 0, r.message);
    assert.match(r.imageRef, /^sha256:[0-9a-f]{64}$/);
    assert.ok(imageRefs(ctd).includes(ref));
  });

  it('fails a pull of a tag that was never pushed', async () => {
    const r = await criPull(ctd.socketPath, `${open.host}/busybox:missing`);
    assert.notEqual(r.status, 0);
    assert.match(r.message, /not found/);
  });

  it('with auth: anonymous requests get 401, pushes and pulls with the credentials succeed', async () => {
    assert.ok(locked.auth);
    const anon = await fetch(`${locked.url}/v2/`);
    assert.equal(anon.status, 401);
    const basic = Buffer.from(`${locked.auth.username}:${locked.auth.password}`).toString('base64');
    assert.equal((await fetch(`${locked.url}/v2/`, { headers: { authorization: `Basic ${basic}` } })).status, 200);
    const ref = await locked.push(testImageFiles().pause, 'pause:1.0');
    const denied = await criPull(ctd.socketPath, ref);
    assert.notEqual(denied.status, 0);
    assert.match(denied.message, /401|unauthorized/i);
    const ok = await criPull(ctd.socketPath, ref, { ...locked.auth, serverAddress: `http://${locked.host}` });
    assert.equal(ok.status, 0, ok.message);
    assert.ok(imageRefs(ctd).includes(ref));
  });

  it('with auth: ctr pulls with --user and is refused without', () => {
    assert.ok(locked.auth);
    const ref = `${locked.host}/pause:1.0`;
    const base = ['--address', ctd.socketPath, '-n', 'default', 'images', 'pull', '--plain-http'];
    const without = spawnSync('ctr', [...base, ref], { encoding: 'utf8' });
    assert.notEqual(without.status, 0);
    const withUser = spawnSync('ctr', [...base, '--user', `${locked.auth.username}:${locked.auth.password}`, ref], { encoding: 'utf8' });
    assert.equal(withUser.status, 0, withUser.stderr);
  });
});
