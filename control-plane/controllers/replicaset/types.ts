/**
 * The apps/v1 ReplicaSet shape the ReplicaSet and Deployment controllers
 * read and write, with upstream's field names. Only what the controllers
 * touch is typed; everything else passes through untouched.
 */
import type { KubeObject } from '../../api/meta.js';
import type { LabelSelector } from '../../api/selectors/label-selector.js';

export interface PodTemplate {
  metadata?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    [k: string]: unknown;
  };
  spec?: Record<string, unknown>;
}

export interface ReplicaSetCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaSetStatus {
  replicas?: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

export interface ReplicaSet extends KubeObject {
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: LabelSelector;
    template?: PodTemplate;
  };
  status?: ReplicaSetStatus;
}

export const REPLICASET_API_VERSION = 'apps/v1';
export const REPLICASET_KIND = 'ReplicaSet';

/** spec.replicas with the API default (1) applied. */
export function specReplicas(rs: ReplicaSet): number {
  return rs.spec?.replicas ?? 1;
}
