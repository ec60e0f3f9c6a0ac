/**
 * `skiff images import` through the real CLI against a real containerd:
 * OCI layouts (plain and gzip'ed) and docker-archive tarballs land in the
 * k8s.io namespace under their names; --data-dir finds the agent's
 * containerd socket; mistakes exit 2 and failed imports exit 1, each with
 * one line on stderr.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { BUSYBOX_IMAGE, containerdSkipReason, PAUSE_IMAGE, startTestContainerd, testImageFiles, type TestContainerd } from '../helpers/containerd.js';
import { skiffBin } from '../helpers/skiff.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function skiff(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [skiffBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    c.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const skip = containerdSkipReason();

describe('skiff images import', { skip }, () => {
  let ctd: TestContainerd;
  const work = tempDir('skiff-images-cli-');
  const images = skip ? undefined : testImageFiles();
  const refs = (): string[] => execFileSync('ctr', ['--address', ctd.socketPath, '-n', 'k8s.io', 'images', 'ls', '-q'], { encoding: 'utf8' }).split('\n');

  before(async () => {
    ctd = await startTestContainerd({ images: false });
  });
  after(async () => {
    await ctd?.stop();
    work.remove();
  });

  it('imports OCI tarballs given a runtime endpoint, printing each image', async () => {
    const r = await skiff('images', 'import', '--container-runtime-endpoint', ctd.endpoint, images!.pause, images!.busybox);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^imported ${PAUSE_IMAGE} \\(sha256:[0-9a-f]{64}\\) from ${images!.pause}$`, 'm'));
    assert.match(r.stdout, new RegExp(`^imported ${BUSYBOX_IMAGE} \\(sha256:[0-9a-f]{64}\\) from ${images!.busybox}$`, 'm'));
    assert.ok(refs().includes(PAUSE_IMAGE) && refs().includes(BUSYBOX_IMAGE));
  });

  it("finds the agent's containerd from --data-dir and reads gzip'ed tarballs", async () => {
    const dataDir = join(work.path, 'data');
    mkdirSync(join(dataDir, 'agent'), { recursive: true });
    symlinkSync(join(ctd.dir, 'containerd'), join(dataDir, 'agent', 'containerd'));
    const gz = join(work.path, 'busybox.tar.gz');
    writeFileSync(gz, gzipSync(readFileSync(images!.busybox)));
    execFileSync('ctr', ['--address', ctd.socketPath, '-n', 'k8s.io', 'images', 'rm', BUSYBOX_IMAGE]);
    assert.ok(!refs().includes(BUSYBOX_IMAGE));
    const r = await skiff('images', 'import', '--data-dir', dataDir, gz);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^imported ${BUSYBOX_IMAGE} `, 'm'));
    assert.ok(refs().includes(BUSYBOX_IMAGE));
  });

  it('imports docker-archive tarballs (docker save format) under their repo tags', async (t) => {
    const archive = join(work.path, 'docker.tar');
    try {
      execFileSync('skopeo', ['copy', '--quiet', `oci-archive:${images!.busybox}`, `docker-archive:${archive}:localhost/busybox-docker:2.0`], { stdio: 'pipe' });
    } catch (e) {
      t.skip(`skopeo cannot write a docker-archive here: ${(e as Error).message.split('\n')[0]}`);
      return;
    }
    const r = await skiff('images', 'import', '--container-runtime-endpoint', ctd.endpoint, archive);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(refs().includes('localhost/busybox-docker:2.0'), refs().join(' '));
  });

  it('exits 1 with one line naming the file when a tarball is not an image, and still imports the others', async () => {
    const junk = join(work.path, 'junk.tar');
    writeFileSync(junk, Buffer.alloc(4096, 7));
    const r = await skiff('images', 'import', '--container-runtime-endpoint', ctd.endpoint, junk, images!.pause);
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, new RegExp(`^skiff: ${junk}: import failed: `));
    assert.match(r.stdout, new RegExp(`^imported ${PAUSE_IMAGE} `, 'm'));
  });

  it('exits 1 when no runtime answers on the socket', async () => {
    const r = await skiff('images', 'import', '--container-runtime-endpoint', `unix://${join(work.path, 'nothing.sock')}`, images!.pause);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^skiff: no container runtime answers on .*nothing\.sock/);
  });

  it('exits 2 on usage mistakes: no runtime flag, both flags, no files, a missing file, a relative endpoint', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['import', images!.pause], /--data-dir or --container-runtime-endpoint is required/],
      [['import', '--data-dir', work.path, '--container-runtime-endpoint', ctd.endpoint, images!.pause], /not both/],
      [['import', '--data-dir', work.path], /no image tarballs given/],
      [['import', '--data-dir', work.path, join(work.path, 'missing.tar')], /no such file: .*missing\.tar/],
      [['import', '--container-runtime-endpoint', 'containerd.sock', images!.pause], /must be unix:\/\/\/absolute\/path/],
      [['export'], /unknown images subcommand "export"/],
    ];
    for (const [args, message] of cases) {
      const r = await skiff('images', ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.match(r.stderr, message);
    }
  });

  it('prints its help with --help', async () => {
    const r = await skiff('images', '--help');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: skiff images import/);
  });
});
