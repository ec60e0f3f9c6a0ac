import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LatestRows } from './latest-rows.js';

describe('LatestRows', () => {
  it('answers what was last set for a key', () => {
    const rows = new LatestRows<number>(4);
    rows.set('a', 1);
    rows.set('a', 2);
    assert.equal(rows.get('a'), 2);
    assert.equal(rows.get('b'), undefined);
  });

  it('drops the least recently used key beyond its capacity', () => {
    const rows = new LatestRows<number>(2);
    rows.set('a', 1);
    rows.set('b', 2);
    assert.equal(rows.get('a'), 1); // a is now more recent than b
    rows.set('c', 3);
    assert.equal(rows.get('b'), undefined);
    assert.equal(rows.get('a'), 1);
    assert.equal(rows.get('c'), 3);
    assert.equal(rows.size, 2);
  });

  it('knows that a key never set nor given at open has no row', () => {
    const rows = new LatestRows<number>(1, ['old']);
    assert.equal(rows.mayExist('old'), true);
    assert.equal(rows.mayExist('new'), false);
    rows.set('new', 1);
    rows.set('other', 2); // evicts new's row, not the knowledge of its key
    assert.equal(rows.get('new'), undefined);
    assert.equal(rows.mayExist('new'), true);
  });
});
