/**
 * The Job, TTL-after-finished and CronJob controllers end to end: a real
 * `skiff server` (controllers and scheduler), three simulated nodes whose
 * pods exit after `sim.skiff.dev/exit-after` seconds, and the real kubectl
 * 1.32.
 * - a Job with completions 3 and parallelism 2 completes (`kubectl wait
 *   --for=condition=complete`) with 3 succeeded, pods `<job>-<5 random>`,
 *   tracking finalizers released, upstream's events;
 * - an Indexed Job completes with completedIndexes "0-2" and indexed pods;
 * - activeDeadlineSeconds fails a Job with DeadlineExceeded (the sim has
 *   no way to make a container fail, so backoffLimit is unit-tested);
 * - a suspended Job starts no pods until resumed;
 * - ttlSecondsAfterFinished deletes a finished Job;
 * - a CronJob `* * * * *` creates `<cronjob>-<minutes since epoch>` at the
 *   next minute and sees it complete (waits up to a minute).
 * The cases run concurrently to keep the file near one minute.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../control-plane/api/meta.js';
import { eventually, Kubectl } from '../helpers/kubectl.js';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

let server: SkiffHandle;
let sim: SimHandle;
let home: TempDir;
let k: Kubectl;

interface JobOpts {
  completions?: number;
  parallelism?: number;
  indexed?: boolean;
  exitAfter?: number;
  activeDeadlineSeconds?: number;
  ttl?: number;
  suspend?: boolean;
}

function jobSpecLines(o: JobOpts, indent: string): string[] {
  return [
    ...(o.completions !== undefined ? [`completions: ${o.completions}`] : []),
    ...(o.parallelism !== undefined ? [`parallelism: ${o.parallelism}`] : []),
    ...(o.indexed ? ['completionMode: Indexed'] : []),
    ...(o.activeDeadlineSeconds !== undefined ? [`activeDeadlineSeconds: ${o.activeDeadlineSeconds}`] : []),
    ...(o.ttl !== undefined ? [`ttlSecondsAfterFinished: ${o.ttl}`] : []),
    ...(o.suspend ? ['suspend: true'] : []),
    'template:',
    '  metadata:',
    ...(o.exitAfter !== undefined ? ['    annotations:', `      sim.skiff.dev/exit-after: "${o.exitAfter}"`] : ['    labels:', '      kind: long']),
    '  spec:',
    '    restartPolicy: Never',
    '    terminationGracePeriodSeconds: 1',
    '    containers:',
    '    - name: work',
    '      image: busybox:1.36',
  ].map((l) => indent + l);
}

function jobYaml(name: string, o: JobOpts): string {
  return ['apiVersion: batch/v1', 'kind: Job', 'metadata:', `  name: ${name}`, 'spec:', ...jobSpecLines(o, '  '), ''].join('\n');
}

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

async function getJson<T = Obj>(args: string[]): Promise<T> {
  return JSON.parse(await k.ok([...args, '-o', 'json'])) as T;
}

async function podsOf(job: string): Promise<Obj[]> {
  return (await getJson<{ items: Obj[] }>(['get', 'pods', '-l', `batch.kubernetes.io/job-name=${job}`])).items;
}

async function eventsFor(kind: string, name: string): Promise<{ reason: string; message: string; source?: { component?: string } }[]> {
  const list = await getJson<{ items: { reason: string; message: string; source?: { component?: string } }[] }>([
    'get',
    'events',
    '--field-selector',
    `involvedObject.kind=${kind},involvedObject.name=${name}`,
  ]);
  return list.items;
}

describe('jobs and cronjobs', { timeout: 150_000, concurrency: true }, () => {
  before(async () => {
    home = tempDir('skiff-jobs-home-');
    server = await startSkiff({});
    sim = await startSim({ kubeconfig: server.kubeconfig, nodes: 3 });
    k = new Kubectl('1.32', server.kubeconfig, home.path);
    await eventually(async () => (await k.ok(['get', 'nodes', '-o', 'name'])).split('\n').filter(Boolean).length === 3, 20_000, '3 nodes');
  });
  after(async () => {
    await sim?.stop();
    await server?.stop();
    home?.remove();
  });

  it('completes a Job of 3 completions, 2 at a time, counting each pod once', async () => {
    await k.ok(['apply', '-f', '-'], jobYaml('pi', { completions: 3, parallelism: 2, exitAfter: 1 }));
    await k.ok(['wait', '--for=condition=complete', 'job/pi', '--timeout=40s']);
    const job = await getJson(['get', 'job', 'pi']);
    const st = job.status as { succeeded?: number; failed?: number; active?: number; completionTime?: string; startTime?: string; uncountedTerminatedPods?: unknown; conditions?: { type: string; reason?: string }[] };
    assert.equal(st.succeeded, 3);
    assert.equal(st.failed, undefined);
    assert.equal(st.active, undefined);
    assert.ok(st.startTime && st.completionTime);
    assert.deepEqual(st.uncountedTerminatedPods, {});
    assert.deepEqual(st.conditions?.map((c) => [c.type, c.reason]), [
      ['SuccessCriteriaMet', 'CompletionsReached'],
      ['Complete', 'CompletionsReached'],
    ]);
    const pods = await podsOf('pi');
    assert.equal(pods.length, 3);
    for (const p of pods) {
      assert.match(p.metadata.name ?? '', /^pi-[a-z0-9]{5}$/);
      assert.equal(p.metadata.labels?.['job-name'], 'pi');
      assert.equal(p.metadata.labels?.['controller-uid'], job.metadata.uid);
      assert.equal(p.metadata.labels?.['batch.kubernetes.io/controller-uid'], job.metadata.uid);
      assert.equal((p.status as { phase?: string }).phase, 'Succeeded');
      assert.deepEqual(p.metadata.finalizers ?? [], [], 'tracking finalizer released');
    }
    const events = await eventsFor('Job', 'pi');
    const created = events.filter((e) => e.reason === 'SuccessfulCreate');
    assert.equal(created.length, 3);
    for (const e of created) assert.match(e.message, /^Created pod: pi-[a-z0-9]{5}$/);
    assert.ok(events.some((e) => e.reason === 'Completed' && e.message === 'Job completed' && e.source?.component === 'job-controller'));
    const out = await k.ok(['get', 'job', 'pi']);
    assert.match(out, /pi\s+Complete\s+3\/3/);
  });

  it('runs an Indexed Job with one pod per completion index', async () => {
    await k.ok(['apply', '-f', '-'], jobYaml('idx', { completions: 3, parallelism: 3, indexed: true, exitAfter: 1 }));
    await k.ok(['wait', '--for=condition=complete', 'job/idx', '--timeout=40s']);
    const job = await getJson(['get', 'job', 'idx']);
    assert.equal((job.status as { completedIndexes?: string }).completedIndexes, '0-2');
    assert.equal((job.status as { succeeded?: number }).succeeded, 3);
    const pods = await podsOf('idx');
    const indexes = pods.map((p) => {
      const ix = p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] ?? '';
      assert.equal(p.metadata.labels?.['batch.kubernetes.io/job-completion-index'], ix);
      assert.match(p.metadata.name ?? '', new RegExp(`^idx-${ix}-[a-z0-9]{5}$`));
      assert.equal((p.spec as { hostname?: string }).hostname, `idx-${ix}`);
      return ix;
    });
    assert.deepEqual(indexes.sort(), ['0', '1', '2']);
  });

  it('fails a Job that runs past activeDeadlineSeconds and deletes its pods', async () => {
    await k.ok(['apply', '-f', '-'], jobYaml('slow', { completions: 1, activeDeadlineSeconds: 3 }));
    await k.ok(['wait', '--for=condition=failed', 'job/slow', '--timeout=40s']);
    const job = await getJson(['get', 'job', 'slow']);
    const failed = (job.status as { conditions?: { type: string; status: string; reason?: string; message?: string }[] }).conditions?.find((c) => c.type === 'Failed');
    assert.deepEqual([failed?.status, failed?.reason, failed?.message], ['True', 'DeadlineExceeded', 'Job was active longer than specified deadline']);
    assert.equal((job.status as { failed?: number }).failed, 1);
    await eventually(async () => (await podsOf('slow')).length === 0, 20_000, 'pods of the failed Job gone');
    const events = await eventsFor('Job', 'slow');
    assert.ok(events.some((e) => e.reason === 'DeadlineExceeded' && e.message === 'Job was active longer than specified deadline'));
  });

  it('starts no pods while suspended and completes once resumed', async () => {
    await k.ok(['apply', '-f', '-'], jobYaml('later', { completions: 1, exitAfter: 1, suspend: true }));
    await eventually(async () => {
      const j = await getJson(['get', 'job', 'later']);
      return ((j.status as { conditions?: { type: string; status: string }[] }).conditions ?? []).some((c) => c.type === 'Suspended' && c.status === 'True');
    }, 15_000, 'Suspended condition');
    assert.equal((await podsOf('later')).length, 0);
    await k.ok(['patch', 'job', 'later', '--type=merge', '-p', '{"spec":{"suspend":false}}']);
    await k.ok(['wait', '--for=condition=complete', 'job/later', '--timeout=40s']);
    const reasons = (await eventsFor('Job', 'later')).map((e) => e.reason);
    assert.ok(reasons.includes('Suspended') && reasons.includes('Resumed'), reasons.join(','));
  });

  it('deletes a finished Job once ttlSecondsAfterFinished has passed', async () => {
    await k.ok(['apply', '-f', '-'], jobYaml('brief', { completions: 1, exitAfter: 1, ttl: 2 }));
    await k.ok(['wait', '--for=condition=complete', 'job/brief', '--timeout=40s']);
    await eventually(async () => (await k.run(['get', 'job', 'brief'])).code !== 0, 30_000, 'job/brief deleted');
    const r = await k.run(['get', 'job', 'brief']);
    assert.match(r.stderr, /NotFound|not found/);
  });

  it('runs a CronJob every minute: a Job named by its scheduled minute, which completes', async () => {
    const yaml = [
      'apiVersion: batch/v1',
      'kind: CronJob',
      'metadata:',
      '  name: tick',
      'spec:',
      '  schedule: "* * * * *"',
      '  jobTemplate:',
      '    spec:',
      ...jobSpecLines({ completions: 1, exitAfter: 1 }, '      '),
      '',
    ].join('\n');
    await k.ok(['apply', '-f', '-'], yaml);
    let jobName = '';
    await eventually(
      async () => {
        const jobs = (await getJson<{ items: Obj[] }>(['get', 'jobs'])).items.filter((j) => j.metadata.ownerReferences?.some((o) => o.kind === 'CronJob' && o.name === 'tick'));
        jobName = jobs[0]?.metadata.name ?? '';
        return jobName !== '';
      },
      75_000,
      'a Job of the CronJob',
    );
    const job = await getJson(['get', 'job', jobName]);
    const stamp = job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'] ?? '';
    assert.match(stamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);
    assert.equal(jobName, `tick-${Date.parse(stamp) / 60_000}`);
    await k.ok(['wait', '--for=condition=complete', `job/${jobName}`, '--timeout=30s']);
    await eventually(
      async () => {
        const cj = await getJson(['get', 'cronjob', 'tick']);
        const st = cj.status as { lastScheduleTime?: string; lastSuccessfulTime?: string; active?: unknown[] };
        return st.lastScheduleTime === stamp && st.lastSuccessfulTime !== undefined && st.active === undefined;
      },
      15_000,
      'CronJob status after the Job completed',
    );
    const events = await eventsFor('CronJob', 'tick');
    assert.ok(events.some((e) => e.reason === 'SuccessfulCreate' && e.message === `Created job ${jobName}` && e.source?.component === 'cronjob-controller'));
    assert.ok(events.some((e) => e.reason === 'SawCompletedJob' && e.message === `Saw completed job: ${jobName}, condition: Complete`));
  });
});
