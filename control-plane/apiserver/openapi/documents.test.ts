import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { newBuiltinTable } from '../../api/resources/index.js';
import { schemaFromSources } from '../../api/schema/proto-schema.js';
import { openApiV3Document, swaggerDocument, v3GroupVersions } from './documents.js';
import { FIXTURE_PROTOS } from './fixture-protos.js';
import { decodeSwaggerProto, encodeSwaggerProto } from './v2-proto.js';

type Obj = Record<string, unknown>;
const graph = schemaFromSources(FIXTURE_PROTOS);
const sources = { table: newBuiltinTable(), graph, version: 'v1.33.0+skiff.test' };
const at = (o: unknown, ...path: string[]): Obj => {
  let cur = o;
  for (const p of path) cur = (cur as Obj | undefined)?.[p];
  return cur as Obj;
};

test('v3 component schemas are named like upstream and carry GVKs and merge extensions', () => {
  const doc = openApiV3Document(sources, '', 'v1')!;
  const schemas = at(doc, 'components', 'schemas');
  const pod = at(schemas, 'io.k8s.api.core.v1.Pod');
  assert.deepEqual(pod['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  assert.equal(pod.description, 'Pod is a collection of containers that can run on a host.');
  assert.deepEqual(Object.keys(at(pod, 'properties')), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  assert.deepEqual(at(pod, 'properties', 'metadata'), {
    allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }],
    description: "Standard object's metadata.",
  });
  const containers = at(schemas, 'io.k8s.api.core.v1.PodSpec', 'properties', 'containers');
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(containers['x-kubernetes-list-type'], 'map');
  assert.deepEqual(containers['x-kubernetes-list-map-keys'], ['name']);
  assert.deepEqual(at(containers, 'items'), { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' });
  assert.equal(at(schemas, 'io.k8s.api.core.v1.PodSpec', 'properties', 'nodeSelector')['x-kubernetes-map-type'], 'atomic');
  assert.ok(at(schemas, 'io.k8s.api.core.v1.PodSpec', 'properties', 'hostPID'), 'JSON names come from the graph');
  assert.deepEqual(at(schemas, 'io.k8s.apimachinery.pkg.apis.meta.v1.Time'), { description: 'Time is a timestamp, RFC 3339 in JSON.', format: 'date-time', type: 'string' });
  assert.equal(at(schemas, 'io.k8s.apimachinery.pkg.util.intstr.IntOrString')['x-kubernetes-int-or-string'], true);
  assert.ok(at(schemas, 'io.k8s.apimachinery.pkg.api.resource.Quantity'));
  assert.deepEqual(at(schemas, 'io.k8s.api.core.v1.PodList')['x-kubernetes-group-version-kind'], [{ group: '', kind: 'PodList', version: 'v1' }]);
});

test('kinds missing from the graph are open objects with GVK, and their patches offer no strategic merge', () => {
  const doc = openApiV3Document(sources, '', 'v1')!;
  const cm = at(doc, 'components', 'schemas', 'io.k8s.api.core.v1.ConfigMap');
  assert.deepEqual(cm['x-kubernetes-group-version-kind'], [{ group: '', kind: 'ConfigMap', version: 'v1' }]);
  assert.equal(cm['x-kubernetes-preserve-unknown-fields'], true);
  const patch = at(doc, 'paths', '/api/v1/namespaces/{namespace}/configmaps/{name}', 'patch');
  assert.deepEqual(Object.keys(at(patch, 'requestBody', 'content')).sort(), ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json']);
});

test('v3 paths cover every verb with operationIds, actions, GVKs and fieldValidation on writes', () => {
  const doc = openApiV3Document(sources, 'apps', 'v1')!;
  const item = at(doc, 'paths', '/apis/apps/v1/namespaces/{namespace}/deployments/{name}');
  const patch = at(item, 'patch');
  assert.equal(patch.operationId, 'patchAppsV1NamespacedDeployment');
  assert.equal(patch['x-kubernetes-action'], 'patch');
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
  assert.ok((patch.parameters as Obj[]).some((p) => p.name === 'fieldValidation' && p.in === 'query'));
  assert.deepEqual(Object.keys(at(patch, 'requestBody', 'content')).sort(), [
    'application/apply-patch+yaml',
    'application/json-patch+json',
    'application/merge-patch+json',
    'application/strategic-merge-patch+json',
  ]);
  assert.equal(at(item, 'get').operationId, 'readAppsV1NamespacedDeployment');
  assert.equal(at(item, 'put').operationId, 'replaceAppsV1NamespacedDeployment');
  assert.equal(at(item, 'delete').operationId, 'deleteAppsV1NamespacedDeployment');
  const coll = at(doc, 'paths', '/apis/apps/v1/namespaces/{namespace}/deployments');
  assert.equal(at(coll, 'get').operationId, 'listAppsV1NamespacedDeployment');
  assert.equal(at(coll, 'post').operationId, 'createAppsV1NamespacedDeployment');
  assert.equal(at(coll, 'delete').operationId, 'deleteAppsV1CollectionNamespacedDeployment');
  assert.equal(at(doc, 'paths', '/apis/apps/v1/deployments', 'get').operationId, 'listAppsV1DeploymentForAllNamespaces');
  assert.equal(at(doc, 'paths', '/apis/apps/v1/watch/namespaces/{namespace}/deployments', 'get')['x-kubernetes-action'], 'watchlist');
  const scale = at(doc, 'paths', '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale', 'patch');
  assert.deepEqual(scale['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
  const strategy = at(doc, 'components', 'schemas', 'io.k8s.api.apps.v1.DeploymentSpec', 'properties', 'strategy');
  assert.equal(strategy['x-kubernetes-patch-strategy'], 'retainKeys');
  const core = openApiV3Document(sources, '', 'v1')!;
  assert.equal(at(core, 'paths', '/api/v1/namespaces/{namespace}/pods/{name}/exec', 'post').operationId, 'connectCoreV1PostNamespacedPodExec');
  assert.equal(at(core, 'paths', '/api/v1/nodes', 'get').operationId, 'listCoreV1Node');
  assert.equal(openApiV3Document(sources, 'nope', 'v1'), undefined);
});

test('every $ref in the v2 and v3 documents resolves', () => {
  const check = (doc: Obj, prefix: string, defs: Obj): void => {
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === '$ref') {
            assert.ok(typeof x === 'string' && x.startsWith(prefix), String(x));
            assert.ok(defs[(x as string).slice(prefix.length)], `dangling ${String(x)}`);
          } else walk(x);
        }
      }
    };
    walk(doc);
  };
  check(swaggerDocument(sources), '#/definitions/', at(swaggerDocument(sources), 'definitions'));
  for (const gv of v3GroupVersions(sources.table)) {
    const d = openApiV3Document(sources, gv.group, gv.version)!;
    check(d, '#/components/schemas/', at(d, 'components', 'schemas'));
  }
});

test('v2 protobuf round-trips definitions with YAML vendor extensions and patch parameters', () => {
  const decoded = decodeSwaggerProto(encodeSwaggerProto(swaggerDocument(sources)));
  assert.equal(decoded.swagger, '2.0');
  const defs = at(decoded, 'definitions').additional_properties as { name: string; value: Obj }[];
  const pod = defs.find((d) => d.name === 'io.k8s.api.core.v1.Pod')!.value;
  const gvkExt = (pod.vendor_extension as { name: string; value: { yaml: string } }[]).find((e) => e.name === 'x-kubernetes-group-version-kind')!;
  assert.deepEqual(parseYaml(gvkExt.value.yaml), [{ group: '', kind: 'Pod', version: 'v1' }]);
  const spec = defs.find((d) => d.name === 'io.k8s.api.core.v1.PodSpec')!.value;
  const containers = (at(spec, 'properties').additional_properties as { name: string; value: Obj }[]).find((p) => p.name === 'containers')!.value;
  const ext = Object.fromEntries((containers.vendor_extension as { name: string; value: { yaml: string } }[]).map((e) => [e.name, parseYaml(e.value.yaml) as unknown]));
  assert.equal(ext['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(ext['x-kubernetes-patch-strategy'], 'merge');
  const paths = at(decoded, 'paths').path as { name: string; value: Obj }[];
  const podPath = paths.find((p) => p.name === '/api/v1/namespaces/{namespace}/pods/{name}')!.value;
  const params = at(podPath, 'patch').parameters as Obj[];
  assert.ok(params.some((p) => at(p, 'parameter', 'non_body_parameter', 'query_parameter_sub_schema')?.name === 'fieldValidation'));
  assert.ok((at(podPath, 'patch').consumes as string[]).includes('application/strategic-merge-patch+json'));
});
