#!/usr/bin/env node
// Runs the compiled node:test suites. `unit`: *.test.js beside the modules;
// `integration`: everything under dist/test; `all`: both, unit first.
// Extra arguments filter test files by substring.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const dist = join(root, 'dist');
const [tier = 'all', ...filters] = process.argv.slice(2);

function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const unit = ['control-plane', 'agent', 'cli', 'bench'].flatMap((d) => walk(join(dist, d), []));
const integration = walk(join(dist, 'test'), []);
const pick = (list) => (filters.length ? list.filter((f) => filters.some((x) => f.includes(x))) : list);

const groups = tier === 'unit' ? [unit] : tier === 'integration' ? [integration] : [unit, integration];
let failed = false;
for (const group of groups.map(pick)) {
  if (group.length === 0) continue;
  const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=300000', ...group], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
