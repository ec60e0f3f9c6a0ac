/**
 * OpenAPI and field validation with the real kubectl (1.27 and 1.28 read
 * /openapi/v2 as protobuf, 1.30 and 1.33 read /openapi/v3) against a real
 * `skiff server`: explain renders kinds and nested fields from our
 * generated schemas, and writes without --validate=false are validated by
 * the server (kubectl sends fieldValidation=Strict once OpenAPI advertises
 * it): unknown fields are rejected with upstream's message, valid
 * manifests are accepted, Warn answers Warning headers.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { Kubectl } from '../helpers/kubectl.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

interface Creds {
  ca: string;
  cert: string;
  key: string;
}

function credsOf(kubeconfig: string): Creds {
  const kc = parseYaml(readFileSync(kubeconfig, 'utf8')) as {
    clusters: { cluster: Record<string, string> }[];
    users: { user: Record<string, string> }[];
  };
  const b64 = (v: string | undefined): string => Buffer.from(v ?? '', 'base64').toString('utf8');
  const c = kc.clusters[0]!.cluster;
  const u = kc.users[0]!.user;
  return { ca: b64(c['certificate-authority-data']), cert: b64(u['client-certificate-data']), key: b64(u['client-key-data']) };
}

function get(port: number, creds: Creds, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, path, headers, ca: creds.ca, cert: creds.cert, key: creds.key, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    r.on('error', reject);
    r.end();
  });
}

const podManifest = (name: string, extra = ''): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: c\n    image: nginx\n${extra}`;

describe('OpenAPI, explain and field validation with real kubectl', () => {
  let server: SkiffHandle;
  let home: TempDir;
  let creds: Creds;

  before(async () => {
    home = tempDir('skiff-openapi-home-');
    server = await startSkiff();
    creds = credsOf(server.kubeconfig);
  });

  after(async () => {
    await server?.stop();
    home?.remove();
  });

  test('the v3 root lists group-versions whose hashed URLs are served immutable', async () => {
    const root = await get(server.port, creds, '/openapi/v3');
    assert.equal(root.status, 200);
    const paths = (JSON.parse(root.body.toString()) as { paths: Record<string, { serverRelativeURL: string }> }).paths;
    assert.match(paths['api/v1']!.serverRelativeURL, /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
    assert.ok(paths['apis/apps/v1']);
    const doc = await get(server.port, creds, paths['apis/apps/v1']!.serverRelativeURL, { accept: 'application/json' });
    assert.equal(doc.status, 200);
    assert.equal(doc.headers['cache-control'], 'public, immutable');
    const stale = await get(server.port, creds, '/openapi/v3/apis/apps/v1?hash=0000', { accept: 'application/json' });
    assert.equal(stale.status, 301);
    assert.equal(stale.headers.location, paths['apis/apps/v1']!.serverRelativeURL);
    const v2 = await get(server.port, creds, '/openapi/v2', { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' });
    assert.equal(v2.status, 200);
    assert.equal(v2.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    const etag = v2.headers.etag as string;
    const again = await get(server.port, creds, '/openapi/v2', { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf', 'if-none-match': etag });
    assert.equal(again.status, 304);
  });

  for (const version of ['1.27', '1.28', '1.30', '1.33']) {
    const k = (): Kubectl => new Kubectl(version, server.kubeconfig, home.path);
    const ns = `oa-${version.replace('.', '-')}`;

    test(`kubectl ${version}: explain renders kinds and nested fields`, async () => {
      const containers = await k().ok(['explain', 'pod.spec.containers']);
      assert.match(containers, /KIND:\s+Pod/);
      assert.match(containers, /VERSION:\s+v1/);
      assert.match(containers, /FIELD:\s+containers/);
      assert.match(containers, /DESCRIPTION:/);
      assert.match(containers, /FIELDS:/);
      assert.match(containers, /\bimage\b/);
      assert.match(containers, /\bvolumeMounts\b/);
      const strategy = await k().ok(['explain', 'deployment.spec.strategy']);
      assert.match(strategy, /GROUP:\s+apps|KIND:\s+Deployment/);
      assert.match(strategy, /rollingUpdate/);
      const svc = await k().ok(['explain', 'svc']);
      assert.match(svc, /KIND:\s+Service/);
      assert.match(svc, /\bspec\b/);
      const recursive = await k().ok(['explain', 'pods', '--recursive']);
      assert.match(recursive, /containers\s+<\[\]Container>/);
      assert.match(recursive, /\n\s+containerPort\s+<integer>/);
    });

    test(`kubectl ${version}: create validates on the server without --validate=false`, async () => {
      await k().ok(['create', 'namespace', ns]);
      const bad = await k().run(['create', '-n', ns, '-f', '-'], podManifest('bad', '    foo: bar\n'));
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /Error from server \(BadRequest\): error when creating "STDIN": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers\[0\].foo"/);
      const good = await k().ok(['create', '-n', ns, '-f', '-'], podManifest('good'));
      assert.match(good, /pod\/good created/);
      const warn = await k().run(['create', '--validate=warn', '-n', ns, '-f', '-'], podManifest('warned', '  bogus: 1\n'));
      assert.equal(warn.code, 0, warn.stderr);
      assert.match(warn.stderr, /Warning: unknown field "spec.bogus"/);
      const stored = await k().ok(['get', '-n', ns, 'pod', 'warned', '-o', 'json']);
      assert.equal((JSON.parse(stored) as { spec: Record<string, unknown> }).spec.bogus, undefined, 'unknown fields are dropped');
    });
  }
});
