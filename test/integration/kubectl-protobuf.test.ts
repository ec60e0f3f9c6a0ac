/**
 * kubectl ≥ 1.32 sends protobuf request bodies from its typed-client
 * commands, with no JSON fallback. Against a real `skiff server`, every
 * such `kubectl create …` and `auth whoami` of 1.32 and 1.33 must succeed
 * and store exactly what kubectl 1.31 (JSON bodies) stores for the same
 * command, apart from identity (names, uid, resourceVersion, timestamps,
 * managedFields). Malformed or unsupported protobuf bodies are Status
 * errors (400/415), never 500.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { parse as parseYaml } from 'yaml';
import { loadSchemaGraph } from '../../control-plane/api/schema/proto-schema.js';
import { encodeProtobufBody } from '../../control-plane/api/schema/protobuf-encoder.js';
import { writeEnvelope } from '../../control-plane/api/schema/protobuf-envelope.js';
import { Kubectl } from '../helpers/kubectl.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

/** The API alone: no scheduler or controllers acting on the objects these tests write by hand. */
const API_ONLY = ['--disable-controller-manager', '--disable-scheduler'];

const JSON_VERSION = '1.31';
const PROTOBUF_VERSIONS = ['1.32', '1.33'];
const tag = (v: string): string => v.replace('.', '');

/** One imperative command, run once per kubectl version in that version's namespace. */
interface Case {
  what: string;
  /** Arguments for a version; `ns` is the version's namespace, `name` a per-version name for cluster-scoped objects. */
  args: (ns: string, name: string) => string[];
}

const cases: Case[] = [
  { what: 'create configmap --from-literal', args: (ns) => ['create', 'configmap', 'settings', '-n', ns, '--from-literal=color=blue', '--from-literal=size=10'] },
  { what: 'create secret generic --from-literal', args: (ns) => ['create', 'secret', 'generic', 'creds', '-n', ns, '--from-literal=user=admin', '--from-literal=password=s3cr3t'] },
  { what: 'create deployment --image', args: (ns) => ['create', 'deployment', 'web', '-n', ns, '--image=nginx:1.27', '--replicas=2', '--port=80'] },
  { what: 'create job --image', args: (ns) => ['create', 'job', 'once', '-n', ns, '--image=busybox:1.36', '--', 'echo', 'hello'] },
  { what: 'create cronjob --schedule', args: (ns) => ['create', 'cronjob', 'nightly', '-n', ns, '--image=busybox:1.36', '--schedule=0 6 * * *', '--', 'date'] },
  { what: 'create service clusterip --tcp', args: (ns) => ['create', 'service', 'clusterip', 'api', '-n', ns, '--tcp=80:8080'] },
  { what: 'create serviceaccount', args: (ns) => ['create', 'serviceaccount', 'robot', '-n', ns] },
  { what: 'create quota --hard', args: (ns) => ['create', 'quota', 'compute', '-n', ns, '--hard=cpu=2,memory=1Gi,pods=10'] },
  { what: 'create pdb --selector --min-available', args: (ns) => ['create', 'pdb', 'web-pdb', '-n', ns, '--selector=app=web', '--min-available=1'] },
  { what: 'create priorityclass --value', args: (_ns, name) => ['create', 'priorityclass', name, '--value=1000', '--description=batch work'] },
];

/** The object without identity: per-version names, namespace, uid, allocated IPs and server-set bookkeeping. */
function comparable(text: string, replace: Record<string, string>): unknown {
  const obj = JSON.parse(text) as { metadata?: Record<string, unknown>; spec?: Record<string, unknown> };
  const uid = obj.metadata?.uid;
  const clusterIP = obj.spec?.clusterIP;
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields']) delete obj.metadata?.[k];
  let out = JSON.stringify(obj);
  if (typeof uid === 'string') out = out.split(uid).join('<uid>');
  if (typeof clusterIP === 'string' && clusterIP !== 'None') out = out.split(`"${clusterIP}"`).join('"<ip>"');
  for (const [from, to] of Object.entries(replace)) out = out.split(from).join(to);
  return JSON.parse(out) as unknown;
}

interface KubeconfigUser {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

function credentials(kubeconfig: string): KubeconfigUser {
  const doc = parseYaml(readFileSync(kubeconfig, 'utf8')) as {
    clusters: Array<{ cluster: Record<string, string> }>;
    users: Array<{ user: Record<string, string> }>;
  };
  const b = (s: string | undefined): Buffer => Buffer.from(s ?? '', 'base64');
  return {
    ca: b(doc.clusters[0]?.cluster['certificate-authority-data']),
    cert: b(doc.users[0]?.user['client-certificate-data']),
    key: b(doc.users[0]?.user['client-key-data']),
  };
}

function post(server: SkiffHandle, creds: KubeconfigUser, path: string, body: Uint8Array, method = 'POST'): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, method, ca: creds.ca, cert: creds.cert, key: creds.key, headers: { 'content-type': 'application/vnd.kubernetes.protobuf', accept: 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('kubectl protobuf request bodies against skiff server', () => {
  let server: SkiffHandle;
  let home: TempDir;
  const k = (version: string): Kubectl => new Kubectl(version, server.kubeconfig, home.path);
  const ns = (version: string): string => `pb-${tag(version)}`;

  before(async () => {
    home = tempDir('skiff-kubectl-protobuf-');
    server = await startSkiff({ extraArgs: API_ONLY });
  });

  after(async () => {
    await server?.stop();
    home?.remove();
  });

  test('create namespace succeeds for every version and stores the same namespace', async () => {
    const made: Record<string, unknown> = {};
    for (const v of [JSON_VERSION, ...PROTOBUF_VERSIONS]) {
      const out = await k(v).ok(['create', 'namespace', ns(v), '-o', 'json']);
      made[v] = comparable(out, { [ns(v)]: '<name>' });
    }
    for (const v of PROTOBUF_VERSIONS) assert.deepEqual(made[v], made[JSON_VERSION], `kubectl ${v}`);
  });

  test('kubectl 1.32 really sends protobuf bodies', async () => {
    const r = await k('1.32').run(['create', 'configmap', 'probe', '-n', ns('1.32'), '--from-literal=a=b', '-v=8']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Content-Type: application\/vnd\.kubernetes\.protobuf/);
    await k('1.32').ok(['delete', 'configmap', 'probe', '-n', ns('1.32')]);
  });

  for (const c of cases) {
    test(`${c.what}: kubectl ${PROTOBUF_VERSIONS.join(' and ')} store what kubectl ${JSON_VERSION} stores`, async () => {
      const stored: Record<string, unknown> = {};
      // The versions work in their own namespaces, so they run side by side.
      await Promise.all(
        [JSON_VERSION, ...PROTOBUF_VERSIONS].map(async (v) => {
          const name = `pc-${tag(v)}`;
          const args = c.args(ns(v), name);
          const dashes = args.indexOf('--');
          // Output flags go before a container command given after `--`.
          args.splice(dashes < 0 ? args.length : dashes, 0, '-o', 'json');
          const created = await k(v).run(args);
          assert.equal(created.code, 0, `kubectl ${v} ${c.what}: ${created.stderr}`);
          const obj = JSON.parse(created.stdout) as { kind: string; metadata: { name: string; namespace?: string } };
          const get = ['get', obj.kind.toLowerCase(), obj.metadata.name, '-o', 'json', ...(obj.metadata.namespace ? ['-n', obj.metadata.namespace] : [])];
          const again = await k(JSON_VERSION).ok(get);
          stored[v] = comparable(again, { [ns(v)]: '<ns>', [name]: '<name>' });
          assert.deepEqual(comparable(created.stdout, { [ns(v)]: '<ns>', [name]: '<name>' }), stored[v], `kubectl ${v}: the create answer is the stored object`);
        }),
      );
      for (const v of PROTOBUF_VERSIONS) assert.deepEqual(stored[v], stored[JSON_VERSION], `kubectl ${v} ${c.what}`);
    });
  }

  test('auth whoami answers every version with the same user', async () => {
    const seen: Record<string, unknown> = {};
    await Promise.all(
      [JSON_VERSION, ...PROTOBUF_VERSIONS].map(async (v) => {
        seen[v] = comparable(await k(v).ok(['auth', 'whoami', '-o', 'json']), {});
        assert.match(await k(v).ok(['auth', 'whoami']), /Username\s+admin/);
      }),
    );
    for (const v of PROTOBUF_VERSIONS) assert.deepEqual(seen[v], seen[JSON_VERSION], `kubectl ${v}`);
  });

  test('malformed protobuf bodies are 400 and kinds without a protobuf encoding 415, as Status objects', async () => {
    const creds = credentials(server.kubeconfig);
    const path = `/api/v1/namespaces/${ns(JSON_VERSION)}/configmaps`;
    const noMagic = await post(server, creds, path, Buffer.from('{"kind":"ConfigMap"}'));
    assert.equal(noMagic.status, 400);
    assert.equal(noMagic.body.kind, 'Status');
    assert.match(String(noMagic.body.message), /expected prefix \[107 56 115 0\]/);
    const garbage = await post(server, creds, path, writeEnvelope('v1', 'ConfigMap', Uint8Array.of(0x0a, 0x7f, 0x01)));
    assert.equal(garbage.status, 400);
    assert.equal(garbage.body.reason, 'BadRequest');
    const unknown = await post(server, creds, path, writeEnvelope('example.dev/v1', 'Gizmo', new Uint8Array()));
    assert.equal(unknown.status, 415);
    assert.equal(unknown.body.reason, 'UnsupportedMediaType');
  });

  test('protobuf bodies go through the normal create and update paths: defaults, validation and storage', async () => {
    const creds = credentials(server.kubeconfig);
    const graph = loadSchemaGraph();
    const path = `/apis/apps/v1/namespaces/${ns(JSON_VERSION)}/deployments`;
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'raw-pb', labels: { app: 'raw-pb' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'raw-pb' } },
        template: { metadata: { labels: { app: 'raw-pb' } }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { limits: { cpu: '250m' } } }] } },
        strategy: { rollingUpdate: { maxSurge: 2 } },
      },
    };
    const created = await post(server, creds, path, encodeProtobufBody(graph, deployment, { goZeroValues: true }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const spec = created.body.spec as Record<string, unknown>;
    assert.equal(spec.replicas, 0, 'an explicit zero of a pointer field is kept');
    assert.deepEqual((spec.strategy as Record<string, unknown>).rollingUpdate, { maxSurge: 2, maxUnavailable: '25%' });
    assert.equal(spec.revisionHistoryLimit, 10, 'defaults apply');
    const updated = { ...deployment, metadata: { ...deployment.metadata, labels: { app: 'raw-pb', rev: '2' } } };
    const put = await post(server, creds, `${path}/raw-pb`, encodeProtobufBody(graph, updated), 'PUT');
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual((put.body.metadata as Record<string, unknown>).labels, { app: 'raw-pb', rev: '2' });
    const invalid = { ...deployment, metadata: { name: 'bad' }, spec: { ...deployment.spec, replicas: -1 } };
    const rejected = await post(server, creds, path, encodeProtobufBody(graph, invalid));
    assert.equal(rejected.status, 422);
    assert.equal(rejected.body.reason, 'Invalid');
  });
});
