import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseComment, schemaFromSources } from './proto-schema.js';
import { protoPackageOf } from './schema-types.js';

const meta = `syntax = "proto2";
package k8s.io.apimachinery.pkg.apis.meta.v1;
// Time is a timestamp, RFC 3339 in JSON.
message Time { optional int64 seconds = 1; optional int32 nanos = 2; }
message ObjectMeta {
  optional string name = 1;
  optional Time creationTimestamp = 8;
  map<string, string> labels = 11;
}`;

const core = `syntax = "proto2";
package k8s.io.api.core.v1;
import "meta.proto";
// A pod: containers that run together.
message Pod {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional PodSpec spec = 2;
}
message PodSpec {
  // The pod's containers.
  // +patchMergeKey=name
  // +patchStrategy=merge
  // +listType=map
  // +listMapKey=name
  repeated Container containers = 2;
  // +optional
  // +json=hostPID
  optional bool hostPid = 12;
}
message Container {
  optional string name = 1;
  // +listType=atomic
  repeated string args = 4;
}`;

test('fields carry JSON names, numbers, types, descriptions and merge annotations', () => {
  const g = schemaFromSources({ 'meta.proto': meta, 'core.proto': core });
  const pod = g.forKind('', 'v1', 'Pod');
  assert.equal(pod?.description, 'A pod: containers that run together.');
  assert.deepEqual(pod?.field('metadata')?.type, { kind: 'message', name: 'k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta' });
  const spec = g.message('k8s.io.api.core.v1.PodSpec');
  const containers = spec?.field('containers');
  assert.equal(containers?.number, 2);
  assert.equal(containers?.description, "The pod's containers.");
  assert.deepEqual(containers?.type, { kind: 'array', items: { kind: 'message', name: 'k8s.io.api.core.v1.Container' } });
  assert.equal(containers?.patchMergeKey, 'name');
  assert.deepEqual(containers?.patchStrategy, ['merge']);
  assert.equal(containers?.listType, 'map');
  assert.deepEqual(containers?.listMapKeys, ['name']);
  assert.equal(spec?.field('hostPID')?.optional, true);
  assert.equal(spec?.fieldByNumber(12)?.name, 'hostPID');
  const om = g.message('k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  assert.deepEqual(om?.field('creationTimestamp')?.type, { kind: 'special', special: 'time' });
  assert.deepEqual(om?.field('labels')?.type, { kind: 'map', values: { kind: 'scalar', scalar: 'string' } });
});

test('comments split into description and repeated tags', () => {
  const a = parseComment('Line one.\nLine two.\n+listMapKey=port\n+listMapKey=protocol\n+optional');
  assert.equal(a.description, 'Line one.\nLine two.');
  assert.deepEqual(a.tags.get('listMapKey'), ['port', 'protocol']);
  assert.deepEqual(a.tags.get('optional'), ['']);
});

test('group-versions map to upstream protobuf packages', () => {
  assert.equal(protoPackageOf('', 'v1'), 'k8s.io.api.core.v1');
  assert.equal(protoPackageOf('apps', 'v1'), 'k8s.io.api.apps.v1');
  assert.equal(protoPackageOf('events.k8s.io', 'v1'), 'k8s.io.api.events.v1');
  assert.equal(protoPackageOf('meta.k8s.io', 'v1'), 'k8s.io.apimachinery.pkg.apis.meta.v1');
});
