/**
 * What the Job controller needs to know about its pods, with upstream's
 * names and meanings (pkg/controller/job):
 * - the batch.kubernetes.io/job-tracking finalizer every pod is created
 *   with and keeps until its outcome is recorded in the Job status;
 * - a pod counts as failed when its phase is Failed or, unless
 *   podReplacementPolicy is Failed, when it is being deleted without having
 *   succeeded (orphans that never reach Failed still count);
 * - Indexed pods carry their completion index in an annotation and label,
 *   hostname `<job>-<index>`, env JOB_COMPLETION_INDEX, and generateName
 *   `<job>-<index>-`; NonIndexed pods are named `<job>-<random>`;
 * - podForJob builds the pod to create from the template. Pure.
 */
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import { isPodReady, podPhase, type Pod } from '../framework/pod-util.js';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
export const COMPLETION_INDEX_LABEL = 'batch.kubernetes.io/job-completion-index';
/** Generated names are at most 63 characters, 5 of them random. */
const MAX_GENERATED_NAME_PREFIX = 58;

export interface JobSpec {
  parallelism?: number | null;
  completions?: number | null;
  activeDeadlineSeconds?: number | null;
  backoffLimit?: number | null;
  selector?: unknown;
  template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] }; spec?: Record<string, unknown> };
  ttlSecondsAfterFinished?: number | null;
  completionMode?: string;
  suspend?: boolean;
  podReplacementPolicy?: string;
  managedBy?: string;
}

export interface JobCondition {
  type: string;
  status: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface JobStatus {
  conditions?: JobCondition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  ready?: number;
  completedIndexes?: string;
  uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] };
  [k: string]: unknown;
}

export type Job = KubeObject & { spec?: JobSpec; status?: JobStatus };

export function hasTrackingFinalizer(pod: Pod): boolean {
  return pod.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;
}

export function isIndexedJob(job: Job): boolean {
  return job.spec?.completionMode === 'Indexed';
}

/** The completion index of an Indexed Job's pod, or undefined when absent or malformed. */
export function completionIndex(pod: Pod): number | undefined {
  const v = pod.metadata.annotations?.[COMPLETION_INDEX_ANNOTATION];
  return v !== undefined && /^(0|[1-9][0-9]*)$/.test(v) ? Number(v) : undefined;
}

export function isPodFailed(pod: Pod, job: Job): boolean {
  const phase = podPhase(pod);
  if (phase === 'Failed') return true;
  if (job.spec?.podReplacementPolicy === 'Failed') return false;
  return pod.metadata.deletionTimestamp !== undefined && phase !== 'Succeeded';
}

export function isPodTerminating(pod: Pod): boolean {
  const phase = podPhase(pod);
  return pod.metadata.deletionTimestamp !== undefined && phase !== 'Succeeded' && phase !== 'Failed';
}

interface Container {
  env?: { name: string; [k: string]: unknown }[];
  [k: string]: unknown;
}

function addIndexEnv(containers: unknown): void {
  if (!Array.isArray(containers)) return;
  for (const c of containers as Container[]) {
    if (c.env?.some((e) => e.name === 'JOB_COMPLETION_INDEX')) continue;
    c.env = [
      ...(c.env ?? []),
      { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.annotations['${COMPLETION_INDEX_ANNOTATION}']` } } },
    ];
  }
}

export function podGenerateName(jobName: string, index?: number): string {
  if (index === undefined) return `${jobName}-`;
  const suffix = `-${index}-`;
  const prefix = jobName + suffix;
  return prefix.length > MAX_GENERATED_NAME_PREFIX ? jobName.slice(0, MAX_GENERATED_NAME_PREFIX - suffix.length) + suffix : prefix;
}

export function podForJob(job: Job, index?: number): Pod {
  const tpl = structuredClone(job.spec?.template ?? {});
  const name = job.metadata.name ?? '';
  const labels = { ...(tpl.metadata?.labels ?? {}) };
  const annotations = { ...(tpl.metadata?.annotations ?? {}) };
  const spec: Record<string, unknown> = tpl.spec ?? {};
  if (index !== undefined) {
    annotations[COMPLETION_INDEX_ANNOTATION] = String(index);
    labels[COMPLETION_INDEX_LABEL] = String(index);
    spec.hostname = `${name}-${index}`;
    addIndexEnv(spec.containers);
    addIndexEnv(spec.initContainers);
  }
  const owner: OwnerReference = { apiVersion: 'batch/v1', kind: 'Job', name, uid: job.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
  const finalizers = [...(tpl.metadata?.finalizers ?? [])];
  if (!finalizers.includes(JOB_TRACKING_FINALIZER)) finalizers.push(JOB_TRACKING_FINALIZER);
  const metadata: Pod['metadata'] = { generateName: podGenerateName(name, index), namespace: job.metadata.namespace, labels, finalizers, ownerReferences: [owner] };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

/**
 * Active pods in the order to delete them (as upstream's ActivePods sort):
 * unscheduled before scheduled, Pending before Running, not ready before
 * ready, newer before older.
 */
export function podsForRemoval(pods: Pod[], count: number): Pod[] {
  const rank = (p: Pod): number[] => [
    p.spec?.nodeName ? 1 : 0,
    podPhase(p) === 'Pending' ? 0 : podPhase(p) === 'Unknown' ? 1 : 2,
    isPodReady(p) ? 1 : 0,
    -(Date.parse(p.metadata.creationTimestamp ?? '') || 0),
  ];
  const sorted = [...pods].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
    return 0;
  });
  return sorted.slice(0, Math.max(0, count));
}
