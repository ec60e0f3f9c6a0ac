/**
 * The real kubectl (oldest and newest supported: 1.27 and 1.33) drives a
 * real `skiff server` on SQLite and on etcd: create, get in every output
 * form, selectors, paging, watch, label/annotate/replace, conflicts,
 * delete --wait, validation errors and persistence across a restart.
 * Until OpenAPI lands, writes pass --validate=false as the issue says.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kubectl, eventually } from '../helpers/kubectl.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { startEtcd, type EtcdInstance as EtcdHandle } from '../helpers/etcd.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

const fixtures = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures');
const multiDoc = readFileSync(join(fixtures, 'multi-doc.yaml'), 'utf8');
const V = '--validate=false';

for (const backend of ['sqlite', 'etcd'] as const) {
  describe(`kubectl against skiff server on ${backend}`, () => {
    let etcd: EtcdHandle | undefined;
    let server: SkiffHandle;
    let home: TempDir;

    before(async () => {
      home = tempDir('skiff-kubectl-home-');
      if (backend === 'etcd') etcd = await startEtcd();
      // The API alone: no controllers turning the Deployment into pods.
      server = await startSkiff({
        datastore: etcd ? `etcd://${etcd.endpoint.replace(/^https?:\/\//, '')}` : undefined,
        extraArgs: ['--disable-controller-manager', '--disable-scheduler'],
      });
    });

    after(async () => {
      await server?.stop();
      await etcd?.stop();
      home?.remove();
    });

    for (const version of ['1.27', '1.33']) {
      const ns = `ns-${version.replace('.', '-')}`;
      const k = (): Kubectl => new Kubectl(version, server.kubeconfig, home.path);

      test(`kubectl ${version}: create -f with a multi-document file creates every object`, async () => {
        await k().ok(['create', V, '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`);
        const out = await k().ok(['create', V, '-n', ns, '-f', '-'], multiDoc);
        assert.match(out, /configmap\/app-config created/);
        assert.match(out, /configmap\/db-config created/);
        assert.match(out, /pod\/web-0 created/);
        assert.match(out, /deployment.apps\/web created/);
        assert.match(out, /service\/web created/);
        const again = await k().run(['create', V, '-n', ns, '-f', '-'], multiDoc);
        assert.notEqual(again.code, 0);
        assert.match(again.stderr, /Error from server \(AlreadyExists\): error when creating "STDIN": configmaps "app-config" already exists/);
      });

      test(`kubectl ${version}: get by name and as yaml, json, name and jsonpath`, async () => {
        assert.match(await k().ok(['get', '-n', ns, 'configmap', 'app-config']), /^NAME\s+DATA\s+AGE\napp-config\s+\d+\s+\d+s\n$/);
        const yaml = await k().ok(['get', '-n', ns, 'cm', 'app-config', '-o', 'yaml']);
        assert.match(yaml, /color: blue/);
        assert.match(yaml, /resourceVersion: "\d+"/);
        assert.match(yaml, /creationTimestamp: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/);
        const json = JSON.parse(await k().ok(['get', '-n', ns, 'deploy', 'web', '-o', 'json'])) as {
          spec: { strategy: { type: string; rollingUpdate: { maxSurge: string } }; revisionHistoryLimit: number };
          metadata: { uid: string; generation: number };
        };
        assert.equal(json.spec.strategy.type, 'RollingUpdate');
        assert.equal(json.spec.strategy.rollingUpdate.maxSurge, '25%');
        assert.equal(json.spec.revisionHistoryLimit, 10);
        assert.equal(json.metadata.generation, 1);
        assert.match(json.metadata.uid, /^[0-9a-f-]{36}$/);
        assert.equal(await k().ok(['get', '-n', ns, 'pods', '-o', 'name']), 'pod/web-0\n');
        assert.equal(await k().ok(['get', '-n', ns, 'svc', 'web', '-o', 'jsonpath={.spec.ports[0].targetPort}']), '8080');
        const ip = await k().ok(['get', '-n', ns, 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
        assert.match(ip, /^10\.43\.\d+\.\d+$/);
      });

      test(`kubectl ${version}: label and field selectors, all namespaces and small chunks`, async () => {
        assert.equal(await k().ok(['get', '-n', ns, 'cm', '-l', 'app=web', '-o', 'name']), 'configmap/app-config\n');
        assert.equal(await k().ok(['get', '-n', ns, 'cm', '-l', 'tier in (backend),app!=web', '-o', 'name']), 'configmap/db-config\n');
        assert.equal(await k().ok(['get', '-n', ns, 'cm', '-l', '!tier', '-o', 'name']), '');
        assert.equal(await k().ok(['get', '-n', ns, 'cm', '--field-selector', 'metadata.name=db-config', '-o', 'name']), 'configmap/db-config\n');
        assert.equal(
          await k().ok(['get', '-n', ns, 'pods', '--field-selector', 'status.phase!=Running,spec.nodeName=', '-o', 'name']),
          'pod/web-0\n',
        );
        const all = await k().ok(['get', 'cm', '-A', '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {end}']);
        assert.match(all, new RegExp(`${ns}/app-config`));
        assert.match(all, new RegExp(`${ns}/db-config`));
        const chunked = await k().ok(['get', 'namespaces', '--chunk-size=1', '-o', 'name']);
        for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease', ns]) assert.match(chunked, new RegExp(`namespace/${n}\\n`));
      });

      test(`kubectl ${version}: get -w --output-watch-events sees ADDED, MODIFIED and DELETED`, async () => {
        const w = k().spawn(['get', '-n', ns, 'cm', '-w', '--output-watch-events']);
        try {
          await eventually(() => /ADDED\s+app-config\s/.test(w.output()), 10_000, 'initial ADDED');
          await k().ok(['create', V, '-n', ns, '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: watched\ndata:\n  a: "1"\n');
          await k().ok(['label', '-n', ns, 'cm', 'watched', 'seen=yes']);
          await k().ok(['delete', '-n', ns, 'cm', 'watched']);
          await eventually(() => /DELETED\s+watched\s/.test(w.output()), 10_000, 'DELETED event');
          assert.match(w.output(), /^EVENT\s+NAME\s+DATA\s+AGE\n/);
          const lines = w.output().split('\n').filter((l) => /^\w+\s+watched\s/.test(l));
          assert.deepEqual(lines.map((l) => l.split(/\s+/)[0]), ['ADDED', 'MODIFIED', 'DELETED']);
        } finally {
          w.child.kill();
        }
      });

      test(`kubectl ${version}: label, annotate and replace update the object; a stale replace conflicts`, async () => {
        assert.match(await k().ok(['label', '-n', ns, 'cm', 'app-config', 'color=blue']), /configmap\/app-config labeled/);
        assert.match(await k().ok(['annotate', '-n', ns, 'cm', 'app-config', 'note=hello']), /configmap\/app-config annotated?\n/);
        const current = await k().ok(['get', '-n', ns, 'cm', 'app-config', '-o', 'json']);
        const obj = JSON.parse(current) as { metadata: { labels: Record<string, string>; annotations: Record<string, string>; resourceVersion: string }; data: Record<string, string> };
        assert.equal(obj.metadata.labels.color, 'blue');
        assert.equal(obj.metadata.annotations.note, 'hello');
        obj.data.color = 'green';
        assert.match(await k().ok(['replace', V, '-f', '-'], JSON.stringify(obj)), /configmap\/app-config replaced/);
        obj.data.color = 'red';
        const stale = await k().run(['replace', V, '-f', '-'], JSON.stringify(obj));
        assert.notEqual(stale.code, 0);
        assert.match(
          stale.stderr,
          /Error from server \(Conflict\): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "app-config": the object has been modified; please apply your changes to the latest version and try again/,
        );
        assert.equal(await k().ok(['get', '-n', ns, 'cm', 'app-config', '-o', 'jsonpath={.data.color}']), 'green');
      });

      test(`kubectl ${version}: replacing a Service from its manifest keeps the allocated cluster IP`, async () => {
        const ip = await k().ok(['get', '-n', ns, 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
        const manifest = `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: ${ns}\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 8080\n`;
        assert.match(await k().ok(['replace', V, '-f', '-'], manifest), /service\/web replaced/);
        assert.equal(await k().ok(['get', '-n', ns, 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].port}']), `${ip} 8080`);
      });

      test(`kubectl ${version}: invalid objects are refused with upstream's messages`, async () => {
        const noImage = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\nspec:\n  containers:\n  - name: c\n`;
        const r1 = await k().run(['create', V, '-n', ns, '-f', '-'], noImage);
        assert.notEqual(r1.code, 0);
        assert.match(r1.stderr, /The Pod "bad" is invalid: spec.containers\[0\].image: Required value/);
        const badName = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n`;
        const r2 = await k().run(['create', V, '-n', ns, '-f', '-'], badName);
        assert.match(r2.stderr, /The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
        const negative = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: neg\nspec:\n  replicas: -1\n  selector:\n    matchLabels: {a: b}\n  template:\n    metadata:\n      labels: {a: b}\n    spec:\n      containers:\n      - name: c\n        image: x\n`;
        const r3 = await k().run(['create', V, '-n', ns, '-f', '-'], negative);
        assert.match(r3.stderr, /spec.replicas: Invalid value: -1: must be greater than or equal to 0/);
        const missingNs = await k().run(['create', V, '-n', 'nowhere', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n');
        assert.match(missingNs.stderr, /namespaces "nowhere" not found/);
        const missing = await k().run(['get', '-n', ns, 'pod', 'nope']);
        assert.equal(missing.code, 1);
        assert.match(missing.stderr, /Error from server \(NotFound\): pods "nope" not found/);
      });

      test(`kubectl ${version}: delete --wait removes the object and returns when it is gone`, async () => {
        const out = await k().ok(['delete', '-n', ns, 'pod', 'web-0', '--wait=true']);
        assert.match(out, /pod "web-0" deleted/);
        const gone = await k().run(['get', '-n', ns, 'pod', 'web-0']);
        assert.match(gone.stderr, /pods "web-0" not found/);
        await k().ok(['delete', '-n', ns, 'cm', '-l', 'tier=backend', '--wait=true']);
        assert.equal(await k().ok(['get', '-n', ns, 'cm', '-l', 'tier', '-o', 'name']), 'configmap/app-config\n');
      });
    }

    test('objects, resource versions and uids persist across a restart', async () => {
      const k = new Kubectl('1.33', server.kubeconfig, home.path);
      const before = await k.ok(['get', '-n', 'ns-1-33', 'deploy', 'web', '-o', 'jsonpath={.metadata.uid} {.metadata.resourceVersion}']);
      await server.restart();
      const afterRestart = await k.ok(['get', '-n', 'ns-1-33', 'deploy', 'web', '-o', 'jsonpath={.metadata.uid} {.metadata.resourceVersion}']);
      assert.equal(afterRestart, before);
      assert.equal(await k.ok(['get', '-n', 'ns-1-33', 'cm', 'app-config', '-o', 'jsonpath={.data.color}']), 'green');
      await k.ok(['create', V, '-n', 'ns-1-33', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: after-restart\n');
      const rv = Number(await k.ok(['get', '-n', 'ns-1-33', 'cm', 'after-restart', '-o', 'jsonpath={.metadata.resourceVersion}']));
      assert.ok(rv > Number(before.split(' ')[1]), 'revisions keep growing after a restart');
    });
  });
}
