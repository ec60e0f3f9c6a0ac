import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabels, formatSelector, humanDuration, since } from './format.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('humanDuration follows upstream HumanDuration', () => {
  const cases: [number, string][] = [
    [-3 * S, '<invalid>'],
    [-1500, '0s'],
    [0, '0s'],
    [45 * S, '45s'],
    [119 * S, '119s'],
    [2 * M, '2m'],
    [2 * M + 10 * S, '2m10s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [3 * H + 5 * M, '3h5m'],
    [8 * H + 30 * M, '8h'],
    [47 * H, '47h'],
    [2 * D, '2d'],
    [5 * D + 2 * H, '5d2h'],
    [8 * D, '8d'],
    [400 * D, '400d'],
    [2 * 365 * D, '2y'],
    [3 * 365 * D + 10 * D, '3y10d'],
    [9 * 365 * D, '9y'],
  ];
  for (const [ms, want] of cases) {
    test(`${ms} ms prints as ${want}`, () => assert.equal(humanDuration(ms), want));
  }
});

test('an unset timestamp has an <unknown> age', () => {
  const now = new Date('2025-01-01T12:00:00Z');
  assert.equal(since(undefined, now), '<unknown>');
  assert.equal(since('2025-01-01T11:55:00Z', now), '5m');
});

test('label maps print sorted by key, and <none> when empty', () => {
  assert.equal(formatLabels({ tier: 'web', app: 'nginx' }), 'app=nginx,tier=web');
  assert.equal(formatLabels(undefined), '<none>');
});

test('label selectors print as upstream Selector.String(), <none> when missing', () => {
  assert.equal(formatSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] }), 'app=web,tier in (a,b)');
  assert.equal(formatSelector(undefined), '<none>');
  assert.equal(formatSelector({}), '<none>');
});
