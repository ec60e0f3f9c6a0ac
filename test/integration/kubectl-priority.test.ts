/**
 * Priority admission through the real kubectl: a PriorityClass resolves to
 * spec.priority when the pod is created, and an unknown class is refused
 * with upstream's Forbidden message.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Kubectl } from '../helpers/kubectl.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

let server: SkiffHandle;
let home: TempDir;
before(async () => {
  home = tempDir('skiff-priority-home-');
  server = await startSkiff({});
});
after(async () => {
  await server?.stop();
  home?.remove();
});

const pod = (name: string, cls: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  priorityClassName: ${cls}\n  containers:\n  - name: c\n    image: busybox:1.36\n`;

test('a pod gets the value of its PriorityClass, and an unknown class is forbidden', async () => {
  const k = new Kubectl('1.33', server.kubeconfig, home.path);
  await k.ok(['apply', '-f', '-'], 'apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: high\nvalue: 1000\n');
  await k.ok(['apply', '-f', '-'], pod('important', 'high'));
  assert.equal(await k.ok(['get', 'pod', 'important', '-o', 'jsonpath={.spec.priority} {.spec.preemptionPolicy}']), '1000 PreemptLowerPriority');
  await k.ok(['apply', '-f', '-'], pod('critical', 'system-cluster-critical'));
  assert.equal(await k.ok(['get', 'pod', 'critical', '-o', 'jsonpath={.spec.priority}']), '2000000000');
  const refused = await k.run(['apply', '-f', '-'], pod('lost', 'nope'));
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /Error from server \(Forbidden\): error when creating "STDIN": pods "lost" is forbidden: no PriorityClass with name nope was found/);
});
