/**
 * Container logs against real containerd: what containerd writes (CRI
 * format, long lines split into P records) reads back as the container's
 * exact output; a follower started with the container sees every line
 * once and in order while the ContainerLogManager rotates the file under
 * it (rename, ReopenContainerLog, gzip of older files); the rotated files
 * plus the live one read back whole afterwards. Skips when containerd is
 * not installed (or not root).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { BUSYBOX_IMAGE, containerdSkipReason, startTestContainerd, type TestContainerd } from '../../test/helpers/containerd.js';
import { tempDir, type TempDir } from '../../test/helpers/temp-dir.js';
import { createRuntime } from '../cri/create-runtime.js';
import { CONTAINER_EXITED, type PodSandboxConfig, type Runtime } from '../cri/runtime.js';
import { containerLogFiles, readContainerLog } from './container-log-reader.js';
import { ContainerLogManager } from './log-rotation.js';

const skip = containerdSkipReason();

class Collect extends Writable {
  chunks: Buffer[] = [];
  override _write(c: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.chunks.push(c);
    cb();
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

const LINES = 80;
const script = [
  'echo one',
  'sleep 0.1',
  'echo two >&2',
  'sleep 0.1',
  's=x; i=0; while [ $i -lt 15 ]; do s=$s$s; i=$((i+1)); done; echo $s',
  `i=0; while [ $i -lt ${LINES} ]; do echo "seq $i"; i=$((i+1)); sleep 0.05; done`,
].join('; ');
const expected = `one\ntwo\n${'x'.repeat(32768)}\n${Array.from({ length: LINES }, (_, i) => `seq ${i}\n`).join('')}`;

describe('container logs on containerd', { skip }, () => {
  let ctd: TestContainerd;
  let runtime: Runtime;
  let tmp: TempDir;
  let sandboxId = '';

  before(async () => {
    ctd = await startTestContainerd();
    runtime = createRuntime(ctd.endpoint);
    tmp = tempDir('skiff-logs-');
  });

  after(async () => {
    try {
      if (sandboxId) {
        await runtime.stopPodSandbox(sandboxId).catch(() => undefined);
        await runtime.removePodSandbox(sandboxId).catch(() => undefined);
      }
    } finally {
      runtime?.close();
      await ctd?.stop();
      tmp?.remove();
    }
  });

  it('follows a container’s output exactly across rotations, then reads it back from all files', async () => {
    const logDir = join(tmp.path, 'logs');
    const sandboxConfig: PodSandboxConfig = {
      metadata: { name: 'logger', uid: 'log-uid-1', namespace: 'default', attempt: 0 },
      hostname: 'logger',
      logDirectory: logDir,
      portMappings: [],
      labels: { 'skiff.dev/managed': 'true' },
      annotations: {},
      linux: { cgroupParent: '' },
    };
    sandboxId = await runtime.runPodSandbox(sandboxConfig);
    const containerId = await runtime.createContainer(
      sandboxId,
      { metadata: { name: 'app', attempt: 0 }, image: { image: BUSYBOX_IMAGE }, command: ['sh', '-c', script], args: [], workingDir: '', envs: [], mounts: [], labels: {}, annotations: {}, logPath: 'app/0.log', stdin: false, stdinOnce: false, tty: false },
      sandboxConfig,
    );
    const logPath = join(logDir, 'app/0.log');
    let reopens = 0;
    const rotation = new ContainerLogManager({
      runtime: { reopenContainerLog: async (id) => (reopens++, runtime.reopenContainerLog(id)) },
      listLogs: async () => (running ? [{ containerId, logPath }] : []),
      maxSize: 200,
      maxFiles: 100,
      intervalMs: 1000,
    });
    let running = true;
    await runtime.startContainer(containerId);
    const poll = setInterval(() => {
      runtime.containerStatus(containerId).then((s) => (running = s.state !== CONTAINER_EXITED), () => (running = false));
    }, 100);
    rotation.start();
    const out = new Collect();
    try {
      await readContainerLog([logPath], { follow: true, pollIntervalMs: 200 }, out, AbortSignal.timeout(30_000), () => running);
    } finally {
      clearInterval(poll);
      await rotation.stop();
    }
    assert.equal(out.text, expected);
    assert.ok(reopens >= 2, `rotated ${reopens} times`);

    const files = await containerLogFiles(logPath);
    assert.ok(files.some((f) => f.endsWith('.gz')), files.join(' '));
    const raw = files.map((f) => (f.endsWith('.gz') ? gunzipSync(readFileSync(f)) : readFileSync(f)).toString('utf8')).join('');
    assert.match(raw, / stdout P x{1000,}\n/, 'the long line was split into partial records');
    assert.match(raw, / stderr F two\n/);

    const all = new Collect();
    await readContainerLog(files, {}, all, new AbortController().signal, () => false);
    assert.equal(all.text, expected);
    const tail = new Collect();
    await readContainerLog(files, { tailLines: 2, timestamps: true }, tail, new AbortController().signal, () => false);
    assert.match(tail.text, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d*[1-9])?(Z|[+-]\\d\\d:\\d\\d) seq ${LINES - 2}\\n\\S+ seq ${LINES - 1}\\n$`));
  });
});
