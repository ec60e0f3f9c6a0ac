import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../field-errors.js';
import type { KubeObject } from '../meta.js';
import type { ResourceEntry } from '../resource-table.js';
import { cronjobs } from './cronjobs.js';
import { daemonsets, TEMPLATE_GENERATION_ANNOTATION } from './daemonsets.js';
import { deployments } from './deployments.js';
import { jobs } from './jobs.js';
import { selectorString } from './label-selector.js';
import { statefulsets } from './statefulsets.js';

const templatePodSpec = {
  containers: [{ name: 'c', image: 'nginx:1', imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} }],
  dnsPolicy: 'ClusterFirst',
  restartPolicy: 'Always',
  securityContext: {},
  terminationGracePeriodSeconds: 30,
  schedulerName: 'default-scheduler',
};

function run(entry: ResourceEntry, o: KubeObject, old?: KubeObject): string[] {
  entry.defaults?.(o);
  entry.normalize?.(o);
  return (entry.validate?.(o, old) ?? []).map(formatFieldError);
}

function deployment(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' }, spec };
}

const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } };

describe('deployments', () => {
  test('defaults: replicas 1, RollingUpdate 25%/25%, history 10, deadline 600, template defaults', () => {
    const d = deployment({ selector: { matchLabels: { app: 'x' } }, template: structuredClone(template) });
    assert.deepEqual(run(deployments, d), []);
    assert.deepEqual(d.spec, {
      replicas: 1,
      selector: { matchLabels: { app: 'x' } },
      template: { metadata: { labels: { app: 'x' } }, spec: templatePodSpec },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
  });

  test('negative replicas and a selector that misses the template are invalid', () => {
    const d = deployment({ replicas: -1, selector: { matchLabels: { app: 'y' } }, template: structuredClone(template) });
    assert.deepEqual(run(deployments, d), [
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.template.metadata.labels: Invalid value: {"app":"x"}: `selector` does not match template `labels`',
    ]);
  });

  test('a selector is required', () => {
    assert.deepEqual(run(deployments, deployment({ template: structuredClone(template) })), ['spec.selector: Required value']);
  });

  test('the selector is immutable', () => {
    const old = deployment({ selector: { matchLabels: { app: 'x' } }, template: structuredClone(template) });
    run(deployments, old);
    const changed = structuredClone(old);
    (changed.spec as Record<string, unknown>).selector = { matchLabels: { app: 'x', tier: 'a' } };
    ((changed.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels).tier = 'a';
    assert.deepEqual(run(deployments, changed, old), ['spec.selector: Invalid value: {"matchLabels":{"app":"x","tier":"a"}}: field is immutable']);
  });

  test('scale reads replicas and prints the selector as upstream', () => {
    const d = deployment({
      replicas: 3,
      selector: { matchLabels: { app: 'nginx' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }, { key: 'zone', operator: 'DoesNotExist' }] },
    });
    const scale = deployments.subresources?.scale;
    assert.equal(scale?.specReplicas(d), 3);
    assert.equal(scale?.statusReplicas(d), 0);
    assert.equal(scale?.selector(d), 'app=nginx,tier in (a,b),!zone');
    scale?.setReplicas(d, 5);
    assert.equal((d.spec as { replicas: number }).replicas, 5);
    assert.equal(selectorString({ matchExpressions: [{ key: 'k', operator: 'NotIn', values: ['v'] }, { key: 'e', operator: 'Exists' }] }), 'e,k notin (v)');
  });
});

describe('statefulsets', () => {
  test('defaults include OrderedReady, partition 0 and Retain/Retain', () => {
    const s: KubeObject = { metadata: { name: 's', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'x' } }, template: structuredClone(template) } };
    assert.deepEqual(run(statefulsets, s), []);
    const spec = s.spec as Record<string, unknown>;
    assert.equal(spec.podManagementPolicy, 'OrderedReady');
    assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
    assert.equal(spec.replicas, 1);
    assert.equal(spec.revisionHistoryLimit, 10);
  });
});

describe('jobs and cronjobs', () => {
  test('job defaults and the generated selector', () => {
    const j: KubeObject = {
      metadata: { name: 'pi', namespace: 'default', uid: 'u-1' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5' }] } } },
    };
    assert.deepEqual(run(jobs, j), []);
    const spec = j.spec as Record<string, unknown>;
    assert.equal(spec.completions, 1);
    assert.equal(spec.parallelism, 1);
    assert.equal(spec.backoffLimit, 6);
    assert.equal(spec.completionMode, 'NonIndexed');
    assert.equal(spec.suspend, false);
    assert.equal(spec.podReplacementPolicy, 'TerminatingOrFailed');
    assert.deepEqual(spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
    const labels = { 'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'u-1', 'batch.kubernetes.io/controller-uid': 'u-1' };
    assert.deepEqual((spec.template as { metadata: unknown }).metadata, { labels });
    assert.deepEqual(j.metadata.labels, labels);
  });

  test('a job template must not restart Always', () => {
    const j: KubeObject = { metadata: { name: 'j', namespace: 'default', uid: 'u' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } };
    assert.deepEqual(run(jobs, j), ['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']);
  });

  test('cronjob defaults', () => {
    const c: KubeObject = {
      metadata: { name: 'c', namespace: 'default' },
      spec: { schedule: '*/1 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } } },
    };
    assert.deepEqual(run(cronjobs, c), []);
    const spec = c.spec as Record<string, unknown>;
    assert.equal(spec.concurrencyPolicy, 'Allow');
    assert.equal(spec.suspend, false);
    assert.equal(spec.successfulJobsHistoryLimit, 3);
    assert.equal(spec.failedJobsHistoryLimit, 1);
    const podSpec = (spec.jobTemplate as { spec: { template: { spec: Record<string, unknown> } } }).spec.template.spec;
    assert.equal(podSpec.schedulerName, 'default-scheduler');
  });

  test('a cronjob schedule must have five fields', () => {
    const c: KubeObject = { metadata: { name: 'c', namespace: 'default' }, spec: { schedule: 'often', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } } } } };
    assert.deepEqual(run(cronjobs, c), ['spec.schedule: Invalid value: "often": expected exactly 5 fields, found 1: [often]']);
  });
});

describe('daemonsets', () => {
  const ds = (image: string, annotations?: Record<string, string>): KubeObject => ({
    metadata: { name: 'agent', namespace: 'default', ...(annotations ? { annotations } : {}) },
    spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image }] } } },
  });
  test('the template generation starts at 1 and counts template changes only', () => {
    const created = ds('a:1');
    daemonsets.beforeCreate?.(created);
    assert.equal(created.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION], '1');
    const relabelled = ds('a:1', { [TEMPLATE_GENERATION_ANNOTATION]: '7', note: 'x' });
    daemonsets.beforeUpdate?.(relabelled, created);
    assert.equal(relabelled.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION], '1', 'clients cannot move it');
    const changed = ds('a:2');
    daemonsets.beforeUpdate?.(changed, created);
    assert.equal(changed.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION], '2');
  });
});
