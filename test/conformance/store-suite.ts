/**
 * storeSuite: the conformance suite every Store implementation passes.
 *
 * It checks the whole contract in control-plane/storage/store.ts against a
 * live store: write preconditions, revisions, lists at a revision and
 * pagination, watches (history + live, ordering, flags, races with
 * concurrent writes), compaction, the value-size limit and close().
 *
 * The factory is called once per test. Stores may share a backend (one
 * etcd for a whole file), so every test works under its own key root and
 * never assumes revisions start at 1.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Store, StoreEvent, WatchHandle } from '../../control-plane/storage/store.js';
import { isApiError } from '../../control-plane/api/errors.js';

export interface StoreFixture {
  store: Store;
  /** Opens the same data again (after store.close()). */
  reopen(): Promise<Store>;
  cleanup(): Promise<void>;
}

export type StoreFactory = () => Promise<StoreFixture>;

let rootCounter = 0;

async function expectApiError(p: Promise<unknown>, status: number, reason: string): Promise<Error> {
  try {
    await p;
  } catch (e) {
    assert.ok(isApiError(e), `expected an ApiError, got ${String(e)}`);
    assert.equal(e.status, status, e.message);
    assert.equal(e.reason, reason, e.message);
    return e;
  }
  assert.fail(`expected ${status} ${reason}, but the call succeeded`);
}

/** Records a watch's deliveries and lets a test wait for them. */
interface Recorder {
  events: StoreEvent[];
  errors: Error[];
  handle: WatchHandle;
  waitFor(pred: () => boolean, what: string, ms?: number): Promise<void>;
}

function record(store: Store, prefix: string, from: number): Recorder {
  const events: StoreEvent[] = [];
  const errors: Error[] = [];
  let wake: (() => void) | undefined;
  const handle = store.watch(prefix, from, {
    onEvents: (evs) => {
      events.push(...evs);
      wake?.();
    },
    onError: (err) => {
      errors.push(err);
      wake?.();
    },
  });
  const waitFor = async (pred: () => boolean, what: string, ms = 10_000): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) assert.fail(`timed out waiting for ${what} (have ${events.length} events, ${errors.length} errors)`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, Math.min(left, 50));
      });
    }
  };
  return { events, errors, handle, waitFor };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function storeSuite(name: string, factory: StoreFactory): void {
  describe(`Store conformance: ${name}`, () => {
    /** Runs `body` with a fresh store and a key root no other test uses. */
    const withStore =
      (body: (store: Store, root: string, fx: StoreFixture, t: TestContext) => Promise<void>) =>
      async (t: TestContext): Promise<void> => {
        const fx = await factory();
        const root = `/registry/conf${process.pid}-${++rootCounter}/`;
        try {
          await body(fx.store, root, fx, t);
        } finally {
          await fx.cleanup();
        }
      };

    test('create stores a new key whose createRevision and modRevision are the write revision', withStore(async (s, root) => {
      const e = await s.create(`${root}pods/a`, '{"a":1}');
      assert.equal(e.key, `${root}pods/a`);
      assert.equal(e.value, '{"a":1}');
      assert.equal(e.createRevision, e.modRevision);
      assert.deepEqual(await s.get(`${root}pods/a`), e);
      assert.equal(await s.currentRevision(), e.modRevision);
    }));

    test('create of an existing key fails with 409 AlreadyExists and changes nothing', withStore(async (s, root) => {
      const e = await s.create(`${root}k`, 'one');
      await expectApiError(s.create(`${root}k`, 'two'), 409, 'AlreadyExists');
      assert.deepEqual(await s.get(`${root}k`), e);
      assert.equal(await s.currentRevision(), e.modRevision);
    }));

    test('concurrent creates of one key: exactly one wins, the rest get AlreadyExists', withStore(async (s, root) => {
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => s.create(`${root}race`, `v${i}`)));
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { reason?: string }).reason, 'AlreadyExists');
    }));

    test('get of a missing key resolves to undefined', withStore(async (s, root) => {
      assert.equal(await s.get(`${root}nope`), undefined);
    }));

    test('update keeps createRevision, takes a new modRevision and honours expectedRevision', withStore(async (s, root) => {
      const k = `${root}cm`;
      await expectApiError(s.update(k, 'x'), 404, 'NotFound');
      await expectApiError(s.update(k, 'x', 5), 404, 'NotFound');
      const c = await s.create(k, 'v1');
      const u = await s.update(k, 'v2', c.modRevision);
      assert.equal(u.createRevision, c.createRevision);
      assert.ok(u.modRevision > c.modRevision);
      assert.equal(u.value, 'v2');
      await expectApiError(s.update(k, 'v3', c.modRevision), 409, 'Conflict');
      assert.equal((await s.get(k))?.value, 'v2');
      const unconditional = await s.update(k, 'v4');
      assert.ok(unconditional.modRevision > u.modRevision);
      assert.deepEqual(await s.get(k), unconditional);
    }));

    test('concurrent updates from the same revision: exactly one wins, the rest get Conflict', withStore(async (s, root) => {
      const c = await s.create(`${root}x`, '0');
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => s.update(`${root}x`, `${i}`, c.modRevision)));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { reason?: string }).reason, 'Conflict');
    }));

    test('delete returns the last value at the delete revision; conditions as for update', withStore(async (s, root) => {
      const k = `${root}d`;
      await expectApiError(s.delete(k), 404, 'NotFound');
      const c = await s.create(k, 'v1');
      const u = await s.update(k, 'v2');
      await expectApiError(s.delete(k, c.modRevision), 409, 'Conflict');
      const d = await s.delete(k, u.modRevision);
      assert.equal(d.value, 'v2');
      assert.equal(d.createRevision, c.createRevision);
      assert.ok(d.modRevision > u.modRevision);
      assert.equal(await s.currentRevision(), d.modRevision);
      assert.equal(await s.get(k), undefined);
      await expectApiError(s.delete(k), 404, 'NotFound');
      const again = await s.create(k, 'v3');
      assert.ok(again.createRevision > d.modRevision, 'a re-created key has a new createRevision');
    }));

    test('revisions are global and strictly increasing across keys', withStore(async (s, root) => {
      const revs: number[] = [];
      for (let i = 0; i < 5; i++) revs.push((await s.create(`${root}a${i}`, 'x')).modRevision);
      revs.push((await s.update(`${root}a0`, 'y')).modRevision);
      revs.push((await s.delete(`${root}a1`)).modRevision);
      for (let i = 1; i < revs.length; i++) assert.equal(revs[i], (revs[i - 1] ?? 0) + 1);
      const concurrent = await Promise.all(Array.from({ length: 20 }, (_, i) => s.create(`${root}b${i}`, 'x')));
      const sorted = concurrent.map((e) => e.modRevision).sort((a, b) => a - b);
      assert.equal(new Set(sorted).size, 20);
      assert.ok((sorted[0] ?? 0) > (revs[revs.length - 1] ?? 0));
      assert.equal(await s.currentRevision(), sorted[sorted.length - 1]);
    }));

    test('list returns the keys under a prefix in key order, and only those', withStore(async (s, root) => {
      for (const k of ['pods/b', 'pods/a', 'podsx/a', 'pod', 'pods/c/d']) await s.create(root + k, k);
      const r = await s.list(`${root}pods/`);
      assert.deepEqual(r.entries.map((e) => e.key), [`${root}pods/a`, `${root}pods/b`, `${root}pods/c/d`]);
      assert.equal(r.more, false);
      assert.equal(r.revision, await s.currentRevision());
      assert.deepEqual(r.entries.map((e) => e.value), ['pods/a', 'pods/b', 'pods/c/d']);
      assert.equal(await s.count(`${root}pods/`), 3);
      assert.equal(await s.count(`${root}podsx/`), 1);
      assert.deepEqual((await s.list(`${root}none/`)).entries, []);
    }));

    test('list at an older revision shows the state as of that revision', withStore(async (s, root) => {
      const a = await s.create(`${root}p/a`, 'a1');
      await s.create(`${root}p/b`, 'b1');
      const rev = await s.currentRevision();
      await s.update(`${root}p/a`, 'a2');
      await s.delete(`${root}p/b`);
      await s.create(`${root}p/c`, 'c1');
      const old = await s.list(`${root}p/`, { revision: rev });
      assert.equal(old.revision, rev);
      assert.deepEqual(old.entries.map((e) => [e.key, e.value]), [
        [`${root}p/a`, 'a1'],
        [`${root}p/b`, 'b1'],
      ]);
      assert.equal(old.entries[0]?.modRevision, a.modRevision);
      const now = await s.list(`${root}p/`);
      assert.deepEqual(now.entries.map((e) => [e.key, e.value]), [[`${root}p/a`, 'a2'], [`${root}p/c`, 'c1']]);
    }));

    test('list at a revision the store has not reached fails with 504 Timeout', withStore(async (s, root) => {
      await s.create(`${root}f`, 'x');
      const cur = await s.currentRevision();
      await expectApiError(s.list(`${root}`, { revision: cur + 1000 }), 504, 'Timeout');
    }));

    test('limit and continueAfter page through one consistent revision', withStore(async (s, root) => {
      for (let i = 0; i < 7; i++) await s.create(`${root}q/k${i}`, `v${i}`);
      const first = await s.list(`${root}q/`, { limit: 3 });
      assert.equal(first.entries.length, 3);
      assert.equal(first.more, true);
      if (first.remaining !== undefined) assert.equal(first.remaining, 4);
      // Writes between pages must not show up in later pages read at the same revision.
      await s.create(`${root}q/k35`, 'late');
      await s.delete(`${root}q/k5`);
      const seen = first.entries.map((e) => e.key);
      let page = first;
      while (page.more) {
        const last = page.entries[page.entries.length - 1];
        assert.ok(last);
        page = await s.list(`${root}q/`, { limit: 3, revision: first.revision, continueAfter: last.key });
        assert.equal(page.revision, first.revision);
        seen.push(...page.entries.map((e) => e.key));
      }
      assert.deepEqual(seen, Array.from({ length: 7 }, (_, i) => `${root}q/k${i}`));
      const exact = await s.list(`${root}q/`, { limit: 7, revision: first.revision });
      assert.equal(exact.more, false, 'a page that ends exactly at the last key has no more');
    }));

    test('watch from a revision replays history, then live changes, in order with flags and prevValue', withStore(async (s, root) => {
      const start = await s.currentRevision();
      const c = await s.create(`${root}w/a`, 'a1');
      const u = await s.update(`${root}w/a`, 'a2');
      const w = record(s, `${root}w/`, start);
      try {
        const d = await s.delete(`${root}w/a`);
        const c2 = await s.create(`${root}w/a`, 'a3');
        await s.create(`${root}other/x`, 'not mine');
        await w.waitFor(() => w.events.length >= 4, '4 events');
        await sleep(50);
        assert.deepEqual(w.errors, []);
        assert.deepEqual(w.events, [
          { type: 'put', key: `${root}w/a`, value: 'a1', created: true, revision: c.modRevision, createRevision: c.createRevision },
          { type: 'put', key: `${root}w/a`, value: 'a2', prevValue: 'a1', created: false, revision: u.modRevision, createRevision: c.createRevision },
          { type: 'delete', key: `${root}w/a`, value: 'a2', prevValue: 'a2', created: false, revision: d.modRevision, createRevision: c.createRevision },
          { type: 'put', key: `${root}w/a`, value: 'a3', created: true, revision: c2.modRevision, createRevision: c2.createRevision },
        ]);
      } finally {
        w.handle.close();
      }
    }));

    test('watch respects prefix boundaries', withStore(async (s, root) => {
      const start = await s.currentRevision();
      const w = record(s, `${root}pods/`, start);
      try {
        await s.create(`${root}podsx/a`, 'x');
        await s.create(`${root}pods/a`, 'y');
        await w.waitFor(() => w.events.length >= 1, 'one event');
        await sleep(50);
        assert.deepEqual(w.events.map((e) => e.key), [`${root}pods/a`]);
      } finally {
        w.handle.close();
      }
    }));

    test('a watch racing 500 concurrent writes sees every change once, in revision order', withStore(async (s, root) => {
      const start = await s.currentRevision();
      const early = record(s, `${root}r/`, start);
      const creates = Array.from({ length: 250 }, (_, i) => s.create(`${root}r/k${i}`, `${i}`));
      // Started while the creates are still in flight.
      const mid = record(s, `${root}r/`, start);
      const updates = creates.map((c, i) => c.then(() => s.update(`${root}r/k${i}`, `${i}b`)));
      const writes: Promise<{ modRevision: number }>[] = [...creates, ...updates];
      const done = await Promise.all(writes);
      const expected = done.map((e) => e.modRevision).sort((a, b) => a - b);
      try {
        for (const w of [early, mid]) {
          await w.waitFor(() => w.events.length >= 500, '500 events');
          await sleep(50);
          assert.deepEqual(w.errors, []);
          assert.deepEqual(w.events.map((e) => e.revision), expected);
          for (const e of w.events) {
            const i = e.key.slice(`${root}r/k`.length);
            if (e.created) assert.equal(e.value, i);
            else assert.deepEqual([e.value, e.prevValue], [`${i}b`, i]);
          }
        }
      } finally {
        early.handle.close();
        mid.handle.close();
      }
    }));

    test('a closed watch receives nothing more', withStore(async (s, root) => {
      const w = record(s, `${root}c/`, await s.currentRevision());
      await s.create(`${root}c/a`, 'x');
      await w.waitFor(() => w.events.length === 1, 'first event');
      w.handle.close();
      await s.create(`${root}c/b`, 'y');
      await sleep(100);
      assert.equal(w.events.length, 1);
      assert.deepEqual(w.errors, []);
    }));

    test('after compaction, lists and watches at compacted revisions fail with 410 Expired', withStore(async (s, root) => {
      await s.create(`${root}z/a`, '1');
      const old = await s.currentRevision();
      await s.update(`${root}z/a`, '2');
      await s.create(`${root}z/b`, '1');
      await s.update(`${root}z/b`, '2');
      const target = await s.currentRevision();
      await s.update(`${root}z/a`, '3');
      await s.compact(target);
      assert.ok((await s.compactedRevision()) >= target);

      const err = await expectApiError(s.list(`${root}z/`, { revision: old }), 410, 'Expired');
      assert.match(err.message, new RegExp(`^too old resource version: ${old} \\(\\d+\\)$`));
      const w = record(s, `${root}z/`, old);
      await w.waitFor(() => w.errors.length === 1, 'an Expired error');
      const werr = w.errors[0];
      assert.ok(isApiError(werr));
      assert.equal(werr.status, 410);
      assert.equal(werr.reason, 'Expired');
      await sleep(50);
      assert.deepEqual(w.events, [], 'no events follow or precede an Expired error');

      // The state at and after the compacted revision is intact.
      const at = await s.list(`${root}z/`, { revision: target });
      assert.deepEqual(at.entries.map((e) => e.value), ['2', '2']);
      assert.deepEqual((await s.list(`${root}z/`)).entries.map((e) => e.value), ['3', '2']);
      const live = record(s, `${root}z/`, target);
      try {
        await live.waitFor(() => live.events.length === 1, 'the write after the compacted revision');
        assert.equal(live.events[0]?.value, '3');
        assert.equal(live.events[0]?.prevValue, '2');
      } finally {
        live.handle.close();
      }
      await s.compact(target); // compacting again is a no-op
      await assert.rejects(s.compact((await s.currentRevision()) + 100), (e: unknown) => isApiError(e));
    }));

    test('a value over the size limit fails with 413 RequestEntityTooLarge', withStore(async (s, root) => {
      const big = 'x'.repeat(3 * 1024 * 1024 + 1);
      await expectApiError(s.create(`${root}big`, big), 413, 'RequestEntityTooLarge');
      const c = await s.create(`${root}big`, 'small');
      await expectApiError(s.update(`${root}big`, big), 413, 'RequestEntityTooLarge');
      assert.deepEqual(await s.get(`${root}big`), c);
    }));

    test('close finishes in-flight writes, which stay durable', withStore(async (s, root, fx) => {
      const writes = Array.from({ length: 20 }, (_, i) => s.create(`${root}cl/k${i}`, `${i}`));
      await s.close();
      const done = await Promise.allSettled(writes);
      assert.ok(done.every((r) => r.status === 'fulfilled'), 'every write issued before close succeeded');
      await expectApiError(s.create(`${root}cl/late`, 'x'), 503, 'ServiceUnavailable');
      const again = await fx.reopen();
      try {
        assert.equal(await again.count(`${root}cl/`), 20);
      } finally {
        await again.close();
      }
    }));
  });
}
