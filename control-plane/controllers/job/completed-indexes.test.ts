import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstPendingIndexes, formatIndexes, parseIndexes } from './completed-indexes.js';

describe('completed indexes', () => {
  it('compresses runs of three or more into ranges and keeps pairs as lists', () => {
    assert.equal(formatIndexes([5, 0, 1, 2]), '0-2,5');
    assert.equal(formatIndexes([7, 8]), '7,8');
    assert.equal(formatIndexes([0, 2, 3, 4, 9, 10]), '0,2-4,9,10');
    assert.equal(formatIndexes([]), '');
    assert.equal(formatIndexes([3, 3, 3]), '3');
  });

  it('parses what it formats and drops indexes beyond completions or malformed parts', () => {
    assert.deepEqual([...parseIndexes('0-2,5,7,8', 10)].sort((a, b) => a - b), [0, 1, 2, 5, 7, 8]);
    assert.deepEqual([...parseIndexes('0-2,5', 4)].sort((a, b) => a - b), [0, 1, 2]);
    assert.deepEqual([...parseIndexes('x,1', 4)], [1]);
    assert.equal(parseIndexes(undefined, 3).size, 0);
    const roundTrip = [0, 1, 4, 5, 6, 9];
    assert.deepEqual([...parseIndexes(formatIndexes(roundTrip), 10)].sort((a, b) => a - b), roundTrip);
  });

  it('hands out the lowest free indexes first', () => {
    assert.deepEqual(firstPendingIndexes(5, new Set([0]), new Set([1, 3]), 2), [2, 4]);
    assert.deepEqual(firstPendingIndexes(3, new Set([0, 1, 2]), new Set(), 2), []);
  });
});
