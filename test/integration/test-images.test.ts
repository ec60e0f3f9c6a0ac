/**
 * The locally built images run for real in a private containerd: the
 * busybox image has its applets (including tar for kubectl cp), users and
 * a world-writable /tmp; the pause binary exits 0 on SIGTERM; a custom
 * variant from test/helpers/images.ts traps SIGTERM and exits at once.
 * Containers are run with `ctr run`, with runc state and FIFOs kept in
 * the instance's temp dir.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BUSYBOX_IMAGE, containerdSkipReason, PAUSE_IMAGE, startTestContainerd, type TestContainerd } from '../helpers/containerd.js';
import { buildGracefulImage, type BuiltVariant } from '../helpers/images.js';

const run = promisify(execFile);
const skip = containerdSkipReason();

describe('the test images in containerd', { skip }, () => {
  let ctd: TestContainerd;
  let graceful: BuiltVariant;
  let n = 0;
  const ctr = async (...args: string[]): Promise<string> =>
    (await run('ctr', ['--address', ctd.socketPath, '-n', 'k8s.io', ...args], { encoding: 'utf8', timeout: 60_000 })).stdout;
  /** Runs a container to completion (foreground), returning its output. */
  const runIn = (image: string, ...cmd: string[]): Promise<string> =>
    ctr('run', '--rm', '--runc-root', join(ctd.dir, 'ctr-runc'), '--fifo-dir', join(ctd.dir, 'ctr-fifo'), image, `t${process.pid}-${n++}`, ...cmd);

  before(async () => {
    ctd = await startTestContainerd();
    graceful = buildGracefulImage();
    await ctd.importImage(graceful.tar);
  });
  after(async () => {
    await ctd?.stop();
    graceful?.remove();
  });

  it('busybox runs sh with the applets tests use, tar included', async () => {
    const out = await runIn(BUSYBOX_IMAGE, 'sh', '-c', 'for a in echo sleep cat ls wget nc httpd id hostname ip ps env tar head dd grep seq sed awk; do which $a; done');
    const applets = 'echo sleep cat ls wget nc httpd id hostname ip ps env tar head dd grep seq sed awk'.split(' ');
    assert.deepEqual(out.trim().split('\n'), applets.map((a) => (a === 'env' ? '/usr/bin/env' : `/bin/${a}`)));
  });

  it('busybox knows root from /etc/passwd and has a sticky world-writable /tmp', async () => {
    assert.equal((await runIn(BUSYBOX_IMAGE, 'id')).trim(), 'uid=0(root) gid=0(root) groups=0(root)');
    assert.equal((await runIn(BUSYBOX_IMAGE, 'stat', '-c', '%a', '/tmp')).trim(), '1777');
    assert.equal((await runIn(BUSYBOX_IMAGE, 'sh', '-c', 'echo data > /tmp/f && tar -cf - -C /tmp f | tar -tf -')).trim(), 'f');
  });

  it('pause and the graceful variant exit 0 promptly on SIGTERM', async () => {
    for (const image of [PAUSE_IMAGE, graceful.ref]) {
      const id = `sig${process.pid}-${n++}`;
      await ctr('run', '-d', '--runc-root', join(ctd.dir, 'ctr-runc'), '--fifo-dir', join(ctd.dir, 'ctr-fifo'), image, id);
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      await ctr('tasks', 'kill', '-s', 'SIGTERM', id);
      let status = '';
      while (Date.now() - started < 10_000) {
        status = (await ctr('tasks', 'ls')).split('\n').find((l) => l.startsWith(`${id} `)) ?? '';
        if (/STOPPED/.test(status)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.match(status, /STOPPED/, `${image} stopped on SIGTERM`);
      assert.ok(Date.now() - started < 5000, `${image} stopped within 5 s`);
      const exit = (await ctr('tasks', 'delete', id)).trim();
      assert.match(exit, /^$|exit code 0|status 0/, `${image}: ${exit}`);
      await ctr('containers', 'delete', id);
    }
  });
});
