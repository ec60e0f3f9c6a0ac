import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ReplicaSet } from '../replicaset/types.js';
import { maxSurge, maxUnavailable } from './deployment-util.js';
import { cleanupUnhealthyReplicas, reconcileNewReplicaSet, reconcileOldReplicaSets, rollingStep } from './rolling-update.js';
import { deployment, rs } from './test-objects.js';

describe('reconcileNewReplicaSet', () => {
  it('scales the new ReplicaSet up by the surge room', () => {
    const d = deployment(10, { surge: 3, unavailable: 2 });
    const n = rs('new', 0, 0);
    assert.equal(reconcileNewReplicaSet(d, [rs('old', 10, 10), n], n), 3);
  });

  it('does not scale up while replicas + maxSurge are in use', () => {
    const d = deployment(10, { surge: 3, unavailable: 2 });
    const n = rs('new', 3, 0);
    assert.equal(reconcileNewReplicaSet(d, [rs('old', 10, 10), n], n), undefined);
  });

  it('scales a too-large new ReplicaSet down to replicas', () => {
    const d = deployment(4);
    const n = rs('new', 6, 6);
    assert.equal(reconcileNewReplicaSet(d, [n], n), 4);
  });
});

describe('reconcileOldReplicaSets', () => {
  it('scales old ReplicaSets down only by the availability above replicas - maxUnavailable', () => {
    const d = deployment(10, { surge: 3, unavailable: 2 });
    const n = rs('new', 3, 3);
    const old = rs('old', 10, 10);
    const actions = reconcileOldReplicaSets(d, [old, n], [old], n);
    assert.deepEqual(
      actions.map((a) => [a.rs.metadata.name, a.to]),
      [['old', 5]],
    );
  });

  it('does not scale down while the new pods are unavailable (upstream case 1)', () => {
    const d = deployment(10, { surge: 3, unavailable: 2 });
    const n = rs('new', 5, 0);
    const old = rs('old', 8, 7);
    assert.deepEqual(reconcileOldReplicaSets(d, [old, n], [old], n), []);
  });

  it('removes unhealthy old replicas first, oldest ReplicaSet first', () => {
    const older = rs('older', 2, 0, { created: '2026-01-01T00:00:00Z' });
    const old = rs('old', 3, 1, { created: '2026-01-02T00:00:00Z' });
    const c = cleanupUnhealthyReplicas([old, older], 3);
    assert.deepEqual(
      c.actions.map((a) => [a.rs.metadata.name, a.to]),
      [
        ['older', 0],
        ['old', 2],
      ],
    );
    assert.equal(c.count, 3);
  });
});

describe('rollingStep', () => {
  it('prefers scaling up to scaling down', () => {
    const d = deployment(4, { surge: 1, unavailable: 1 });
    const step = rollingStep(d, rs('new', 0, 0), [rs('old', 4, 4)]);
    assert.equal(step.kind, 'scaleUp');
  });

  it('does nothing once the rollout is done', () => {
    const d = deployment(4);
    assert.deepEqual(rollingStep(d, rs('new', 4, 4), [rs('old', 0, 0)]), { kind: 'none' });
  });
});

// --- property: a model of the cluster driven by the controller's own decisions ---

interface ModelRS {
  name: string;
  created: string;
  spec: number;
  available: number;
  unavailable: number;
}

const view = (m: ModelRS): ReplicaSet => rs(m.name, m.spec, m.available, { created: m.created });

/** The ReplicaSet controller's effect: create missing pods (not yet available), delete surplus, unavailable first. */
function applySpec(m: ModelRS): void {
  const pods = m.available + m.unavailable;
  if (pods < m.spec) m.unavailable += m.spec - pods;
  else if (pods > m.spec) {
    let surplus = pods - m.spec;
    const u = Math.min(surplus, m.unavailable);
    m.unavailable -= u;
    surplus -= u;
    m.available -= surplus;
  }
}

const intOrPercent = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 100 }).map((p) => `${p}%`));
const isZero = (v: number | string): boolean => v === 0 || v === '0%';

describe('rolling update property', () => {
  it('never exceeds replicas + maxSurge pods nor drops below replicas - maxUnavailable available, and always completes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        intOrPercent,
        intOrPercent,
        fc.array(fc.oneof(fc.constant<'step'>('step'), fc.constant<'ready'>('ready'), fc.constant<'rollover'>('rollover'), fc.nat(7)), { maxLength: 120 }),
        (replicas, surge, unavailable, ops) => {
          fc.pre(!(isZero(surge) && isZero(unavailable)));
          const d = deployment(replicas, { surge, unavailable });
          const maxTotal = replicas + maxSurge(d);
          const minAvailable = replicas - maxUnavailable(d);
          let day = 1;
          const rss: ModelRS[] = [{ name: 'rs0', created: '2026-01-01T00:00:00Z', spec: replicas, available: replicas, unavailable: 0 }];
          const newRS = (): ModelRS => rss[rss.length - 1]!;
          const rollover = (): void => {
            day++;
            rss.push({ name: `rs${rss.length}`, created: `2026-01-${String(day).padStart(2, '0')}T00:00:00Z`, spec: 0, available: 0, unavailable: 0 });
          };
          rollover();
          const check = (): void => {
            const total = rss.reduce((n, m) => n + m.available + m.unavailable, 0);
            const available = rss.reduce((n, m) => n + m.available, 0);
            assert.ok(total <= maxTotal, `total ${total} > ${maxTotal}`);
            assert.ok(available >= minAvailable, `available ${available} < ${minAvailable}`);
          };
          const step = (): void => {
            const s = rollingStep(d, view(newRS()), rss.slice(0, -1).map(view));
            if (s.kind === 'none') return;
            for (const a of s.actions) {
              const m = rss.find((x) => x.name === a.rs.metadata.name)!;
              m.spec = a.to;
              applySpec(m);
            }
          };
          let rollovers = 0;
          for (const op of ops) {
            if (op === 'step') step();
            else if (op === 'rollover') {
              if (rollovers++ < 2) rollover();
            } else {
              // one not-yet-available pod (of the ReplicaSet picked by op) becomes available
              const candidates = rss.filter((m) => m.unavailable > 0);
              const m = typeof op === 'number' ? candidates[op % Math.max(1, candidates.length)] : candidates[0];
              if (m) {
                m.unavailable--;
                m.available++;
              }
            }
            check();
          }
          // Liveness: with pods becoming available, the rollout finishes.
          for (let i = 0; i < 4 * replicas + 20; i++) {
            step();
            check();
            for (const m of rss) {
              m.available += m.unavailable;
              m.unavailable = 0;
            }
          }
          assert.equal(newRS().spec, replicas);
          assert.equal(newRS().available, replicas);
          for (const m of rss.slice(0, -1)) assert.equal(m.spec + m.available + m.unavailable, 0);
        },
      ),
      { numRuns: 400 },
    );
  });
});
