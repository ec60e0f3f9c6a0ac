import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeImageRef, rfc3339Nano } from './fake-support.js';

describe('normalizeImageRef', () => {
  it('normalizes Docker Hub short names as CRI does', () => {
    assert.equal(normalizeImageRef('busybox'), 'docker.io/library/busybox:latest');
    assert.equal(normalizeImageRef('busybox:1'), 'docker.io/library/busybox:1');
    assert.equal(normalizeImageRef('foo/bar:2'), 'docker.io/foo/bar:2');
  });

  it('keeps a registry domain (dotted, with a port, or localhost) and adds only a missing tag', () => {
    assert.equal(normalizeImageRef('localhost/pause:1.0'), 'localhost/pause:1.0');
    assert.equal(normalizeImageRef('127.0.0.1:5000/busybox'), '127.0.0.1:5000/busybox:latest');
    assert.equal(normalizeImageRef('registry.k8s.io/pause:3.9'), 'registry.k8s.io/pause:3.9');
  });

  it('leaves digests and image ids alone', () => {
    const d = 'sha256:' + 'a'.repeat(64);
    assert.equal(normalizeImageRef(d), d);
    assert.equal(normalizeImageRef(`localhost/x@${d}`), `localhost/x@${d}`);
  });
});

describe('rfc3339Nano', () => {
  it('trims trailing zeros of the fraction, and the dot when none is left', () => {
    assert.equal(rfc3339Nano(new Date('2026-11-28T12:14:47.080Z')), '2026-11-28T12:14:47.08Z');
    assert.equal(rfc3339Nano(new Date('2026-11-28T12:14:47.123Z')), '2026-11-28T12:14:47.123Z');
    assert.equal(rfc3339Nano(new Date('2026-11-28T12:14:47.000Z')), '2026-11-28T12:14:47Z');
  });
});
