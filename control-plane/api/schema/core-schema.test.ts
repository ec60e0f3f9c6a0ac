/**
 * The core/v1 and apimachinery type definitions in proto/k8s: they load
 * into one resolved graph, carry upstream's field numbers and merge/list
 * annotations, describe every field, and cover every message reachable
 * from the served core kinds (JSON-embedded fields included).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSchemaGraph } from './proto-schema.js';
import type { FieldDef, MessageDef, SchemaGraph, TypeRef } from './schema-types.js';
import { builtinResources } from '../resources/index.js';

const CORE = 'k8s.io.api.core.v1';
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const OURS = [CORE, META, 'k8s.io.apimachinery.pkg.runtime', 'k8s.io.apimachinery.pkg.util.intstr', 'k8s.io.apimachinery.pkg.api.resource'];

const graph = loadSchemaGraph();

function msg(name: string): MessageDef {
  const m = graph.message(name);
  assert.ok(m, `message ${name} is defined`);
  return m;
}

function fieldOf(message: string, json: string): FieldDef {
  const f = msg(message).field(json);
  assert.ok(f, `${message}.${json} is defined`);
  return f;
}

function messageOf(t: TypeRef): string | undefined {
  if (t.kind === 'message') return t.name;
  if (t.kind === 'array') return messageOf(t.items);
  if (t.kind === 'map') return messageOf(t.values);
  return undefined;
}

/** Every message reachable from `root` through JSON fields and protobuf fields alike. */
function reachable(g: SchemaGraph, root: string): { seen: Set<string>; missing: string[] } {
  const seen = new Set<string>();
  const missing: string[] = [];
  const todo = [root];
  while (todo.length) {
    const name = todo.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const m = g.message(name);
    if (!m) {
      missing.push(name);
      continue;
    }
    const protoFields: FieldDef[] = [];
    for (let n = 1; n <= 64; n++) {
      const f = m.fieldByNumber(n);
      if (f) protoFields.push(f);
    }
    for (const f of [...m.fields, ...protoFields]) {
      const next = messageOf(f.type);
      if (next && !seen.has(next)) todo.push(next);
    }
  }
  return { seen, missing };
}

const servedCore = builtinResources().filter((e) => e.group === '' && e.version === 'v1');

describe('core/v1 and apimachinery schema', () => {
  test('the whole graph loads and every message-typed field names a defined message', () => {
    const unresolved: string[] = [];
    for (const m of graph.messages()) {
      for (const f of m.fields) {
        const target = messageOf(f.type);
        if (target && !graph.message(target)) unresolved.push(`${m.name}.${f.name} -> ${target}`);
      }
    }
    assert.deepEqual(unresolved, []);
  });

  test('ObjectMeta keeps upstream field numbers and merge semantics', () => {
    const om = `${META}.ObjectMeta`;
    const numbers: Record<string, number> = {
      name: 1, generateName: 2, namespace: 3, uid: 5, resourceVersion: 6, generation: 7, creationTimestamp: 8,
      deletionTimestamp: 9, labels: 11, annotations: 12, ownerReferences: 13, finalizers: 14, managedFields: 17,
    };
    for (const [json, n] of Object.entries(numbers)) assert.equal(fieldOf(om, json).number, n, `ObjectMeta.${json}`);
    const owners = fieldOf(om, 'ownerReferences');
    assert.equal(owners.patchMergeKey, 'uid');
    assert.deepEqual(owners.patchStrategy, ['merge']);
    assert.equal(owners.listType, 'map');
    assert.deepEqual(owners.listMapKeys, ['uid']);
    const finalizers = fieldOf(om, 'finalizers');
    assert.deepEqual(finalizers.patchStrategy, ['merge']);
    assert.equal(finalizers.listType, 'set');
    assert.deepEqual(fieldOf(om, 'creationTimestamp').type, { kind: 'special', special: 'time' });
    assert.deepEqual(fieldOf(om, 'labels').type, { kind: 'map', values: { kind: 'scalar', scalar: 'string' } });
    assert.deepEqual(fieldOf(`${META}.ManagedFieldsEntry`, 'fieldsV1').type, { kind: 'special', special: 'fieldsV1' });
    assert.equal(msg(`${META}.OwnerReference`).structType, 'atomic');
    assert.equal(msg(`${META}.LabelSelector`).structType, 'atomic');
  });

  test('special messages keep their upstream protobuf shape', () => {
    const shape = (name: string): string[] => msg(name).fields.map((f) => `${f.name}=${f.number}`);
    assert.deepEqual(shape(`${META}.Time`), ['seconds=1', 'nanos=2']);
    assert.deepEqual(shape(`${META}.MicroTime`), ['seconds=1', 'nanos=2']);
    assert.deepEqual(shape(`${META}.Duration`), ['duration=1']);
    assert.deepEqual(shape(`${META}.FieldsV1`), ['Raw=1']);
    assert.deepEqual(shape('k8s.io.apimachinery.pkg.util.intstr.IntOrString'), ['type=1', 'intVal=2', 'strVal=3']);
    assert.deepEqual(shape('k8s.io.apimachinery.pkg.api.resource.Quantity'), ['string=1']);
    assert.deepEqual(shape('k8s.io.apimachinery.pkg.runtime.RawExtension'), ['raw=1']);
    assert.equal(msg(`${META}.Time`).special, 'time');
    assert.deepEqual(fieldOf(`${CORE}.HTTPGetAction`, 'port').type, { kind: 'special', special: 'intOrString' });
  });

  test('pod spec lists carry upstream numbers, merge keys and list map keys', () => {
    const spec = `${CORE}.PodSpec`;
    const containers = fieldOf(spec, 'containers');
    assert.equal(containers.number, 2);
    assert.equal(containers.patchMergeKey, 'name');
    assert.deepEqual(containers.patchStrategy, ['merge']);
    assert.equal(fieldOf(spec, 'initContainers').number, 20);
    assert.equal(fieldOf(spec, 'ephemeralContainers').number, 34);
    const volumes = fieldOf(spec, 'volumes');
    assert.equal(volumes.number, 1);
    assert.equal(volumes.patchMergeKey, 'name');
    assert.deepEqual(volumes.patchStrategy, ['merge', 'retainKeys']);
    assert.deepEqual(fieldOf(spec, 'topologySpreadConstraints').listMapKeys, ['topologyKey', 'whenUnsatisfiable']);
    assert.equal(fieldOf(spec, 'tolerations').listType, 'atomic');
    assert.equal(fieldOf(spec, 'nodeSelector').mapType, 'atomic');
    assert.equal(fieldOf(spec, 'hostPID').number, 12);
    assert.equal(fieldOf(spec, 'hostIPC').number, 13);

    const c = `${CORE}.Container`;
    const ports = fieldOf(c, 'ports');
    assert.equal(ports.number, 6);
    assert.equal(ports.patchMergeKey, 'containerPort');
    assert.equal(ports.listType, 'map');
    assert.deepEqual(ports.listMapKeys, ['containerPort', 'protocol']);
    const env = fieldOf(c, 'env');
    assert.equal(env.number, 7);
    assert.equal(env.patchMergeKey, 'name');
    assert.deepEqual(env.patchStrategy, ['merge']);
    const mounts = fieldOf(c, 'volumeMounts');
    assert.equal(mounts.number, 9);
    assert.equal(mounts.patchMergeKey, 'mountPath');
    assert.deepEqual(mounts.listMapKeys, ['mountPath']);
    assert.equal(fieldOf(c, 'volumeDevices').patchMergeKey, 'devicePath');
    assert.equal(fieldOf(c, 'args').listType, 'atomic');
    assert.equal(fieldOf(c, 'name').optional, false);
    assert.equal(fieldOf(c, 'image').optional, true);

    const status = `${CORE}.PodStatus`;
    assert.equal(fieldOf(status, 'conditions').patchMergeKey, 'type');
    assert.deepEqual(fieldOf(status, 'conditions').listMapKeys, ['type']);
    assert.equal(fieldOf(status, 'podIPs').patchMergeKey, 'ip');
    assert.equal(fieldOf(status, 'podIP').number, 6);
  });

  test('service, node and namespace lists carry upstream merge semantics', () => {
    const ports = fieldOf(`${CORE}.ServiceSpec`, 'ports');
    assert.equal(ports.number, 1);
    assert.equal(ports.patchMergeKey, 'port');
    assert.deepEqual(ports.listMapKeys, ['port', 'protocol']);
    assert.deepEqual(fieldOf(`${CORE}.ServicePort`, 'targetPort').type, { kind: 'special', special: 'intOrString' });
    assert.equal(fieldOf(`${CORE}.ServiceStatus`, 'conditions').patchMergeKey, 'type');
    const addresses = fieldOf(`${CORE}.NodeStatus`, 'addresses');
    assert.equal(addresses.patchMergeKey, 'type');
    assert.deepEqual(addresses.listMapKeys, ['type']);
    assert.equal(fieldOf(`${CORE}.NodeStatus`, 'conditions').patchMergeKey, 'type');
    assert.equal(fieldOf(`${CORE}.NodeSpec`, 'podCIDRs').listType, 'set');
    assert.equal(fieldOf(`${CORE}.NamespaceStatus`, 'conditions').patchMergeKey, 'type');
    assert.equal(fieldOf(`${CORE}.ServiceAccount`, 'secrets').patchMergeKey, 'name');
    assert.deepEqual(fieldOf(`${CORE}.ResourceRequirements`, 'limits').type, {
      kind: 'map',
      values: { kind: 'special', special: 'quantity' },
    });
    assert.deepEqual(fieldOf(`${CORE}.Secret`, 'data').type, { kind: 'map', values: { kind: 'scalar', scalar: 'bytes' } });
  });

  test('Go-inlined structs appear as JSON fields while protobuf keeps the embedding field', () => {
    const volume = msg(`${CORE}.Volume`);
    assert.ok(volume.field('configMap'), 'Volume.configMap comes from VolumeSource');
    assert.equal(volume.field('volumeSource'), undefined);
    assert.equal(volume.fieldByNumber(2)?.inline, true);
    assert.equal(volume.fieldByNumber(2)?.name, 'volumeSource');
    assert.ok(msg(`${CORE}.Probe`).field('httpGet'));
    assert.ok(msg(`${CORE}.ConfigMapKeySelector`).field('name'));
    assert.ok(msg(`${CORE}.SecretEnvSource`).field('name'));
    assert.ok(msg(`${CORE}.EphemeralContainer`).field('image'));
    assert.ok(msg(`${CORE}.EphemeralContainer`).field('targetContainerName'));
    assert.ok(msg(`${CORE}.PersistentVolumeSpec`).field('csi'));
  });

  test('Go pointer scalars are marked so their zero values survive protobuf decoding', () => {
    const comment = (type: string, field: string): string => graph.protoType(type).fields[field]?.comment ?? '';
    assert.match(comment(`${CORE}.PodSpec`, 'automountServiceAccountToken'), /\+pointer/);
    assert.match(comment(`${CORE}.ReplicationControllerSpec`, 'replicas'), /\+pointer/);
    assert.match(comment(`${CORE}.SecurityContext`, 'runAsUser'), /\+pointer/);
    assert.doesNotMatch(comment(`${CORE}.PodSpec`, 'hostNetwork'), /\+pointer/);
    assert.doesNotMatch(comment(`${CORE}.ReplicationControllerStatus`, 'replicas'), /\+pointer/);
  });

  test('top-level kinds carry apiVersion and kind in JSON but not in protobuf', () => {
    for (const kind of ['Pod', 'PodList', 'Service', 'ConfigMap', 'Binding', 'List']) {
      const m = msg(`${CORE}.${kind}`);
      assert.ok(m.field('apiVersion') && m.field('kind'), `${kind} has apiVersion and kind`);
      assert.equal(m.fieldByNumber(1)?.name, 'metadata');
    }
    for (const kind of ['Status', 'DeleteOptions', 'APIResourceList']) {
      assert.ok(msg(`${META}.${kind}`).field('kind'), `${kind} has kind`);
    }
    assert.equal(msg(`${CORE}.PodSpec`).field('kind'), undefined);
  });

  test('every message and field of these packages has a description', () => {
    const undescribed: string[] = [];
    for (const m of graph.messages()) {
      if (!OURS.includes(m.package)) continue;
      if (!m.description.trim()) undescribed.push(m.name);
      for (const f of m.fields) if (!f.description.trim()) undescribed.push(`${m.name}.${f.name}`);
    }
    assert.deepEqual(undescribed, []);
  });

  test('every message reachable from each served core kind and its list is defined', () => {
    assert.ok(servedCore.length >= 10, 'core kinds are served');
    const extra = ['Binding', 'PodTemplate', 'PodTemplateSpec', 'ReplicationController', 'PersistentVolumeClaim', 'PersistentVolume', 'ComponentStatus'];
    for (const kind of [...servedCore.map((e) => e.kind), ...extra]) {
      for (const k of [kind, `${kind}List`]) {
        if (k === 'PodTemplateSpecList' || k === 'BindingList') continue;
        const root = graph.forKind('', 'v1', k);
        assert.ok(root, `core/v1 ${k} is defined`);
        const { seen, missing } = reachable(graph, root.name);
        assert.deepEqual(missing, [], `messages reachable from ${k}`);
        assert.ok(seen.size > 1);
      }
    }
  });
});
