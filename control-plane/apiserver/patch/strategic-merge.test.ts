import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { ResolvedResource } from '../../api/resource-table.js';
import { schemaFromSources } from '../../api/schema/proto-schema.js';
import { applyStrategicMergePatch, createStrategicMergePatchApplier, parseStrategicPatch } from './strategic-applier.js';
import { PatchSchema } from './strategic-schema.js';

// A small graph with the annotation shapes the real one has: merge by key,
// primitive sets, retainKeys, listType=map without patch tags, atomic lists and maps.
const meta = `syntax = "proto2";
package k8s.io.apimachinery.pkg.apis.meta.v1;
message OwnerReference { optional string uid = 4; optional string name = 3; }
message ObjectMeta {
  optional string name = 1;
  map<string, string> labels = 11;
  map<string, string> annotations = 12;
  // +patchMergeKey=uid
  // +patchStrategy=merge
  repeated OwnerReference ownerReferences = 13;
  // +patchStrategy=merge
  // +listType=set
  repeated string finalizers = 14;
}`;

const core = `syntax = "proto2";
package k8s.io.api.core.v1;
import "meta.proto";
message Pod {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional PodSpec spec = 2;
}
message PodSpec {
  // +patchMergeKey=name
  // +patchStrategy=merge,retainKeys
  repeated Volume volumes = 1;
  // +patchMergeKey=name
  // +patchStrategy=merge
  repeated Container containers = 2;
  // +listType=atomic
  repeated Toleration tolerations = 22;
  // +mapType=atomic
  map<string, string> nodeSelector = 7;
  // +listType=map
  // +listMapKey=name
  repeated Gate gates = 30;
}
message Gate { optional string name = 1; optional string value = 2; }
message Toleration { optional string key = 1; optional string operator = 2; }
message Volume {
  optional string name = 1;
  optional EmptyDir emptyDir = 2;
  optional ConfigMapSource configMap = 3;
}
message EmptyDir { optional string medium = 1; }
message ConfigMapSource { optional string name = 1; }
message Container {
  optional string name = 1;
  optional string image = 2;
  repeated string args = 4;
  // +patchMergeKey=containerPort
  // +patchStrategy=merge
  repeated ContainerPort ports = 6;
  // +patchMergeKey=name
  // +patchStrategy=merge
  repeated EnvVar env = 7;
}
message ContainerPort { optional int32 containerPort = 3; optional string protocol = 4; }
message EnvVar { optional string name = 1; optional string value = 2; }
message Deployment {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional DeploymentSpec spec = 2;
}
message DeploymentSpec {
  // +patchStrategy=retainKeys
  optional Strategy strategy = 4;
}
message Strategy { optional string type = 1; optional RollingUpdate rollingUpdate = 2; }
message RollingUpdate { optional string maxSurge = 1; }
`;

const graph = schemaFromSources({ 'meta.proto': meta, 'core.proto': core });
const podSchema = PatchSchema.forMessage(graph, graph.forKind('', 'v1', 'Pod'));
const deploySchema = PatchSchema.forMessage(graph, graph.forKind('', 'v1', 'Deployment'));

function pod(spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'p' }): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

function smp(original: Record<string, unknown>, patch: Record<string, unknown>, schema = podSchema): Record<string, unknown> {
  return applyStrategicMergePatch(original, patch, schema);
}

function rejects(fn: () => unknown, status: number, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof ApiError && e.status === status && message.test(e.message));
}

describe('strategic merge patch on a schema graph', () => {
  test('containers merge by name: a patched container keeps its other fields and the others stay', () => {
    const out = smp(pod({ containers: [{ name: 'a', image: 'a:1', args: ['x'] }, { name: 'b', image: 'b:1' }] }), {
      spec: { containers: [{ name: 'a', image: 'a:2' }] },
    });
    assert.deepEqual(out.spec, { containers: [{ name: 'a', image: 'a:2', args: ['x'] }, { name: 'b', image: 'b:1' }] });
  });

  test('without $setElementOrder a new element goes before the live ones; $patch: delete removes by merge key', () => {
    const out = smp(pod({ containers: [{ name: 'a' }, { name: 'b' }] }), {
      spec: { containers: [{ name: 'c', image: 'c' }, { $patch: 'delete', name: 'a' }] },
    });
    assert.deepEqual(out.spec, { containers: [{ name: 'c', image: 'c' }, { name: 'b' }] });
  });

  test('nested merge lists merge by their own keys (ports by containerPort, env by name)', () => {
    const out = smp(pod({ containers: [{ name: 'a', ports: [{ containerPort: 80 }], env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] }] }), {
      spec: { containers: [{ name: 'a', ports: [{ containerPort: 443 }], env: [{ name: 'Y', value: '3' }] }] },
    });
    assert.deepEqual(out.spec, {
      containers: [{ name: 'a', ports: [{ containerPort: 443 }, { containerPort: 80 }], env: [{ name: 'X', value: '1' }, { name: 'Y', value: '3' }] }],
    });
  });

  test('atomic lists (args, tolerations) and listType=map lists without patch tags are replaced', () => {
    const out = smp(pod({ containers: [{ name: 'a', args: ['1', '2'] }], tolerations: [{ key: 'k1' }], gates: [{ name: 'g1' }] }), {
      spec: { containers: [{ name: 'a', args: ['3'] }], tolerations: [{ key: 'k2' }], gates: [{ name: 'g2' }] },
    });
    assert.deepEqual(out.spec, { containers: [{ name: 'a', args: ['3'] }], tolerations: [{ key: 'k2' }], gates: [{ name: 'g2' }] });
  });

  test('maps merge key by key with null deleting a key, mapType=atomic maps too (SMP reads only patchStrategy)', () => {
    const out = smp(pod({ nodeSelector: { a: '1', b: '2' } }, { name: 'p', labels: { a: '1', b: '2' } }), {
      metadata: { labels: { b: null, c: '3' } },
      spec: { nodeSelector: { c: '3' } },
    });
    assert.deepEqual((out.metadata as Record<string, unknown>).labels, { a: '1', c: '3' });
    assert.deepEqual((out.spec as Record<string, unknown>).nodeSelector, { a: '1', b: '2', c: '3' });
  });

  test('primitive merge lists are sets: union, and $deleteFromPrimitiveList removes values', () => {
    const out = smp(pod({}, { name: 'p', finalizers: ['a', 'b'] }), { metadata: { finalizers: ['b', 'c'] } });
    assert.deepEqual((out.metadata as Record<string, unknown>).finalizers, ['a', 'b', 'c']);
    const del = smp(pod({}, { name: 'p', finalizers: ['a', 'b', 'c'] }), { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'zz'] } });
    assert.deepEqual((del.metadata as Record<string, unknown>).finalizers, ['a', 'c']);
    const none = smp(pod({}, { name: 'p' }), { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } });
    assert.equal('finalizers' in (none.metadata as Record<string, unknown>), false);
  });

  test('$setElementOrder orders the merged list; a server-only element stays before the patch elements it preceded live', () => {
    const out = smp(pod({ containers: [{ name: 'a' }, { name: 'x' }, { name: 'b' }] }), {
      spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ name: 'b', image: 'b:2' }] },
    });
    assert.deepEqual(out.spec, { containers: [{ name: 'x' }, { name: 'b', image: 'b:2' }, { name: 'a' }] });
  });

  test('$retainKeys clears the fields not listed (a volume source switched, the strategy switched)', () => {
    const out = smp(pod({ volumes: [{ name: 'v', emptyDir: {} }] }), {
      spec: { volumes: [{ $retainKeys: ['configMap', 'name'], name: 'v', configMap: { name: 'cm' } }] },
    });
    assert.deepEqual(out.spec, { volumes: [{ name: 'v', configMap: { name: 'cm' } }] });
    const d = smp({ kind: 'Deployment', spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } } } }, {
      spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } },
    }, deploySchema);
    assert.deepEqual(d.spec, { strategy: { type: 'Recreate' } });
  });

  test('$patch: replace replaces a map or a list; $patch: delete empties a map', () => {
    const out = smp(pod({ containers: [{ name: 'a' }, { name: 'b' }] }, { name: 'p', labels: { a: '1' } }), {
      metadata: { labels: { $patch: 'replace', z: '9' } },
      spec: { containers: [{ name: 'c' }, { $patch: 'replace' }] },
    });
    assert.deepEqual((out.metadata as Record<string, unknown>).labels, { z: '9' });
    assert.deepEqual(out.spec, { containers: [{ name: 'c' }] });
    const del = smp(pod({}, { name: 'p', labels: { a: '1' } }), { metadata: { labels: { $patch: 'delete' } } });
    assert.deepEqual((del.metadata as Record<string, unknown>).labels, {});
  });

  test('no directive key is ever stored, even inside new values', () => {
    const out = smp(pod({ containers: [{ name: 'a' }] }), {
      spec: { containers: [{ name: 'n', '$setElementOrder/env': [{ name: 'E' }], env: [{ name: 'E' }] }] },
    });
    assert.doesNotMatch(JSON.stringify(out), /\$/);
  });

  test('malformed directives are 400 BadRequest with upstream messages', () => {
    const base = pod({ containers: [{ name: 'a' }] }, { name: 'p', finalizers: ['a'] });
    rejects(() => smp(base, { spec: { containers: [{ image: 'x' }] } }), 400, /^map: map\[image:x\] does not contain declared merge key: name$/);
    rejects(() => smp(base, { metadata: { $patch: 'bogus' } }), 400, /^unknown patch type: bogus in map: map\[\$patch:bogus\]$/);
    rejects(() => smp(base, { spec: { containers: [{ name: 'a', $patch: 'merge' }] } }), 400, /merging lists cannot yet be specified in the patch/);
    rejects(() => smp(base, { spec: { $retainKeys: 'x' } }), 400, /^invalid patch format of retainKeys$/);
    rejects(() => smp(base, { spec: { $retainKeys: ['volumes'], containers: [] } }), 400, /^invalid patch format of retainKeys$/);
    rejects(() => smp(base, { metadata: { $deleteFromPrimitiveList: ['a'] } }), 400, /^invalid patch format of primitive list$/);
    rejects(() => smp(base, { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'b' }] } }), 400, /doesn't match \$setElementOrder list/);
    rejects(() => smp(pod({}, { finalizers: [['y']] }), { metadata: { finalizers: [['x']] } }), 422, /^lists of lists are not supported$/);
    rejects(() => smp(base, { metadata: { finalizers: [1] } }), 400, /^list element types are not identical: \[\[a\] \[1\]\]$/);
  });

  test('kinds without a schema still merge maps, replace lists and honour directives', () => {
    const out = applyStrategicMergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: null, d: 3 }, l: [3], m: { $patch: 'delete' } }, PatchSchema.unknown());
    assert.deepEqual(out, { a: { b: 1, d: 3 }, l: [3] });
  });
});

describe('the strategic merge patch applier', () => {
  const resolved = { group: '', version: 'v1', kind: 'Pod' } as ResolvedResource;
  const apply = createStrategicMergePatchApplier(() => graph);
  const current = pod({ containers: [{ name: 'a', image: 'a:1' }, { name: 'b' }] }) as KubeObject;

  test('finds the type from the object and patches a copy', () => {
    const out = apply(current, Buffer.from('{"spec":{"containers":[{"name":"a","image":"a:2"}]}}'), { resource: resolved, subresource: '' });
    assert.deepEqual(out.spec, { containers: [{ name: 'a', image: 'a:2' }, { name: 'b' }] });
    assert.deepEqual(current.spec, { containers: [{ name: 'a', image: 'a:1' }, { name: 'b' }] });
  });

  test('a body that is not a JSON object is a 400; null is an empty patch', () => {
    rejects(() => parseStrategicPatch(Buffer.from('[1]')), 400, /^json: cannot unmarshal array into Go value of type map\[string\]interface \{\}$/);
    rejects(() => parseStrategicPatch(Buffer.from('{')), 400, /^error decoding patch: /);
    assert.deepEqual(apply(current, Buffer.from('null'), { resource: resolved, subresource: '' }), current);
  });
});
