/**
 * The Runtime conformance suite on real containerd over CRI gRPC
 * (GrpcRuntime), with a private containerd from test/helpers/containerd.ts.
 * Skips when containerd is not installed (or we are not root).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRuntime } from '../../agent/cri/create-runtime.js';
import { buildOciImage } from '../../agent/images/oci-archive.js';
import { BUSYBOX_IMAGE, containerdSkipReason, startTestContainerd } from '../helpers/containerd.js';
import { tempDir } from '../helpers/temp-dir.js';
import { runtimeSuite } from './runtime-suite.js';

runtimeSuite(
  'containerd (gRPC)',
  async () => {
    const ctd = await startTestContainerd();
    const logs = tempDir('skiff-ctd-logs-');
    const runtime = createRuntime(ctd.endpoint);
    let n = 0;
    return {
      runtime,
      image: BUSYBOX_IMAGE,
      logRoot: logs.path,
      addRemovableImage: async () => {
        // A distinct image (its own layer), since removing an image removes all of its tags.
        const ref = `localhost/skiff-removable:${++n}`;
        const built = buildOciImage({
          ref,
          rootfs: [{ type: 'file', path: 'hello.txt', mode: 0o644, content: Buffer.from(`removable ${n} ${process.pid}\n`) }],
          config: { Cmd: ['/hello'] },
        });
        const file = join(logs.path, `removable-${n}.tar`);
        writeFileSync(file, built.archive);
        await ctd.importImage(file);
        return ref;
      },
      cleanup: async () => {
        try {
          for (const s of await runtime.listPodSandbox()) {
            await runtime.stopPodSandbox(s.id).catch(() => undefined);
            await runtime.removePodSandbox(s.id).catch(() => undefined);
          }
        } finally {
          runtime.close();
          await ctd.stop();
          logs.remove();
        }
      },
    };
  },
  { skip: containerdSkipReason() },
);
