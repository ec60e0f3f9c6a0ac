import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedHeap } from './keyed-heap.js';

interface Item {
  key: string;
  v: number;
}

function heap(): KeyedHeap<Item> {
  return new KeyedHeap<Item>((i) => i.key, (a, b) => a.v < b.v);
}

/** A seeded linear congruential generator, so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describe('KeyedHeap', () => {
  it('pops items in order after any mix of pushes, replacements and deletions', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rnd = lcg(seed);
      const h = heap();
      const model = new Map<string, number>();
      for (let op = 0; op < 300; op++) {
        const key = `k${Math.floor(rnd() * 40)}`;
        if (rnd() < 0.7) {
          const v = Math.floor(rnd() * 1000);
          h.push({ key, v });
          model.set(key, v);
        } else {
          assert.equal(h.delete(key)?.v, model.get(key));
          model.delete(key);
        }
        assert.equal(h.size, model.size);
      }
      const out: number[] = [];
      for (let i = h.pop(); i; i = h.pop()) {
        assert.equal(model.get(i.key), i.v);
        out.push(i.v);
      }
      assert.deepEqual(out, [...model.values()].sort((a, b) => a - b), `seed ${seed}`);
    }
  });

  it('finds an item by key and forgets it once popped', () => {
    const h = heap();
    h.push({ key: 'a', v: 2 });
    h.push({ key: 'b', v: 1 });
    assert.equal(h.get('a')?.v, 2);
    assert.equal(h.peek()?.key, 'b');
    h.pop();
    assert.equal(h.has('b'), false);
    assert.equal(h.has('a'), true);
  });
});
