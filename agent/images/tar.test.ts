import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseTar, splitName, tarArchive, tarHeader, type TarEntry } from './tar.js';

const entries: TarEntry[] = [
  { type: 'dir', path: 'bin', mode: 0o755 },
  { type: 'file', path: 'bin/hello', mode: 0o755, content: Buffer.from('#!/bin/sh\necho hi\n') },
  { type: 'symlink', path: 'bin/hi', target: 'hello' },
  { type: 'dir', path: 'tmp', mode: 0o1777 },
  { type: 'file', path: 'empty', mode: 0o600, content: Buffer.alloc(0) },
];

describe('tarArchive', () => {
  it('writes 512-byte blocks: headers, padded data and two zero blocks at the end', () => {
    const tar = tarArchive(entries);
    assert.equal(tar.length % 512, 0);
    // 5 headers + 1 data block (18 bytes padded) + 2 end blocks
    assert.equal(tar.length, (5 + 1 + 2) * 512);
    assert.ok(tar.subarray(tar.length - 1024).every((b) => b === 0));
  });

  it('round-trips paths, types, modes, link targets and contents, owned by root with mtime 0', () => {
    const parsed = parseTar(tarArchive(entries));
    assert.deepEqual(
      parsed.map((e) => [e.path, e.type, e.mode.toString(8), e.linkname, e.content.toString(), e.uid, e.gid, e.mtime]),
      [
        ['bin/', 'dir', '755', '', '', 0, 0, 0],
        ['bin/hello', 'file', '755', '', '#!/bin/sh\necho hi\n', 0, 0, 0],
        ['bin/hi', 'symlink', '777', 'hello', '', 0, 0, 0],
        ['tmp/', 'dir', '1777', '', '', 0, 0, 0],
        ['empty', 'file', '600', '', '', 0, 0, 0],
      ],
    );
  });

  it('writes ustar magic and a checksum the reader verifies', () => {
    const h = tarHeader(entries[1]!, 0);
    assert.equal(h.subarray(257, 263).toString('latin1'), 'ustar\0');
    assert.equal(h.subarray(263, 265).toString('latin1'), '00');
    const corrupt = tarArchive(entries);
    corrupt[0] = corrupt[0]! ^ 1;
    assert.throws(() => parseTar(corrupt), /bad header checksum/);
  });

  it('is byte-for-byte deterministic', () => {
    assert.ok(tarArchive(entries).equals(tarArchive(entries)));
  });

  it('is read by GNU tar with the same listing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-tar-'));
    try {
      writeFileSync(join(dir, 'a.tar'), tarArchive(entries));
      const r = spawnSync('tar', ['-tvf', join(dir, 'a.tar')], { encoding: 'utf8' });
      if (r.error) return; // no tar binary: the round trip above still holds
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, 5);
      assert.match(lines[0]!, /^drwxr-xr-x root\/root .* bin\/$/);
      assert.match(lines[2]!, /^lrwxrwxrwx root\/root .* bin\/hi -> hello$/);
      assert.match(lines[3]!, /^drwxrwxrwt root\/root .* tmp\/$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('splitName', () => {
  it('keeps names up to 100 bytes whole', () => {
    assert.deepEqual(splitName('a/b'), { prefix: '', name: 'a/b' });
  });

  it('splits longer paths at a slash into prefix and name', () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(50)}`;
    assert.deepEqual(splitName(long), { prefix: 'd'.repeat(120), name: 'f'.repeat(50) });
    const parsed = parseTar(tarArchive([{ type: 'file', path: long, mode: 0o644, content: Buffer.from('x') }]));
    assert.equal(parsed[0]!.path, long);
  });

  it('rejects a path that no split makes fit', () => {
    assert.throws(() => splitName('x'.repeat(300)), /too long/);
  });
});
