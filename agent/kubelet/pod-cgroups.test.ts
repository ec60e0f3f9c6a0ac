import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PodCgroups } from './pod-cgroups.js';
import type { Pod } from './pod-deps.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A directory tree shaped like a cgroup v1 mount: one dir per controller with cgroup.procs. */
function v1Root(): string {
  const root = mkdtempSync(join(tmpdir(), 'cg1-'));
  dirs.push(root);
  for (const c of ['cpu', 'memory', 'pids', 'cpuset', 'unified']) {
    mkdirSync(join(root, c));
    writeFileSync(join(root, c, 'cgroup.procs'), '');
  }
  writeFileSync(join(root, 'cpuset', 'cpuset.cpus'), '0-1\n');
  writeFileSync(join(root, 'cpuset', 'cpuset.mems'), '0\n');
  return root;
}

function v2Root(): string {
  const root = mkdtempSync(join(tmpdir(), 'cg2-'));
  dirs.push(root);
  writeFileSync(join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
  writeFileSync(join(root, 'cgroup.subtree_control'), 'memory\n');
  writeFileSync(join(root, 'cgroup.procs'), '');
  return root;
}

function pod(resources: Record<string, unknown>[] = []): Pod {
  return { metadata: { uid: 'u1', name: 'p', namespace: 'default' }, spec: { containers: resources.map((r, i) => ({ name: `c${i}`, resources: r })) } };
}

const limited = { limits: { cpu: '500m', memory: '64Mi' } };

describe('pod cgroups', () => {
  it('creates /skiff/pod<uid> under every v1 hierarchy but unified, with pod-level limits when all containers have them', () => {
    const root = v1Root();
    const cg = new PodCgroups({ root });
    cg.ensure(pod([limited, limited]));
    for (const c of ['cpu', 'memory', 'pids', 'cpuset']) assert.ok(existsSync(join(root, c, 'skiff', 'podu1')), c);
    assert.equal(existsSync(join(root, 'unified', 'skiff')), false);
    assert.equal(readFileSync(join(root, 'memory', 'skiff', 'podu1', 'memory.limit_in_bytes'), 'utf8'), String(2 * 64 * 1024 * 1024));
    assert.equal(readFileSync(join(root, 'cpu', 'skiff', 'podu1', 'cpu.cfs_quota_us'), 'utf8'), '100000');
    assert.equal(readFileSync(join(root, 'cpu', 'skiff', 'podu1', 'cpu.cfs_period_us'), 'utf8'), '100000');
    assert.deepEqual(cg.listPods(), ['u1']);
  });

  it('sets no pod-level limit when a container has none', () => {
    const root = v1Root();
    new PodCgroups({ root }).ensure(pod([limited, {}]));
    assert.equal(existsSync(join(root, 'memory', 'skiff', 'podu1', 'memory.limit_in_bytes')), false);
  });

  it('removes the pod cgroup subtree, children first', () => {
    const root = v1Root();
    const cg = new PodCgroups({ root });
    cg.ensure(pod([limited]));
    mkdirSync(join(root, 'memory', 'skiff', 'podu1', 'sandbox-id'));
    assert.equal(cg.remove('u1'), true);
    for (const c of ['cpu', 'memory', 'pids', 'cpuset']) assert.equal(existsSync(join(root, c, 'skiff', 'podu1')), false, c);
    assert.deepEqual(cg.listPods(), []);
  });

  it('uses the unified hierarchy on cgroup v2, enabling controllers and writing memory.max and cpu.max', () => {
    const root = v2Root();
    const cg = new PodCgroups({ root });
    assert.equal(cg.isV2, true);
    cg.ensure(pod([limited]));
    const dir = join(root, 'skiff', 'podu1');
    assert.equal(readFileSync(join(dir, 'memory.max'), 'utf8'), String(64 * 1024 * 1024));
    assert.equal(readFileSync(join(dir, 'cpu.max'), 'utf8'), '50000 100000');
    assert.equal(readFileSync(join(root, 'cgroup.subtree_control'), 'utf8'), '+cpu +pids');
    assert.equal(cg.remove('u1'), true);
    assert.equal(existsSync(dir), false);
  });
});
