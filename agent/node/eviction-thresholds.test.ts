import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  hardEvictionReservation,
  observe,
  parseThresholds,
  PRESSURE_TRANSITION_MS,
  PressureTracker,
  SKIFF_EVICTION_HARD,
  thresholdAmount,
  thresholdsMet,
  UPSTREAM_EVICTION_HARD,
} from './eviction-thresholds.js';

const Mi = 1024 ** 2;
const Gi = 1024 ** 3;

describe('eviction thresholds', () => {
  it("uses upstream's Linux hard defaults plus pid.available<10%", () => {
    assert.deepEqual(UPSTREAM_EVICTION_HARD, { 'memory.available': '100Mi', 'nodefs.available': '10%', 'nodefs.inodesFree': '5%', 'imagefs.available': '15%' });
    const t = parseThresholds(SKIFF_EVICTION_HARD);
    assert.deepEqual(
      t.map((x) => [x.signal, x.quantity, x.percentage]),
      [
        ['memory.available', 100 * Mi, undefined],
        ['nodefs.available', undefined, 0.1],
        ['nodefs.inodesFree', undefined, 0.05],
        ['imagefs.available', undefined, 0.15],
        ['pid.available', undefined, 0.1],
      ],
    );
  });

  it('refuses unknown signals and bad values', () => {
    assert.throws(() => parseThresholds({ 'cpu.available': '1' }), /unsupported eviction signal/);
    assert.throws(() => parseThresholds({ 'nodefs.available': '150%' }), /invalid percentage/);
    assert.throws(() => parseThresholds({ 'memory.available': 'x' }), /invalid quantity/);
  });

  it('turns a percentage into an amount of the capacity, rounding down', () => {
    assert.equal(thresholdAmount({ signal: 'nodefs.available', percentage: 0.1 }, 1005), 100);
    assert.equal(thresholdAmount({ signal: 'memory.available', quantity: 5 }, 1005), 5);
  });

  it('observes memory.available as capacity minus working set, and pid.available as max minus running', () => {
    const o = observe({ memory: { totalBytes: 8 * Gi, workingSetBytes: 3 * Gi }, pids: { max: 1000, running: 950 } });
    assert.deepEqual(o['memory.available'], { available: 5 * Gi, capacity: 8 * Gi });
    assert.deepEqual(o['pid.available'], { available: 50, capacity: 1000 });
    assert.equal(o['nodefs.available'], undefined);
  });

  it('meets a threshold only when less is available than it asks for', () => {
    const t = parseThresholds(SKIFF_EVICTION_HARD);
    const fs = { capacityBytes: 100 * Gi, availableBytes: 50 * Gi, inodes: 1000, inodesFree: 500 };
    const calm = observe({ memory: { totalBytes: 8 * Gi, workingSetBytes: 8 * Gi - 100 * Mi }, nodefs: fs, imagefs: fs, pids: { max: 1000, running: 900 } });
    assert.deepEqual(thresholdsMet(t, calm), []);
    const tight = observe({
      memory: { totalBytes: 8 * Gi, workingSetBytes: 8 * Gi - 99 * Mi },
      nodefs: { ...fs, inodesFree: 49 },
      imagefs: { ...fs, availableBytes: 14 * Gi },
      pids: { max: 1000, running: 901 },
    });
    assert.deepEqual(
      thresholdsMet(t, tight).map((x) => x.signal),
      ['memory.available', 'nodefs.inodesFree', 'imagefs.available', 'pid.available'],
    );
  });

  it('holds a pressure for the transition period after it was last observed', () => {
    const [mem] = parseThresholds({ 'memory.available': '100Mi' });
    const p = new PressureTracker();
    assert.deepEqual([...p.update([mem!], 0)], ['MemoryPressure']);
    assert.deepEqual([...p.update([], PRESSURE_TRANSITION_MS - 1)], ['MemoryPressure']);
    assert.deepEqual([...p.update([], PRESSURE_TRANSITION_MS)], []);
  });

  it('reserves the memory.available and nodefs.available thresholds from allocatable', () => {
    const r = hardEvictionReservation(parseThresholds(SKIFF_EVICTION_HARD), { memory: 8 * Gi, ephemeralStorage: 100 * Gi });
    assert.deepEqual(r, { memory: 100 * Mi, ephemeralStorage: 10 * Gi });
  });
});
