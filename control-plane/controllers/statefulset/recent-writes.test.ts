import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Pod } from '../framework/pod-util.js';
import { RecentWrites } from './recent-writes.js';

function clock(start = Date.parse('2026-11-28T10:00:00Z')) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}
const pod = (name: string, uid = `uid-${name}`): Pod => ({ metadata: { name, namespace: 'ns', uid } });

describe('RecentWrites', () => {
  it('shows a created pod until the informer has seen it', () => {
    const w = new RecentWrites(clock());
    w.noteCreated('ns/web', pod('web-0'));
    assert.deepEqual(
      w.overlay('ns/web', []).map((p) => p.metadata.name),
      ['web-0'],
    );
    assert.equal(w.overlay('ns/other', []).length, 0);
    assert.ok(w.pending('ns/web'));
    w.observe(pod('web-0'));
    assert.equal(w.overlay('ns/web', []).length, 0);
    assert.ok(!w.pending('ns/web'));
  });

  it('never lists a created pod twice when the cache already has it', () => {
    const w = new RecentWrites(clock());
    w.noteCreated('ns/web', pod('web-0'));
    assert.equal(w.overlay('ns/web', [pod('web-0')]).length, 1);
  });

  it('marks a deleted pod terminating until the informer shows it terminating or gone', () => {
    const w = new RecentWrites(clock());
    const p = pod('web-2');
    w.noteDeleted('ns/web', p);
    const [shown] = w.overlay('ns/web', [p]);
    assert.ok(shown?.metadata.deletionTimestamp);
    assert.equal(p.metadata.deletionTimestamp, undefined, 'the cached object is not mutated');
    w.observe(p, true);
    assert.equal(w.overlay('ns/web', [p])[0]?.metadata.deletionTimestamp, undefined);
  });

  it('forgets writes after the TTL so a lost event cannot wedge the owner', () => {
    const c = clock();
    const w = new RecentWrites(c, 1000);
    w.noteCreated('ns/web', pod('web-0'));
    c.advance(1001);
    assert.ok(!w.pending('ns/web'));
    assert.equal(w.overlay('ns/web', []).length, 0);
  });
});
