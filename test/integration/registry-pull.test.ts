/**
 * The test registry helper with a real containerd: images pushed with
 * skopeo are pulled back over plain HTTP from 127.0.0.1:PORT, through CRI
 * PullImage (as the kubelet pulls) and with ctr; with htpasswd auth on,
 * anonymous requests get 401 and pulls need the credentials.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { createRuntime } from '../../agent/cri/create-runtime.js';
import { isRuntimeError, type Runtime } from '../../agent/cri/runtime.js';
import { containerdSkipReason, startTestContainerd, testImageFiles, type TestContainerd } from '../helpers/containerd.js';
import { registrySkipReason, startTestRegistry, type TestRegistry } from '../helpers/registry.js';

const skip = containerdSkipReason() ?? registrySkipReason(true);

/** A failed CRI call's RuntimeError message matching `re`. */
const failsWith =
  (re: RegExp) =>
  (e: unknown): boolean => {
    assert.ok(isRuntimeError(e), String(e));
    assert.match(e.message, re);
    return true;
  };

const imageRefs = (ctd: TestContainerd): string[] =>
  execFileSync('ctr', ['--address', ctd.socketPath, '-n', 'k8s.io', 'images', 'ls', '-q'], { encoding: 'utf8' }).split('\n');

describe('the test registry', { skip }, () => {
  let ctd: TestContainerd;
  let open: TestRegistry;
  let locked: TestRegistry;
  let cri: Runtime | undefined;
  before(async () => {
    [ctd, open, locked] = await Promise.all([startTestContainerd({ images: false }), startTestRegistry(), startTestRegistry({ auth: true })]);
    cri = createRuntime(ctd.endpoint, { pullTimeoutMs: 60_000 });
  });
  after(async () => {
    cri?.close();
    await Promise.all([ctd?.stop(), open?.stop(), locked?.stop()]);
  });

  it('serves pushed images that containerd pulls over plain HTTP through CRI, without registry config', async () => {
    const ref = await open.push(testImageFiles().busybox, 'busybox:1.0');
    assert.equal(ref, `${open.host}/busybox:1.0`);
    const imageRef = await cri!.pullImage(ref);
    assert.match(imageRef, /^sha256:[0-9a-f]{64}$/);
    assert.ok(imageRefs(ctd).includes(ref));
  });

  it('fails a pull of a tag that was never pushed', async () => {
    await assert.rejects(cri!.pullImage(`${open.host}/busybox:missing`), failsWith(/not found/));
  });

  it('with auth: anonymous requests get 401, pushes and pulls with the credentials succeed', async () => {
    assert.ok(locked.auth);
    const anon = await fetch(`${locked.url}/v2/`);
    assert.equal(anon.status, 401);
    const basic = Buffer.from(`${locked.auth.username}:${locked.auth.password}`).toString('base64');
    assert.equal((await fetch(`${locked.url}/v2/`, { headers: { authorization: `Basic ${basic}` } })).status, 200);
    const ref = await locked.push(testImageFiles().pause, 'pause:1.0');
    await assert.rejects(cri!.pullImage(ref), failsWith(/401|unauthorized/i));
    // auth as the kubelet sends it: server_address with a scheme, naming the endpoint containerd contacts
    const { username, password } = locked.auth;
    assert.match(await cri!.pullImage(ref, { username, password, serverAddress: `http://${locked.host}` }), /^sha256:[0-9a-f]{64}$/);
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
