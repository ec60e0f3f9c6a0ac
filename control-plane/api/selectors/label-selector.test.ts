import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatLabelRequirements,
  formatLabelSelector,
  LabelSelectorError,
  labelSelectorRequirements,
  matchesLabels,
  parseLabelSelector,
} from './label-selector.js';

describe('label selector parsing and matching', () => {
  const labels = { app: 'web', tier: 'db', n: '5' };
  const cases: [string, boolean, string][] = [
    ['', true, ''],
    ['app=web', true, 'app=web'],
    ['app==web', true, 'app==web'],
    ['app!=web', false, 'app!=web'],
    ['app!=api', true, 'app!=api'],
    ['missing!=x', true, 'missing!=x'],
    ['app in (api, web)', true, 'app in (api,web)'],
    ['app notin (web)', false, 'app notin (web)'],
    ['missing notin (a)', true, 'missing notin (a)'],
    ['tier', true, 'tier'],
    ['!tier', false, '!tier'],
    ['!missing', true, '!missing'],
    ['  app = web ,  tier  ', true, 'app=web,tier'],
    ['n>4,n<6', true, 'n>4,n<6'],
    ['n gt 5', false, 'n>5'],
    ['example.com/role=x', false, 'example.com/role=x'],
    ['app=', false, 'app='],
  ];
  for (const [sel, match, formatted] of cases) {
    test(`${JSON.stringify(sel)} ${match ? 'matches' : 'does not match'} and formats as ${JSON.stringify(formatted)}`, () => {
      const reqs = parseLabelSelector(sel);
      assert.equal(matchesLabels(reqs, labels), match);
      assert.equal(formatLabelRequirements(reqs), formatted);
    });
  }

  const bad: [string, RegExp][] = [
    ['a b', /found 'b', expected: in, notin, =, ==, !=, gt, lt/],
    ['a=b c', /found 'c', expected: ',' or 'end of string'/],
    ['a in b', /expected: '\('/],
    ['a in (b', /expected: ',', '\)' or identifier/],
    ['app=-bad-', /unable to parse requirement: values\[0\]\[app\]: Invalid value: "-bad-"/],
    ['-key=x', /unable to parse requirement: key: Invalid value: "-key"/],
    ['a,', /found 'end of string'/],
    ['n>x', /must be an integer/],
    ['=x', /expected: !, identifier/],
  ];
  for (const [sel, msg] of bad) {
    test(`${JSON.stringify(sel)} is rejected`, () => {
      assert.throws(() => parseLabelSelector(sel), (e: unknown) => e instanceof LabelSelectorError && msg.test(e.message));
    });
  }
});

describe('LabelSelector objects', () => {
  test('format as upstream: sorted by key, set values sorted', () => {
    const sel = {
      matchLabels: { tier: 'web', app: 'nginx' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'dev'] },
        { key: 'legacy', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'Exists' },
        { key: 'bad', operator: 'NotIn', values: ['x'] },
      ],
    };
    assert.equal(formatLabelSelector(sel), 'app=nginx,bad notin (x),env in (dev,prod),!legacy,tier=web,zone');
    assert.equal(matchesLabels(labelSelectorRequirements(sel), { app: 'nginx', tier: 'web', env: 'dev', zone: 'a' }), true);
    assert.equal(formatLabelSelector({}), '');
  });

  test('an unknown operator is an error', () => {
    assert.throws(() => labelSelectorRequirements({ matchExpressions: [{ key: 'a', operator: 'Near' }] }), LabelSelectorError);
  });
});
