import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { canIgnoreBudget, checkAndDecrement, matchingBudgets } from './disruption-budget.js';

const now = new Date('2025-01-02T03:04:05Z');
const pdb = (status: Record<string, unknown>, selector: unknown = { matchLabels: { app: 'a' } }, generation = 1): KubeObject => ({
  apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'b', namespace: 'ns', generation }, spec: { selector }, status: { observedGeneration: 1, ...status },
});
const pod = (phase: string, labels: Record<string, string> = { app: 'a' }): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', labels }, status: { phase } });

test('terminal, pending and terminating pods ignore budgets; running ones do not', () => {
  assert.equal(canIgnoreBudget(pod('Succeeded')), true);
  assert.equal(canIgnoreBudget(pod('Pending')), true);
  assert.equal(canIgnoreBudget({ ...pod('Running'), metadata: { name: 'p', deletionTimestamp: '2025-01-01T00:00:00Z' } }), true);
  assert.equal(canIgnoreBudget(pod('Running')), false);
});

test('budgets match by selector in the namespace; an empty selector matches nothing', () => {
  const other = { ...pdb({}), metadata: { name: 'o', namespace: 'other' } };
  assert.deepEqual(matchingBudgets(pod('Running'), [pdb({}), pdb({}, {}), other, pdb({}, { matchLabels: { app: 'z' } })]).length, 1);
});

test('a decrement records the pod and turns DisruptionAllowed false at zero; dry run records nothing', () => {
  const next = checkAndDecrement(pdb({ disruptionsAllowed: 1 }), 'p', now, false);
  const st = next.status as { disruptionsAllowed: number; disruptedPods: Record<string, string>; conditions: { type: string; status: string }[] };
  assert.equal(st.disruptionsAllowed, 0);
  assert.deepEqual(st.disruptedPods, { p: '2025-01-02T03:04:05Z' });
  assert.equal(st.conditions.find((c) => c.type === 'DisruptionAllowed')?.status, 'False');
  assert.equal((checkAndDecrement(pdb({ disruptionsAllowed: 2 }), 'p', now, true).status as { disruptedPods?: unknown }).disruptedPods, undefined);
});

test('no disruption left is 429, a stale status 429 with retry-after 10, a negative budget 403', () => {
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (isApiError(e)) return [e.status, e.details?.retryAfterSeconds];
    }
    return undefined;
  };
  assert.deepEqual(code(() => checkAndDecrement(pdb({ disruptionsAllowed: 0 }), 'p', now, false)), [429, undefined]);
  assert.deepEqual(code(() => checkAndDecrement(pdb({ disruptionsAllowed: 1 }, undefined, 2), 'p', now, false)), [429, 10]);
  assert.deepEqual(code(() => checkAndDecrement(pdb({ disruptionsAllowed: -1 }), 'p', now, false)), [403, undefined]);
});
