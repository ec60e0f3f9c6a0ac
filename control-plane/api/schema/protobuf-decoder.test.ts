import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { isApiError } from '../errors.js';
import { schemaFromSources } from './proto-schema.js';
import { decodeProtobufBody } from './protobuf-decoder.js';
import { encodeProtobufBody, jsonToMessageBytes, parseGoDuration } from './protobuf-encoder.js';
import { PROTOBUF_MAGIC, readEnvelope, writeEnvelope } from './protobuf-envelope.js';
import { formatGoDuration, formatProtoTime } from './protobuf-normalise.js';

// A small stand-in schema with the special types under their real names.
const sources = {
  'meta.proto': `syntax = "proto2";
package k8s.io.apimachinery.pkg.apis.meta.v1;
message Time { optional int64 seconds = 1; optional int32 nanos = 2; }
message MicroTime { optional int64 seconds = 1; optional int32 nanos = 2; }
message Duration { optional int64 duration = 1; }
message FieldsV1 { optional bytes Raw = 1; }
message TypeMeta { optional string kind = 1; optional string apiVersion = 2; }
message ObjectMeta {
  // +optional
  optional string name = 1;
  // +optional
  optional string namespace = 3;
  // +optional
  optional int64 generation = 7;
  // +optional
  optional Time creationTimestamp = 8;
  // +optional
  map<string, string> labels = 11;
}
message DeleteOptions {
  // +optional
  // +pointer
  optional int64 gracePeriodSeconds = 1;
  // +optional
  optional string propagationPolicy = 4;
}`,
  'misc.proto': `syntax = "proto2";
package k8s.io.apimachinery.pkg.api.resource;
message Quantity { optional string string = 1; }`,
  'intstr.proto': `syntax = "proto2";
package k8s.io.apimachinery.pkg.util.intstr;
message IntOrString { optional int64 type = 1; optional int32 intVal = 2; optional string strVal = 3; }`,
  'runtime.proto': `syntax = "proto2";
package k8s.io.apimachinery.pkg.runtime;
message RawExtension { optional bytes raw = 1; }`,
  'test.proto': `syntax = "proto2";
package k8s.io.api.test.v1;
message Widget {
  // +optional
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  // +optional
  optional WidgetSpec spec = 2;
  // +optional
  optional WidgetStatus status = 3;
}
message WidgetSpec {
  // A required field: its zero value is kept.
  optional int32 value = 1;
  // +optional
  optional string note = 2;
  // +optional
  optional bool enabled = 3;
  // +optional
  // +pointer
  optional int32 replicas = 4;
  // +optional
  // +pointer
  optional bool suspend = 5;
  // +optional
  optional .k8s.io.apimachinery.pkg.util.intstr.IntOrString maxSurge = 6;
  // +optional
  map<string, .k8s.io.apimachinery.pkg.api.resource.Quantity> limits = 7;
  // +optional
  map<string, bytes> data = 8;
  // +optional
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Duration timeout = 9;
  // +optional
  optional .k8s.io.apimachinery.pkg.runtime.RawExtension payload = 10;
  // +optional
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1 fields = 11;
  // +optional
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime renewTime = 12;
  // +optional
  optional int64 big = 13;
  // +optional
  repeated string tags = 14;
  // +optional
  optional Inner inner = 15;
  // +optional
  // +json=apiVersion
  optional string aPIVersion = 16;
  // +optional
  map<string, ExtraValue> extra = 17;
  // +optional
  optional bytes blob = 18;
  // +optional
  optional Keyed keyed = 19;
  // +optional
  optional Options options = 20;
}
message Keyed {
  // +inline
  optional Ref ref = 1;
  optional string key = 2;
}
message Ref {
  // +optional
  optional string name = 1;
}
// +inline=k8s.io.apimachinery.pkg.apis.meta.v1.TypeMeta
message Options {
  // +optional
  optional string mode = 1;
}
message Inner {
  // +optional
  optional string a = 1;
}
message ExtraValue { repeated string items = 1; }
message WidgetStatus {
  // +optional
  optional int32 ready = 1;
}`,
};

const graph = schemaFromSources(sources);

function decode(obj: Record<string, unknown>, goZeroValues = false): Record<string, unknown> {
  return decodeProtobufBody(graph, encodeProtobufBody(graph, obj, { goZeroValues }));
}

function widget(spec: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Widget', apiVersion: 'test/v1', metadata: { name: 'w' }, spec };
}

/** Encodes a Widget from protobufjs-level fields, bypassing the JSON encoder. */
function rawWidget(spec: Record<string, unknown>): Uint8Array {
  const t = graph.protoType('k8s.io.api.test.v1.Widget');
  return writeEnvelope('test/v1', 'Widget', t.encode(t.fromObject({ spec })).finish());
}

function expectStatus(fn: () => unknown, code: number, text: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isApiError(e), `expected an ApiError, got ${String(e)}`);
    assert.equal(e.status, code);
    assert.match(e.message, text);
    return true;
  });
}

describe('protobuf body decoding', () => {
  test('apiVersion and kind come from the envelope', () => {
    const out = decodeProtobufBody(graph, rawWidget({ value: 3 }));
    assert.equal(out.apiVersion, 'test/v1');
    assert.equal(out.kind, 'Widget');
    assert.deepEqual(out.spec, { value: 3 });
  });

  test('Time is RFC 3339 to the second and an empty Time is null, as Go prints the zero time', () => {
    const out = decodeProtobufBody(graph, (() => {
      const t = graph.protoType('k8s.io.api.test.v1.Widget');
      return writeEnvelope('test/v1', 'Widget', t.encode(t.fromObject({ metadata: { creationTimestamp: { seconds: 1795845600, nanos: 999 } } })).finish());
    })());
    assert.deepEqual(out.metadata, { creationTimestamp: '2026-11-28T06:00:00Z' });
    assert.deepEqual(decode({ ...widget({}), metadata: { name: 'w', creationTimestamp: null } }).metadata, { name: 'w', creationTimestamp: null });
  });

  test('MicroTime keeps six decimals', () => {
    assert.deepEqual(decode(widget({ renewTime: '2026-11-28T06:00:00.123456Z' })).spec, { renewTime: '2026-11-28T06:00:00.123456Z' });
    assert.equal(formatProtoTime(0, 5000, 6), '1970-01-01T00:00:00.000005Z');
  });

  test('Duration prints as a Go duration string', () => {
    const cases: Array<[bigint, string]> = [
      [0n, '0s'], [1n, '1ns'], [1_500n, '1.5µs'], [300_000_000n, '300ms'], [1_500_000_000n, '1.5s'],
      [90_000_000_000n, '1m30s'], [3_600_000_000_000n, '1h0m0s'], [-5_000_000_000n, '-5s'], [100n * 3_600_000_000_000n + 1n, '100h0m0.000000001s'],
    ];
    for (const [n, s] of cases) {
      assert.equal(formatGoDuration(n), s);
      assert.equal(parseGoDuration(s), n);
    }
    assert.deepEqual((decode(widget({ timeout: '1h30m' })).spec as Record<string, unknown>).timeout, '1h30m0s');
  });

  test('IntOrString decodes to a number or a string', () => {
    assert.deepEqual(decode(widget({ maxSurge: 2 })).spec, { maxSurge: 2 });
    assert.deepEqual(decode(widget({ maxSurge: '25%' })).spec, { maxSurge: '25%' });
    assert.deepEqual(decode(widget({ maxSurge: 0 })).spec, { maxSurge: 0 });
  });

  test('Quantity map values are strings and a zero Quantity prints as "0"', () => {
    assert.deepEqual(decode(widget({ limits: { cpu: '500m', memory: '1Gi' } })).spec, { limits: { cpu: '500m', memory: '1Gi' } });
    assert.deepEqual(decodeProtobufBody(graph, rawWidget({ limits: { pods: {} } })).spec, { limits: { pods: '0' } });
  });

  test('bytes become base64, in maps and in plain fields, empty values kept in maps', () => {
    const data = { password: Buffer.from('s3cr3t').toString('base64'), empty: '' };
    assert.deepEqual(decode(widget({ data, blob: 'AAEC' })).spec, { data, blob: 'AAEC' });
  });

  test('RawExtension and FieldsV1 become embedded JSON; an empty RawExtension is null', () => {
    const payload = { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } };
    const fields = { 'f:metadata': { 'f:labels': { '.': {} } } };
    assert.deepEqual(decode(widget({ payload, fields })).spec, { payload, fields });
    assert.deepEqual(decode(widget({ payload: null })).spec, { payload: null });
  });

  test('a RawExtension holding a protobuf envelope is decoded recursively', () => {
    const inner = encodeProtobufBody(graph, widget({ value: 7 }));
    const out = decodeProtobufBody(graph, rawWidget({ payload: { raw: inner } }));
    assert.deepEqual((out.spec as Record<string, unknown>).payload, { kind: 'Widget', apiVersion: 'test/v1', metadata: { name: 'w' }, spec: { value: 7 } });
  });

  test('int64 becomes a number', () => {
    assert.deepEqual(decode(widget({ big: 1234567890123 })).spec, { big: 1234567890123 });
  });

  test('zero values Go writes for omitempty fields are dropped; required and pointer zeros are kept', () => {
    // What Go sends for an object with only name and value=0 and explicit pointer zeros.
    const out = decodeProtobufBody(graph, rawWidget({ value: 0, note: '', enabled: false, replicas: 0, suspend: false, big: 0, aPIVersion: '' }));
    assert.deepEqual(out.spec, { value: 0, replicas: 0, suspend: false });
    const goStyle = decode({ ...widget({ value: 1, inner: {} }), status: {} }, true);
    assert.deepEqual(goStyle, { kind: 'Widget', apiVersion: 'test/v1', metadata: { name: 'w' }, spec: { value: 1, inner: {} }, status: {} });
  });

  test('messages on the wire are kept even when empty, absent ones are left out', () => {
    assert.deepEqual(decodeProtobufBody(graph, rawWidget({ inner: {} })).spec, { inner: {} });
    assert.deepEqual(decodeProtobufBody(graph, rawWidget({})).spec, {});
    assert.equal('status' in decodeProtobufBody(graph, rawWidget({})), false);
  });

  test('JSON names follow +json, and ExtraValue is the bare array', () => {
    const spec = { apiVersion: 'g/v1', extra: { scopes: ['a', 'b'], none: [] } };
    assert.deepEqual(decode(widget(spec)).spec, spec);
  });

  test('+inline fields share the parent JSON object; JSON-only TypeMeta keys are not on the wire', () => {
    const spec = decode(widget({ keyed: { name: 'n', key: 'k' }, options: { kind: 'Options', apiVersion: 'test/v1', mode: 'x' } })).spec;
    assert.deepEqual(spec, { keyed: { name: 'n', key: 'k' }, options: { mode: 'x' } });
    assert.deepEqual(decodeProtobufBody(graph, rawWidget({ keyed: { ref: { name: 'r' }, key: '' } })).spec, { keyed: { name: 'r', key: '' } });
  });

  test('options kinds sent under any group-version decode as meta.k8s.io/v1 messages', () => {
    const body = encodeProtobufBody(graph, { apiVersion: 'test/v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, propagationPolicy: 'Background' });
    assert.deepEqual(decodeProtobufBody(graph, body), { kind: 'DeleteOptions', apiVersion: 'test/v1', gracePeriodSeconds: 0, propagationPolicy: 'Background' });
  });

  test('a body without the k8s magic is a 400 naming the expected prefix', () => {
    expectStatus(() => decodeProtobufBody(graph, Buffer.from('{"kind":"Widget"}')), 400, /expected prefix \[107 56 115 0\]/);
  });

  test('a kind with no protobuf message (a custom resource) or no kind at all is a 415', () => {
    expectStatus(() => decodeProtobufBody(graph, writeEnvelope('test/v1', 'Gadget', new Uint8Array())), 415, /no protobuf encoding is known for kind "Gadget" in version "test\/v1"/);
    expectStatus(() => decodeProtobufBody(graph, Buffer.from(PROTOBUF_MAGIC)), 415, /names no kind/);
  });

  test('malformed message bytes are a 400, not a crash', () => {
    expectStatus(() => decodeProtobufBody(graph, writeEnvelope('test/v1', 'Widget', Uint8Array.of(0x12, 0x40, 0x01))), 400, /unable to decode Widget/);
    const truncated = encodeProtobufBody(graph, widget({ note: 'hello' })).subarray(0, 12);
    expectStatus(() => decodeProtobufBody(graph, truncated), 400, /malformed protobuf envelope/);
  });

  test('a compressed inner encoding is a 415', () => {
    const w = protobuf.Writer.create();
    w.uint32(10).fork().uint32(10).string('test/v1').uint32(18).string('Widget').ldelim();
    w.uint32(26).string('gzip');
    const body = Buffer.concat([PROTOBUF_MAGIC, w.finish()]);
    assert.equal(readEnvelope(body).contentEncoding, 'gzip');
    expectStatus(() => decodeProtobufBody(graph, body), 415, /gzip/);
  });

  test('the encoder rejects unknown JSON fields with their path', () => {
    assert.throws(() => jsonToMessageBytes(graph, 'k8s.io.api.test.v1.WidgetSpec', { nope: 1 }), /WidgetSpec\.nope/);
  });
});
