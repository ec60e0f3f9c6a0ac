/**
 * The Runtime conformance suite on FakeRuntime (in memory, real time), so
 * the fake the kubelet's unit tests use keeps containerd's semantics.
 */
import { FakeRuntime } from '../../agent/cri/fake-runtime.js';
import { tempDir } from '../helpers/temp-dir.js';
import { runtimeSuite } from './runtime-suite.js';

runtimeSuite('fake', async () => {
  const logs = tempDir('skiff-fake-cri-');
  const runtime = new FakeRuntime();
  const image = 'localhost/busybox:1.0';
  runtime.addImage('localhost/pause:1.0');
  runtime.addImage(image);
  let n = 0;
  return {
    runtime,
    image,
    logRoot: logs.path,
    addRemovableImage: async () => {
      const ref = `localhost/skiff-removable:${++n}`;
      runtime.addImage(ref);
      return ref;
    },
    cleanup: async () => {
      for (const s of await runtime.listPodSandbox()) await runtime.removePodSandbox(s.id);
      runtime.close();
      logs.remove();
    },
  };
});
