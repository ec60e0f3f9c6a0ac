/**
 * Client-side apply and the strategic-merge-patch verbs of the real
 * kubectl (1.27, 1.30, 1.33) against a real `skiff server`: apply creates,
 * re-applies unchanged, then applies an edited manifest (an env var and a
 * container removed, a port added, strategy switched to Recreate, a volume
 * source switched, a ConfigMap key and a Service port changed) and the live
 * objects must be what Kubernetes makes of it; then patch (strategic,
 * merge, json), set image, edit with a scripted editor, and rollout
 * pause/resume/restart. Validation is on where the server serves the
 * OpenAPI document that version of kubectl reads, else --validate=false.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Kubectl, kubectlBinary, type KubectlResult } from '../helpers/kubectl.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

type Obj = Record<string, unknown>;

/** The parts of the live objects the tests read. */
interface Meta {
  resourceVersion: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: unknown;
  ports?: { containerPort: number }[];
  volumeMounts?: { mountPath: string }[];
}
interface Deploy {
  metadata: Meta;
  spec: {
    replicas: number;
    paused?: boolean;
    strategy: unknown;
    template: {
      metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec: { containers: Container[]; volumes: { name: string; emptyDir?: unknown; configMap?: { name: string } }[] };
    };
  };
}
interface Svc {
  metadata: Meta;
  spec: { ports: { name: string; port: number; targetPort: number; protocol: string }[] };
}
interface Cm {
  metadata: Meta;
  data: Record<string, string>;
}

const deployment = (edited: boolean): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    strategy: edited ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'busybox:1',
            args: ['sleep', '3600'],
            env: edited ? [{ name: 'A', value: '1' }] : [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
            ports: edited ? [{ containerPort: 80 }, { containerPort: 8080 }] : [{ containerPort: 80 }],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
          ...(edited ? [] : [{ name: 'sidecar', image: 'busybox:1' }]),
        ],
        volumes: [edited ? { name: 'data', configMap: { name: 'web-config' } } : { name: 'data', emptyDir: {} }],
      },
    },
  },
});

const service = (edited: boolean): Obj => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web' },
  spec: {
    selector: { app: 'web' },
    ports: [{ name: 'http', port: 80, targetPort: 80 }, ...(edited ? [{ name: 'https', port: 443, targetPort: 8443 }] : [])],
  },
});

const configMap = (edited: boolean): Obj => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'web-config' },
  data: edited ? { a: '1' } : { a: '1', b: '2' },
});

/** The three objects as one multi-document YAML manifest. */
function manifest(edited: boolean): string {
  return [deployment(edited), service(edited), configMap(edited)].map((d) => stringify(d)).join('---\n');
}

/** The last-applied annotation parsed, compared as kubectl writes it: the manifest plus its namespace. */
function lastApplied(obj: { metadata: Meta }): Obj {
  const raw = obj.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
  assert.equal(typeof raw, 'string', 'last-applied annotation present');
  const parsed = JSON.parse(raw!) as { metadata?: { annotations?: Obj } };
  if (parsed.metadata?.annotations && Object.keys(parsed.metadata.annotations).length === 0) delete parsed.metadata.annotations;
  return parsed as Obj;
}

function withNamespace(doc: Obj, ns: string): Obj {
  return { ...doc, metadata: { ...(doc.metadata as Obj), namespace: ns } };
}

describe('client-side apply and strategic merge patch with the real kubectl', () => {
  let server: SkiffHandle;
  let home: TempDir;

  before(async () => {
    home = tempDir('skiff-apply-home-');
    server = await startSkiff();
  });

  after(async () => {
    await server?.stop();
    home?.remove();
  });

  for (const version of ['1.27', '1.30', '1.33']) {
    describe(`kubectl ${version}`, () => {
      const ns = `apply-${version.replace('.', '-')}`;
      const k = (): Kubectl => new Kubectl(version, server.kubeconfig, home.path);
      const get = async <T>(what: string): Promise<T> => JSON.parse(await k().ok(['get', '-n', ns, what, '-o', 'json'])) as T;
      const getDeploy = (): Promise<Deploy> => get<Deploy>('deploy/web');
      // Validation reads /openapi/v2 before 1.29 and /openapi/v3 from 1.29; without it, --validate=false.
      const openapiPath = version === '1.27' ? '/openapi/v2' : '/openapi/v3';
      let validate: string[] = [];
      let openapiServed = false;

      before(async () => {
        openapiServed = (await k().run(['get', '--raw', openapiPath])).code === 0;
        validate = openapiServed ? [] : ['--validate=false'];
        // create -f sends JSON on every version (imperative create sends protobuf from 1.32).
        await k().ok(['create', ...validate, '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
      });

      test('apply -f creates a Deployment, a Service and a ConfigMap', async () => {
        const out = await k().ok(['apply', ...validate, '-n', ns, '-f', '-'], manifest(false));
        assert.equal(out, 'deployment.apps/web created\nservice/web created\nconfigmap/web-config created\n');
        const d = await getDeploy();
        assert.deepEqual(lastApplied(d), withNamespace(deployment(false), ns));
      });

      test('applying the same manifest again changes nothing', async () => {
        const before = await getDeploy();
        const out = await k().ok(['apply', ...validate, '-n', ns, '-f', '-'], manifest(false));
        assert.equal(out, 'deployment.apps/web unchanged\nservice/web unchanged\nconfigmap/web-config unchanged\n');
        assert.equal((await getDeploy()).metadata.resourceVersion, before.metadata.resourceVersion);
      });

      test('applying an edited manifest configures every object as Kubernetes would', async () => {
        const out = await k().ok(['apply', ...validate, '-n', ns, '-f', '-'], manifest(true));
        assert.equal(out, 'deployment.apps/web configured\nservice/web configured\nconfigmap/web-config configured\n');

        const d = await getDeploy();
        assert.deepEqual(d.spec.strategy, { type: 'Recreate' }, 'rollingUpdate cleared by $retainKeys');
        const containers = d.spec.template.spec.containers;
        assert.deepEqual(containers.map((c) => c.name), ['web'], 'the removed container is gone');
        const web = containers[0]!;
        assert.deepEqual(web.env, [{ name: 'A', value: '1' }]);
        assert.deepEqual(web.ports?.map((p) => p.containerPort), [80, 8080]);
        assert.deepEqual(web.volumeMounts?.map((m) => m.mountPath), ['/data']);
        assert.deepEqual(web.args, ['sleep', '3600']);
        const volumes = d.spec.template.spec.volumes;
        assert.equal(volumes.length, 1);
        assert.equal(volumes[0]!.name, 'data');
        assert.equal(volumes[0]!.emptyDir, undefined, 'the old volume source is gone');
        assert.equal(volumes[0]!.configMap?.name, 'web-config');
        assert.doesNotMatch(JSON.stringify(d), /\$(patch|retainKeys|setElementOrder|deleteFromPrimitiveList)/);
        assert.deepEqual(lastApplied(d), withNamespace(deployment(true), ns));

        const s = await get<Svc>('svc/web');
        assert.deepEqual(s.spec.ports.map((p) => [p.name, p.port, p.targetPort, p.protocol]), [
          ['http', 80, 80, 'TCP'],
          ['https', 443, 8443, 'TCP'],
        ]);
        assert.deepEqual(lastApplied(s), withNamespace(service(true), ns));

        const cm = await get<Cm>('cm/web-config');
        assert.deepEqual(cm.data, { a: '1' });
        assert.deepEqual(lastApplied(cm), withNamespace(configMap(true), ns));
      });

      test('patch (strategic by default) merges containers by name and keeps the others', async () => {
        const add = await k().ok(['patch', '-n', ns, 'deploy/web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"helper","image":"busybox:1"}]}}}}']);
        assert.equal(add, 'deployment.apps/web patched\n');
        const out = await k().ok(['patch', '-n', ns, 'deploy/web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"x:2"}]}}}}']);
        assert.equal(out, 'deployment.apps/web patched\n');
        const containers = (await getDeploy()).spec.template.spec.containers;
        assert.deepEqual(containers.map((c) => [c.name, c.image]), [
          ['helper', 'busybox:1'],
          ['web', 'x:2'],
        ]);
        assert.deepEqual(containers[1]!.env, [{ name: 'A', value: '1' }], 'the patched container keeps its other fields');
        const same = await k().ok(['patch', '-n', ns, 'deploy/web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"x:2"}]}}}}']);
        assert.equal(same, 'deployment.apps/web patched (no change)\n');
      });

      test('a strategic patch without the merge key is a 400 with the upstream message', async () => {
        const r: KubectlResult = await k().run(['patch', '-n', ns, 'deploy/web', '-p', '{"spec":{"template":{"spec":{"containers":[{"image":"y"}]}}}}']);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /map: map\[image:y\] does not contain declared merge key: name/);
      });

      test('patch --type=merge and --type=json', async () => {
        assert.equal(await k().ok(['patch', '-n', ns, 'deploy/web', '--type=merge', '-p', '{"metadata":{"labels":{"tier":"front"}}}']), 'deployment.apps/web patched\n');
        assert.equal(await k().ok(['patch', '-n', ns, 'deploy/web', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":2}]']), 'deployment.apps/web patched\n');
        const d = await getDeploy();
        assert.deepEqual(d.metadata.labels, { app: 'web', tier: 'front' });
        assert.equal(d.spec.replicas, 2);
      });

      test('set image changes one container', async () => {
        assert.equal(await k().ok(['set', 'image', '-n', ns, 'deploy/web', 'web=busybox:2']), 'deployment.apps/web image updated\n');
        const containers = (await getDeploy()).spec.template.spec.containers;
        assert.deepEqual(containers.map((c) => [c.name, c.image]), [
          ['helper', 'busybox:1'],
          ['web', 'busybox:2'],
        ]);
      });

      const editName = version === '1.27' ? 'edit with a scripted editor (needs /openapi/v2 on 1.27)' : 'edit with a scripted editor';
      test(editName, async (t) => {
        if (version === '1.27' && !openapiServed) {
          t.skip('kubectl 1.27 edit needs /openapi/v2, which the server does not serve yet');
          return;
        }
        const dir = tempDir('skiff-editor-');
        try {
          const editor = join(dir.path, 'editor.sh');
          writeFileSync(editor, "#!/bin/sh\nsed -i 's/image: busybox:2$/image: busybox:3/' \"$1\"\n");
          chmodSync(editor, 0o755);
          const r = await runWithEnv(version, ['edit', '-n', ns, 'deploy/web', ...validate], { KUBECONFIG: server.kubeconfig, HOME: home.path, KUBE_EDITOR: editor });
          assert.equal(r.code, 0, r.stderr);
          assert.equal(r.stdout, 'deployment.apps/web edited\n');
          const containers = (await getDeploy()).spec.template.spec.containers;
          assert.deepEqual(containers.map((c) => [c.name, c.image]), [
            ['helper', 'busybox:1'],
            ['web', 'busybox:3'],
          ]);
        } finally {
          dir.remove();
        }
      });

      test('rollout pause, resume and restart', async () => {
        assert.equal(await k().ok(['rollout', 'pause', '-n', ns, 'deploy/web']), 'deployment.apps/web paused\n');
        assert.equal((await getDeploy()).spec.paused, true);
        assert.equal(await k().ok(['rollout', 'resume', '-n', ns, 'deploy/web']), 'deployment.apps/web resumed\n');
        assert.equal((await getDeploy()).spec.paused, undefined);
        assert.equal(await k().ok(['rollout', 'restart', '-n', ns, 'deploy/web']), 'deployment.apps/web restarted\n');
        const d = await getDeploy();
        assert.match(d.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[Z+-]/);
        assert.deepEqual(d.spec.template.metadata.labels, { app: 'web' });
      });

      test('scale sets replicas through the Scale subresource, with and without a precondition', async () => {
        assert.equal(await k().ok(['scale', '-n', ns, 'deploy/web', '--replicas=4']), 'deployment.apps/web scaled\n');
        assert.equal((await getDeploy()).spec.replicas, 4);
        const scale = JSON.parse(await k().ok(['get', '--raw', `/apis/apps/v1/namespaces/${ns}/deployments/web/scale`])) as {
          kind: string;
          apiVersion: string;
          spec: { replicas: number };
          status: { selector: string };
        };
        assert.equal(scale.kind, 'Scale');
        assert.equal(scale.apiVersion, 'autoscaling/v1');
        assert.equal(scale.spec.replicas, 4);
        assert.equal(scale.status.selector, 'app=web');
        assert.equal(await k().ok(['scale', '-n', ns, 'deploy/web', '--current-replicas=4', '--replicas=1']), 'deployment.apps/web scaled\n');
        assert.equal((await getDeploy()).spec.replicas, 1);
        const stale = await k().run(['scale', '-n', ns, 'deploy/web', '--current-replicas=7', '--replicas=2']);
        assert.notEqual(stale.code, 0);
        assert.match(stale.stderr, /Expected replicas to be 7, was 1/);
      });
    });
  }
});

/** Runs kubectl with a given environment (edit needs KUBE_EDITOR). */
function runWithEnv(version: string, args: string[], env: Record<string, string>): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(kubectlBinary(version), args, { env: { PATH: process.env.PATH, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
