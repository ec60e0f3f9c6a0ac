import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AtomicWriter, validatePath, type Payload } from './atomic-writer.js';

const file = (s: string, mode = 0o644) => ({ data: Buffer.from(s), mode });

describe('AtomicWriter', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aw-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('projects files behind a ..data symlink to a timestamped directory', async () => {
    const target = join(dir, 'a');
    const changed = await new AtomicWriter(target, { now: () => new Date('2026-11-28T12:00:00Z') }).write(
      new Map([['key', file('v1')], ['sub/dir/f', file('nested', 0o600)]]),
    );
    assert.equal(changed, true);
    const data = await readlink(join(target, '..data'));
    assert.match(data, /^\.\.2026_11_28_12_00_00\./);
    assert.equal(await readlink(join(target, 'key')), '..data/key');
    assert.equal(await readlink(join(target, 'sub')), '..data/sub');
    assert.equal(await readFile(join(target, 'key'), 'utf8'), 'v1');
    assert.equal(await readFile(join(target, 'sub/dir/f'), 'utf8'), 'nested');
    assert.equal((await stat(join(target, 'sub/dir/f'))).mode & 0o777, 0o600);
  });

  it('changes nothing when the payload is the same', async () => {
    const target = join(dir, 'b');
    const w = new AtomicWriter(target);
    const p: Payload = new Map([['k', file('same')]]);
    await w.write(p);
    const before = await readlink(join(target, '..data'));
    assert.equal(await w.write(new Map([['k', file('same')]])), false);
    assert.equal(await readlink(join(target, '..data')), before);
  });

  it('swaps in new contents, drops removed names and the old data directory', async () => {
    const target = join(dir, 'c');
    const w = new AtomicWriter(target);
    await w.write(new Map([['old', file('1')], ['keep', file('a')]]));
    const first = await readlink(join(target, '..data'));
    assert.equal(await w.write(new Map([['keep', file('b')], ['new', file('n')]])), true);
    assert.notEqual(await readlink(join(target, '..data')), first);
    assert.deepEqual((await readdir(target)).sort(), ['..data', await readlink(join(target, '..data')), 'keep', 'new'].sort());
    assert.equal(await readFile(join(target, 'keep'), 'utf8'), 'b');
  });

  it('rewrites when only a mode changes, applying modes regardless of the umask', async () => {
    const target = join(dir, 'd');
    const w = new AtomicWriter(target);
    await w.write(new Map([['k', file('x', 0o644)]]));
    assert.equal(await w.write(new Map([['k', file('x', 0o777)]])), true);
    assert.equal((await stat(join(target, 'k'))).mode & 0o777, 0o777);
  });

  it('rejects absolute paths, .. elements and names starting with ..', () => {
    assert.throws(() => validatePath('/etc/passwd'), /must be relative path/);
    assert.throws(() => validatePath('a/../../b'), /must not contain '..'/);
    assert.throws(() => validatePath('..data'), /must not start with '..'/);
    assert.doesNotThrow(() => validatePath('a/b.c'));
  });
});
