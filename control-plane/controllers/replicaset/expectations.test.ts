import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Expectations, EXPECTATIONS_TTL_MS } from './expectations.js';

describe('Expectations', () => {
  it('is satisfied for a key nothing was expected of', () => {
    assert.equal(new Expectations(() => 0).satisfied('ns/rs'), true);
  });

  it('waits until every expected creation was observed', () => {
    const e = new Expectations(() => 0);
    e.expectCreations('k', 3);
    e.creationObserved('k');
    e.creationObserved('k');
    assert.equal(e.satisfied('k'), false);
    e.creationObserved('k');
    assert.equal(e.satisfied('k'), true);
  });

  it('counts each expected deletion once however often the pod is seen going away', () => {
    const e = new Expectations(() => 0);
    e.expectDeletions('k', ['ns/a', 'ns/b']);
    e.deletionObserved('k', 'ns/a');
    e.deletionObserved('k', 'ns/a');
    e.deletionObserved('k', 'ns/unrelated');
    assert.equal(e.satisfied('k'), false);
    assert.deepEqual(e.pending('k'), { add: 0, del: 1 });
    e.deletionObserved('k', 'ns/b');
    assert.equal(e.satisfied('k'), true);
  });

  it('gives up waiting after the expectations expire', () => {
    let now = 0;
    const e = new Expectations(() => now);
    e.expectCreations('k', 5);
    now = EXPECTATIONS_TTL_MS - 1;
    assert.equal(e.satisfied('k'), false);
    now = EXPECTATIONS_TTL_MS + 1;
    assert.equal(e.satisfied('k'), true);
  });

  it('forgets a deleted controller', () => {
    const e = new Expectations(() => 0);
    e.expectCreations('k', 1);
    e.forget('k');
    assert.equal(e.satisfied('k'), true);
  });
});
