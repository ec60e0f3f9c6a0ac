/**
 * The strategic merge patch golden suite: every test/fixtures/smp/*.json
 * ({description, kind: {group, version, kind}, original, patch, expected |
 * expectedError: {status, message}}) is applied with the merge metadata of
 * the real schema graph loaded from proto/k8s, one test per file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiError } from '../../api/errors.js';
import { loadSchemaGraph } from '../../api/schema/proto-schema.js';
import { applyStrategicMergePatch } from './strategic-applier.js';
import { PatchSchema } from './strategic-schema.js';

interface GoldenCase {
  description: string;
  kind: { group: string; version: string; kind: string };
  original: Record<string, unknown>;
  patch: Record<string, unknown>;
  expected?: Record<string, unknown>;
  expectedError?: { status: number; message: string };
}

/** The repository root, found from this module (source tree or any build output dir). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!(existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'test', 'fixtures')))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

const fixtures = join(repoRoot(), 'test', 'fixtures', 'smp');
const files = readdirSync(fixtures).filter((f) => f.endsWith('.json')).sort();
const graph = loadSchemaGraph(join(repoRoot(), 'proto', 'k8s'));

test('the golden suite has at least 40 cases', () => {
  assert.ok(files.length >= 40, `only ${files.length} cases`);
});

for (const file of files) {
  const c = JSON.parse(readFileSync(join(fixtures, file), 'utf8')) as GoldenCase;
  test(`${file}: ${c.description}`, () => {
    const msg = graph.forKind(c.kind.group, c.kind.version, c.kind.kind);
    assert.ok(msg, `the schema graph has no ${c.kind.group}/${c.kind.version} ${c.kind.kind}`);
    const schema = PatchSchema.forMessage(graph, msg);
    const run = (): Record<string, unknown> => applyStrategicMergePatch(c.original, c.patch, schema);
    if (c.expectedError) {
      const want = c.expectedError;
      assert.throws(run, (e: unknown) => {
        assert.ok(e instanceof ApiError, `not an ApiError: ${String(e)}`);
        assert.equal(e.status, want.status);
        assert.equal(e.message, want.message);
        return true;
      });
      return;
    }
    assert.deepEqual(run(), c.expected);
  });
}
