import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Pod } from '../pod-deps.js';
import { hostExecSync } from './host-exec.js';
import { ProbeManager } from './prober-manager.js';
import { ManualTimers } from './timers.js';

/** An HTTP server whose answer per path the test sets, counting requests. */
let server: Server;
let port = 0;
const status = new Map<string, number>();
const hits = new Map<string, number>();
const hit = (p: string): number => hits.get(p) ?? 0;

before(async () => {
  server = createServer((req, res) => {
    const p = req.url ?? '/';
    hits.set(p, hit(p) + 1);
    res.statusCode = status.get(p) ?? 200;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  status.clear();
  hits.clear();
});

function podWith(container: Record<string, unknown>, extra: { restartPolicy?: string; deleting?: boolean } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'default', uid: 'uid-1', ...(extra.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { restartPolicy: extra.restartPolicy ?? 'Always', containers: [{ name: 'web', image: 'localhost/busybox:1.0', ...container }] },
    status: { phase: 'Running' },
  };
}
const http = (path: string, more: Record<string, unknown> = {}): Record<string, unknown> => ({ httpGet: { path, port }, ...more });

interface Harness {
  timers: ManualTimers;
  mgr: ProbeManager;
  unhealthy: string[];
  results: number;
  probes: string[];
  events: string[];
  run(id: string, pod: Pod, startedAgoMs?: number): void;
  tick(seconds: number): Promise<void>;
}

function harness(random = 0): Harness {
  const timers = new ManualTimers();
  const h: Harness = {
    timers,
    unhealthy: [],
    results: 0,
    probes: [],
    events: [],
    mgr: new ProbeManager({
      exec: hostExecSync,
      kubeVersion: 'v1.33.0',
      timers,
      random: () => random,
      recordEvent: (_p, c, reason, msg) => h.events.push(`${c} ${reason} ${msg}`),
      onProbe: (type, result, l) => h.probes.push(`${type} ${result} ${l.namespace}/${l.pod}/${l.container} ${l.podUid}`),
    }),
    run(id, pod, startedAgoMs = 0) {
      h.mgr.update(pod, new Map([['web', { id, startedAt: new Date(timers.now() - startedAgoMs) }]]), '127.0.0.1');
    },
    /** Moves time by whole seconds; tick(0) runs what is due now. */
    async tick(seconds) {
      if (seconds === 0) await timers.advance(0, () => h.mgr.whenIdle());
      for (let i = 0; i < seconds; i++) {
        await timers.advance(1000, () => h.mgr.whenIdle());
        await h.mgr.whenIdle();
      }
    },
  };
  h.mgr.onUnhealthy((uid, name, id, msg) => h.unhealthy.push(`${uid} ${name} ${id} ${msg}`));
  h.mgr.onResult(() => h.results++);
  return h;
}

describe('ProberManager', () => {
  it('reports readiness false until the first success after initialDelaySeconds, then true', async () => {
    const h = harness();
    const pod = podWith({ readinessProbe: http('/ready', { initialDelaySeconds: 3, periodSeconds: 2 }) });
    h.run('c1', pod);
    await h.mgr.whenIdle();
    assert.equal(h.mgr.isReady('uid-1', 'web', 'c1'), false);
    await h.tick(2);
    assert.equal(hit('/ready'), 0, 'no probe inside the initial delay');
    assert.equal(h.mgr.isReady('uid-1', 'web', 'c1'), false);
    await h.tick(2);
    assert.equal(hit('/ready'), 1);
    assert.equal(h.mgr.isReady('uid-1', 'web', 'c1'), true);
    assert.ok(h.results >= 1, 'onResult fired on the change');
    h.mgr.stop();
  });

  it('answers undefined for a container without that probe', () => {
    const h = harness();
    h.run('c1', podWith({}));
    assert.equal(h.mgr.isReady('uid-1', 'web', 'c1'), undefined);
    assert.equal(h.mgr.isStarted('uid-1', 'web', 'c1'), undefined);
    assert.equal(h.mgr.workerCount, 0);
    h.mgr.stop();
  });

  it('turns not ready only after failureThreshold consecutive failures', async () => {
    const h = harness();
    h.run('c1', podWith({ readinessProbe: http('/ready', { periodSeconds: 1, failureThreshold: 3 }) }));
    await h.tick(1);
    assert.equal(h.mgr.isReady('uid-1', 'web', 'c1'), true);
    status.set('/ready', 503);
    await h.tick(2);
    assert.equal(h.mgr.isReady('uid-1', 'web', 'c1'), true, 'two failures are below the threshold');
    await h.tick(1);
    assert.equal(h.mgr.isReady('uid-1', 'web', 'c1'), false);
    assert.ok(h.events.includes('web Unhealthy Readiness probe failed: HTTP probe failed with statuscode: 503'));
    assert.equal(h.unhealthy.length, 0, 'readiness never restarts a container');
    h.mgr.stop();
  });

  it('needs successThreshold consecutive successes to turn ready again', async () => {
    const h = harness();
    status.set('/ready', 500);
    h.run('c1', podWith({ readinessProbe: http('/ready', { periodSeconds: 1, successThreshold: 2, failureThreshold: 1 }) }));
    await h.tick(2);
    assert.equal(h.mgr.isReady('uid-1', 'web', 'c1'), false);
    status.set('/ready', 200);
    await h.tick(1);
    assert.equal(h.mgr.isReady('uid-1', 'web', 'c1'), false);
    await h.tick(1);
    assert.equal(h.mgr.isReady('uid-1', 'web', 'c1'), true);
    h.mgr.stop();
  });

  it('calls onUnhealthy once at the liveness failure threshold, holds, and resumes for a new container', async () => {
    const h = harness();
    status.set('/live', 500);
    const pod = podWith({ livenessProbe: http('/live', { periodSeconds: 1, failureThreshold: 2 }) });
    h.run('c1', pod);
    await h.tick(0);
    assert.equal(hit('/live'), 1, 'first probe at once');
    assert.deepEqual(h.unhealthy, []);
    await h.tick(1);
    assert.deepEqual(h.unhealthy, ['uid-1 web c1 Liveness probe failed: HTTP probe failed with statuscode: 500']);
    const before = hit('/live');
    await h.tick(3);
    assert.equal(hit('/live'), before, 'on hold until the container is replaced');
    status.set('/live', 200);
    h.run('c2', pod);
    await h.tick(2);
    assert.ok(hit('/live') > before, 'probing resumed for the new container');
    assert.equal(h.unhealthy.length, 1);
    h.mgr.stop();
  });

  it('gates liveness and readiness on the startup probe, then probes readiness at once', async () => {
    const h = harness();
    status.set('/start', 500);
    h.run('c1', podWith({
      startupProbe: http('/start', { periodSeconds: 1, failureThreshold: 30 }),
      readinessProbe: http('/ready', { periodSeconds: 10 }),
      livenessProbe: http('/live', { periodSeconds: 1 }),
    }));
    await h.tick(3);
    assert.ok(hit('/start') >= 3);
    assert.equal(hit('/ready') + hit('/live'), 0, 'nothing but the startup probe runs before the start');
    assert.equal(h.mgr.isStarted('uid-1', 'web', 'c1'), false);
    assert.equal(h.mgr.isReady('uid-1', 'web', 'c1'), false);
    status.set('/start', 200);
    await h.tick(1);
    assert.equal(h.mgr.isStarted('uid-1', 'web', 'c1'), true);
    assert.equal(hit('/ready'), 1, 'readiness probed right after the start, not a period later');
    assert.equal(h.mgr.isReady('uid-1', 'web', 'c1'), true);
    const starts = hit('/start');
    await h.tick(2);
    assert.equal(hit('/start'), starts, 'startup stops probing once started');
    assert.ok(hit('/live') >= 1);
    h.mgr.stop();
  });

  it('reports a startup probe that never succeeds as unhealthy', async () => {
    const h = harness();
    status.set('/start', 500);
    h.run('c1', podWith({ startupProbe: http('/start', { periodSeconds: 1, failureThreshold: 3 }) }));
    await h.tick(3);
    assert.deepEqual(h.unhealthy, ['uid-1 web c1 Startup probe failed: HTTP probe failed with statuscode: 500']);
    h.mgr.stop();
  });

  it('resets readiness to false when the container ID changes', async () => {
    const h = harness();
    const pod = podWith({ readinessProbe: http('/ready', { periodSeconds: 5, initialDelaySeconds: 2 }) });
    h.run('c1', pod);
    await h.tick(2);
    assert.equal(h.mgr.isReady('uid-1', 'web', 'c1'), false, 'first tick fell inside the initial delay');
    await h.tick(3);
    assert.equal(h.mgr.isReady('uid-1', 'web', 'c1'), true, 'second tick, 5 s after the start');
    h.run('c2', pod);
    await h.mgr.whenIdle();
    assert.equal(h.mgr.isReady('uid-1', 'web', 'c2'), false);
    await h.tick(1);
    assert.equal(h.mgr.isReady('uid-1', 'web', 'c2'), false);
    await h.tick(4);
    assert.equal(h.mgr.isReady('uid-1', 'web', 'c2'), true);
    h.mgr.stop();
  });

  it('probes readiness at the first sync after the initial delay, once per container, not a period later', async () => {
    const h = harness();
    const pod = podWith({ readinessProbe: http('/ready', { initialDelaySeconds: 3, periodSeconds: 10 }) });
    const started = new Date(h.timers.now());
    const sync = (id = 'c1'): void => h.mgr.update(pod, new Map([['web', { id, startedAt: started }]]), '127.0.0.1');
    status.set('/ready', 500);
    sync();
    await h.tick(4);
    assert.equal(hit('/ready'), 0, 'the tick at 0 s fell inside the initial delay');
    sync();
    await h.mgr.whenIdle();
    assert.equal(hit('/ready'), 1, 'the sync triggered the first probe');
    await h.tick(1);
    sync();
    await h.tick(1);
    sync();
    await h.mgr.whenIdle();
    assert.equal(hit('/ready'), 1, 'later syncs wait for the ticker');
    await h.tick(4);
    assert.equal(hit('/ready'), 2, 'the 10 s tick');
    h.mgr.stop();
  });

  it('counts the initial delay from the container start time', async () => {
    const h = harness();
    h.run('c1', podWith({ readinessProbe: http('/ready', { initialDelaySeconds: 5, periodSeconds: 10 }) }), 6000);
    await h.tick(1);
    assert.equal(hit('/ready'), 1);
    h.mgr.stop();
  });

  it('spreads the first probe over the period when the kubelet just started, not later', async () => {
    const h = harness(0.5);
    h.run('c1', podWith({ livenessProbe: http('/live', { periodSeconds: 10 }) }));
    await h.tick(4);
    assert.equal(hit('/live'), 0);
    await h.tick(1);
    assert.equal(hit('/live'), 1, 'first probe after half a period');
    h.mgr.stop();

    const late = harness(0.5);
    await late.tick(11);
    late.run('c1', podWith({ livenessProbe: http('/live', { periodSeconds: 10 }) }));
    await late.tick(1);
    assert.equal(hit('/live'), 2, 'no jitter once the kubelet runs longer than a period');
    late.mgr.stop();
  });

  it('stops every worker and timer of a removed pod', async () => {
    const h = harness();
    h.run('c1', podWith({ readinessProbe: http('/ready', { periodSeconds: 1 }), livenessProbe: http('/live', { periodSeconds: 1 }) }));
    await h.tick(2);
    assert.equal(h.mgr.workerCount, 2);
    h.mgr.removePod('uid-1');
    await h.mgr.whenIdle();
    assert.equal(h.mgr.workerCount, 0);
    assert.equal(h.timers.size, 0);
    assert.equal(h.mgr.isReady('uid-1', 'web', 'c1'), undefined);
    const n = hit('/ready');
    await h.tick(3);
    assert.equal(hit('/ready'), n);
  });

  it('ends the worker when the container is gone under restartPolicy Never', async () => {
    const h = harness();
    const pod = podWith({ readinessProbe: http('/ready', { periodSeconds: 1 }) }, { restartPolicy: 'Never' });
    h.run('c1', pod);
    await h.tick(1);
    assert.equal(h.mgr.isReady('uid-1', 'web', 'c1'), true);
    h.mgr.update(pod, new Map(), '127.0.0.1');
    await h.tick(2);
    assert.equal(h.mgr.workerCount, 0);
    h.mgr.update(pod, new Map(), '127.0.0.1');
    assert.equal(h.mgr.workerCount, 0, 'not recreated by the next sync');
    h.mgr.stop();
  });

  it('stops liveness probing of a pod being deleted, without reporting it unhealthy', async () => {
    const h = harness();
    status.set('/live', 500);
    h.run('c1', podWith({ livenessProbe: http('/live', { periodSeconds: 1, failureThreshold: 1 }) }, { deleting: true }));
    await h.tick(3);
    assert.equal(hit('/live'), 0);
    assert.deepEqual(h.unhealthy, []);
    assert.equal(h.mgr.workerCount, 0);
    h.mgr.stop();
  });

  it('reports every probe run for prober_probe_total', async () => {
    const h = harness();
    status.set('/ready', 500);
    h.run('c1', podWith({ readinessProbe: http('/ready', { periodSeconds: 1 }) }));
    await h.tick(0);
    status.set('/ready', 200);
    await h.tick(1);
    assert.deepEqual(h.probes, ['Readiness failed default/web-0/web uid-1', 'Readiness successful default/web-0/web uid-1']);
    h.mgr.stop();
  });

  it('runs exec probes through the runtime exec', async () => {
    const h = harness();
    h.run('c1', podWith({ livenessProbe: { exec: { command: ['sh', '-c', 'echo down; exit 3'] }, periodSeconds: 1, failureThreshold: 1 } }));
    await h.tick(1);
    assert.deepEqual(h.unhealthy, ['uid-1 web c1 Liveness probe failed: down\n']);
    h.mgr.stop();
  });
});
