#!/usr/bin/env node
// Import-boundary and cycle check (the `check:deps` script).
// Reads every .ts file, resolves its relative imports, and enforces the
// layering of DEVELOPERS.md; then looks for import cycles. Exits 1 on any
// violation, printing each one.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, dirname, resolve, sep } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const roots = ['control-plane', 'agent', 'cli', 'test', 'bench'];

function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const files = roots.flatMap((r) => walk(join(root, r), []));
const rel = (p) => relative(root, p).split(sep).join('/');
const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;

/** @type {Map<string, string[]>} */
const graph = new Map();
for (const f of files) {
  const src = readFileSync(f, 'utf8');
  const deps = [];
  for (const m of src.matchAll(importRe)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec || !spec.startsWith('.')) continue;
    const target = resolve(dirname(f), spec).replace(/\.js$/, '.ts');
    deps.push(rel(target));
  }
  graph.set(rel(f), deps);
}

const isTest = (p) => p.endsWith('.test.ts');
const under = (p, dir) => p === dir || p.startsWith(dir + '/');
const isApiPure = (p) => under(p, 'control-plane/api') && !under(p, 'control-plane/api/client');
const isMain = (p) => /(^|\/)main\.ts$/.test(p) && !under(p, 'cli') && !under(p, 'test') && !under(p, 'bench');

/** Returns a reason string if `from` may not import `to`, else null. */
function violation(from, to) {
  if (under(from, 'test') || under(from, 'bench')) return null;
  if (isTest(from)) return null; // unit tests may reach their neighbours and test helpers
  if (under(to, 'test') || under(to, 'bench')) return 'production code never imports test/ or bench/';
  if (isMain(to) && !under(from, 'cli')) return 'only cli/ imports a main.ts';
  if (under(from, 'cli')) return null;
  if (isApiPure(from)) return isApiPure(to) ? null : 'the pure part of control-plane/api imports nothing else of ours';
  if (under(from, 'control-plane/api/client')) return under(to, 'control-plane/api') ? null : 'api/client imports only control-plane/api';
  if (under(from, 'agent')) {
    if (under(to, 'control-plane') && !under(to, 'control-plane/api')) return 'agent/ imports only control-plane/api';
    if (under(from, 'agent/kubelet') && under(to, 'agent/cri') && to !== 'agent/cri/runtime.ts') return 'the kubelet depends only on the cri Runtime interface';
    return null;
  }
  if (from === 'control-plane/main.ts') return null;
  if (under(from, 'control-plane/storage')) return under(to, 'control-plane/api') || under(to, 'control-plane/storage') ? null : 'storage imports only api';
  if (under(from, 'control-plane/scheduler')) return isApiPure(to) || under(to, 'control-plane/scheduler') ? null : 'scheduler imports only the pure api';
  if (under(from, 'control-plane/apiserver')) {
    if (under(to, 'control-plane/api') || under(to, 'control-plane/apiserver') || to === 'control-plane/storage/store.ts') return null;
    return 'apiserver imports api and the Store interface only';
  }
  if (under(from, 'control-plane/controllers')) {
    if (under(to, 'control-plane/api') || under(to, 'control-plane/scheduler') || under(to, 'control-plane/controllers')) return null;
    return 'controllers use the API client, never the Store';
  }
  return null;
}

const problems = [];
for (const [from, deps] of graph) {
  for (const to of deps) {
    if (!graph.has(to)) {
      problems.push(`${from}: import of missing file ${to}`);
      continue;
    }
    const why = violation(from, to);
    if (why) problems.push(`${from} -> ${to}: ${why}`);
  }
}

// Cycle detection (Tarjan-free DFS with colours; reports each back edge's cycle).
const colour = new Map();
const stack = [];
function dfs(n) {
  colour.set(n, 1);
  stack.push(n);
  for (const d of graph.get(n) ?? []) {
    if (!graph.has(d)) continue;
    const c = colour.get(d);
    if (c === 1) problems.push(`import cycle: ${[...stack.slice(stack.indexOf(d)), d].join(' -> ')}`);
    else if (!c) dfs(d);
  }
  stack.pop();
  colour.set(n, 2);
}
for (const n of graph.keys()) if (!colour.get(n)) dfs(n);

if (problems.length) {
  for (const p of problems) console.error(p);
  console.error(`check:deps: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`check:deps: ${graph.size} files, boundaries and cycles ok`);
