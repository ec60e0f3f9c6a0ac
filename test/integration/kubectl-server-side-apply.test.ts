/**
 * Server-side apply with the real kubectl 1.27, 1.30 and 1.33 against a
 * real `skiff server`: create on apply, removal of fields no longer
 * applied, conflicts between managers (upstream's exact message) and
 * --force-conflicts, the client- to server-side apply migration, well-formed
 * managedFields in `get --show-managed-fields`, and `kubectl diff` (client-
 * and server-side dry runs) with its exit codes.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { Kubectl } from '../helpers/kubectl.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

/** The API alone: no scheduler or controllers acting on the objects these tests write by hand. */
const API_ONLY = ['--disable-controller-manager', '--disable-scheduler'];

const V = '--validate=false';

function deployment(name: string, opts: { replicas?: number; tier?: boolean; image?: string } = {}): string {
  const lines = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    '  labels:',
    `    app: ${name}`,
    ...(opts.tier ? ['    tier: web'] : []),
    'spec:',
    ...(opts.replicas !== undefined ? [`  replicas: ${opts.replicas}`] : []),
    '  selector:',
    `    matchLabels: {app: ${name}}`,
    '  template:',
    '    metadata:',
    `      labels: {app: ${name}}`,
    '    spec:',
    '      containers:',
    '      - name: web',
    `        image: ${opts.image ?? 'nginx:1.25'}`,
    '        ports:',
    '        - containerPort: 80',
  ];
  return lines.join('\n') + '\n';
}

interface Entry {
  manager?: unknown;
  operation?: unknown;
  apiVersion?: unknown;
  time?: unknown;
  fieldsType?: unknown;
  fieldsV1?: Record<string, unknown>;
}

describe('kubectl server-side apply against skiff server', () => {
  let server: SkiffHandle;
  let home: TempDir;

  before(async () => {
    home = tempDir('skiff-ssa-home-');
    server = await startSkiff({ extraArgs: API_ONLY });
  });

  after(async () => {
    await server?.stop();
    home?.remove();
  });

  for (const version of ['1.27', '1.30', '1.33']) {
    const ns = `ssa-${version.replace('.', '-')}`;
    const k = (): Kubectl => new Kubectl(version, server.kubeconfig, home.path);
    const getJson = async (name: string): Promise<{ metadata: { labels?: Record<string, string>; managedFields?: Entry[] }; spec: { replicas?: number } }> =>
      JSON.parse(await k().ok(['get', '-n', ns, 'deployment', name, '-o', 'json', '--show-managed-fields'])) as never;
    const managers = (e: Entry[] | undefined): string[] => (e ?? []).map((x) => `${String(x.manager)}/${String(x.operation)}`).sort();
    const owns = (e: Entry[] | undefined, manager: string, field: string): boolean =>
      JSON.stringify((e ?? []).find((x) => x.manager === manager)?.fieldsV1?.['f:spec'] ?? {}).includes(`"${field}"`);

    test(`kubectl ${version}: apply --server-side creates the object with an Apply entry for kubectl`, async () => {
      await k().ok(['create', 'namespace', ns]);
      const out = await k().ok(['apply', V, '--server-side', '-n', ns, '-f', '-'], deployment('web', { replicas: 3, tier: true }));
      assert.match(out, /deployment\.apps\/web serverside-applied/);
      const d = await getJson('web');
      assert.equal(d.spec.replicas, 3);
      assert.deepEqual(managers(d.metadata.managedFields), ['kubectl/Apply']);
      assert.ok(owns(d.metadata.managedFields, 'kubectl', 'f:replicas'));
    });

    test(`kubectl ${version}: re-applying without a field removes it (and defaulting restores replicas)`, async () => {
      await k().ok(['apply', V, '--server-side', '-n', ns, '-f', '-'], deployment('web'));
      const d = await getJson('web');
      assert.equal(d.spec.replicas, 1);
      assert.equal(d.metadata.labels?.tier, undefined);
      assert.ok(!owns(d.metadata.managedFields, 'kubectl', 'f:replicas'));
    });

    test(`kubectl ${version}: a second manager changing .spec.replicas conflicts; --force-conflicts takes it`, async () => {
      await k().ok(['apply', V, '--server-side', '-n', ns, '-f', '-'], deployment('web', { replicas: 3 }));
      const r = await k().run(['apply', V, '--server-side', '--field-manager=other', '-n', ns, '-f', '-'], deployment('web', { replicas: 5 }));
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.spec\.replicas/);
      assert.match(r.stderr, /--force-conflicts/);
      assert.equal((await getJson('web')).spec.replicas, 3);
      await k().ok(['apply', V, '--server-side', '--field-manager=other', '--force-conflicts', '-n', ns, '-f', '-'], deployment('web', { replicas: 5 }));
      const d = await getJson('web');
      assert.equal(d.spec.replicas, 5);
      assert.ok(owns(d.metadata.managedFields, 'other', 'f:replicas'));
      assert.ok(!owns(d.metadata.managedFields, 'kubectl', 'f:replicas'));
    });

    test(`kubectl ${version}: a conflict with a client-side-apply manager names it with its apiVersion`, async () => {
      await k().ok(['apply', V, '-n', ns, '-f', '-'], deployment('csa-conflict', { replicas: 2 }));
      const r = await k().run(['apply', V, '--server-side', '--field-manager=other', '-n', ns, '-f', '-'], deployment('csa-conflict', { replicas: 4 }));
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps\/v1: \.spec\.replicas/);
    });

    test(`kubectl ${version}: apply --server-side over a client-side-applied Deployment migrates ownership to kubectl`, async () => {
      await k().ok(['apply', V, '-n', ns, '-f', '-'], deployment('migrated', { replicas: 2 }));
      assert.deepEqual(managers((await getJson('migrated')).metadata.managedFields), ['kubectl-client-side-apply/Update']);
      const out = await k().ok(['apply', V, '--server-side', '-n', ns, '-f', '-'], deployment('migrated', { replicas: 4, image: 'nginx:1.27' }));
      assert.match(out, /serverside-applied/);
      const d = await getJson('migrated');
      assert.equal(d.spec.replicas, 4);
      const entries = d.metadata.managedFields ?? [];
      assert.ok(owns(entries, 'kubectl', 'f:replicas'));
      assert.ok(owns(entries, 'kubectl', 'f:image'));
      const csa = entries.find((e) => e.manager === 'kubectl-client-side-apply');
      assert.ok(!csa || !JSON.stringify(csa.fieldsV1).includes('f:replicas'), 'client-side apply keeps no applied field');
      assert.ok(!csa || !JSON.stringify(csa.fieldsV1).includes('f:image'));
    });

    test(`kubectl ${version}: get -o yaml --show-managed-fields shows well-formed entries`, async () => {
      const out = await k().ok(['get', '-n', ns, 'deployment', 'web', '-o', 'yaml', '--show-managed-fields']);
      const obj = parseYaml(out) as { metadata: { managedFields: Entry[] } };
      assert.ok(obj.metadata.managedFields.length >= 2);
      for (const e of obj.metadata.managedFields) {
        assert.equal(typeof e.manager, 'string');
        assert.ok(e.operation === 'Apply' || e.operation === 'Update');
        assert.equal(e.apiVersion, 'apps/v1');
        assert.match(String(e.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.equal(e.fieldsType, 'FieldsV1');
        assert.equal(typeof e.fieldsV1, 'object');
        for (const key of Object.keys(e.fieldsV1 ?? {})) assert.match(key, /^(f:|k:|v:|i:|\.$)/);
      }
      assert.doesNotMatch(await k().ok(['get', '-n', ns, 'deployment', 'web', '-o', 'yaml']), /managedFields/);
    });

    test(`kubectl ${version}: diff shows a change and exits 1, and exits 0 without one`, async () => {
      await k().ok(['apply', V, '-n', ns, '-f', '-'], deployment('diffed', { replicas: 2 }));
      const same = await k().run(['diff', '-n', ns, '-f', '-'], deployment('diffed', { replicas: 2 }));
      assert.equal(same.code, 0, same.stderr);
      assert.equal(same.stdout, '');
      const changed = await k().run(['diff', '-n', ns, '-f', '-'], deployment('diffed', { replicas: 6 }));
      assert.equal(changed.code, 1, changed.stderr);
      assert.match(changed.stdout, /^- {2}replicas: 2$/m);
      assert.match(changed.stdout, /^\+ {2}replicas: 6$/m);
      // Server-side: a dry-run apply; nothing is written.
      const ss = await k().run(['diff', '--server-side', '--force-conflicts', '-n', ns, '-f', '-'], deployment('diffed', { replicas: 7 }));
      assert.equal(ss.code, 1, ss.stderr);
      assert.match(ss.stdout, /^\+ {2}replicas: 7$/m);
      assert.equal((await getJson('diffed')).spec.replicas, 2);
      await k().ok(['apply', V, '--server-side', '--force-conflicts', '-n', ns, '-f', '-'], deployment('diffed', { replicas: 2 }));
      const none = await k().run(['diff', '--server-side', '-n', ns, '-f', '-'], deployment('diffed', { replicas: 2 }));
      assert.equal(none.code, 0, none.stdout + none.stderr);
    });

    test(`kubectl ${version}: apply --server-side --dry-run=server changes nothing`, async () => {
      const out = await k().ok(['apply', V, '--server-side', '--dry-run=server', '-n', ns, '-f', '-'], deployment('dry', { replicas: 2 }));
      assert.match(out, /serverside-applied \(server dry run\)/);
      const r = await k().run(['get', '-n', ns, 'deployment', 'dry']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /NotFound/);
    });
  }
});
