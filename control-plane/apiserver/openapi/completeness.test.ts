/**
 * Completeness of the generated OpenAPI over the real resource table and
 * the real schema graph (proto/k8s): every served kind has its message and
 * carries its GVK, and every merge-strategy list carries its merge key, in
 * the v3 documents and in the v2 protobuf decoded back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { newBuiltinTable } from '../../api/resources/index.js';
import { loadSchemaGraph } from '../../api/schema/proto-schema.js';
import { openApiV3Document, swaggerDocument, v3GroupVersions } from './documents.js';
import { definitionName, kindDefinitionName } from './names.js';
import { decodeSwaggerProto, encodeSwaggerProto } from './v2-proto.js';

type Obj = Record<string, unknown>;
type Named<T> = { name: string; value: T };
const table = newBuiltinTable();
const graph = loadSchemaGraph();
const sources = { table, graph, version: 'v1.33.0+skiff.test' };

/** Fields whose lists merge by key, as the graph declares them: [definition, field, key]. */
const mergeLists = graph
  .messages()
  .flatMap((m) => m.fields.filter((f) => f.patchStrategy?.includes('merge') && f.patchMergeKey).map((f) => [definitionName(m.name), f.name, f.patchMergeKey!] as const));

test('every served kind has a message in the schema graph', () => {
  const missing = table.served().filter((r) => !graph.forKind(r.group, r.version, r.kind));
  assert.deepEqual(missing.map((r) => `${r.group}/${r.version}/${r.kind}`), []);
  assert.ok(mergeLists.length > 10, 'the graph declares merge keys');
});

test('v3: every served kind carries its GVK and every merge list its key', () => {
  const seen = new Set<string>();
  for (const gv of v3GroupVersions(table)) {
    const schemas = (openApiV3Document(sources, gv.group, gv.version)!.components as { schemas: Record<string, Obj> }).schemas;
    for (const r of table.served().filter((x) => x.group === gv.group && x.version === gv.version)) {
      const def = schemas[kindDefinitionName(r.group, r.version, r.kind)];
      assert.ok(def, `${r.kind} in ${gv.key}`);
      assert.deepEqual(def['x-kubernetes-group-version-kind'], [{ group: r.group, kind: r.kind, version: r.version }]);
      assert.equal(def['x-kubernetes-preserve-unknown-fields'], undefined, `${r.kind} has a real schema`);
    }
    for (const [def, field, key] of mergeLists) {
      const prop = (schemas[def]?.properties as Record<string, Obj> | undefined)?.[field];
      if (!schemas[def]) continue;
      seen.add(def);
      assert.equal(prop?.['x-kubernetes-patch-merge-key'], key, `${def}.${field} in ${gv.key}`);
      assert.match(String(prop?.['x-kubernetes-patch-strategy']), /merge/);
    }
  }
  assert.ok(seen.has('io.k8s.api.core.v1.PodSpec'));
});

test('v2 protobuf: every served kind carries its GVK and every merge list its key', () => {
  const doc = decodeSwaggerProto(encodeSwaggerProto(swaggerDocument(sources)));
  const defs = new Map(((doc.definitions as Obj).additional_properties as Named<Obj>[]).map((d) => [d.name, d.value]));
  const ext = (o: Obj | undefined, name: string): unknown => {
    const e = ((o?.vendor_extension ?? []) as Named<{ yaml: string }>[]).find((x) => x.name === name);
    return e ? parseYaml(e.value.yaml) : undefined;
  };
  for (const r of table.served()) {
    const def = defs.get(kindDefinitionName(r.group, r.version, r.kind));
    assert.deepEqual(ext(def, 'x-kubernetes-group-version-kind'), [{ group: r.group, kind: r.kind, version: r.version }], r.kind);
  }
  for (const [def, field, key] of mergeLists) {
    const d = defs.get(def);
    if (!d) continue;
    const prop = ((d.properties as Obj).additional_properties as Named<Obj>[]).find((p) => p.name === field)?.value;
    assert.equal(ext(prop, 'x-kubernetes-patch-merge-key'), key, `${def}.${field}`);
  }
  const paths = ((doc.paths as Obj).path as Named<Obj>[]).filter((p) => p.value.patch);
  for (const p of paths) {
    const params = (p.value.patch as Obj).parameters as Obj[];
    const names = params.map((x) => ((x.parameter as Obj | undefined)?.non_body_parameter as Obj | undefined)?.query_parameter_sub_schema as Obj | undefined).map((q) => q?.name);
    if (!p.name.endsWith('/proxy')) assert.ok(names.includes('fieldValidation'), p.name);
  }
});
