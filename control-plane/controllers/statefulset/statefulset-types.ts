/**
 * The StatefulSet fields the controller reads and the status it writes
 * (apps/v1), narrowed from the API's untyped objects. The API server has
 * validated and defaulted the spec, so the shape holds. Pure.
 */
import type { KubeObject } from '../../api/meta.js';
import type { LabelSelector } from '../../api/selectors/label-selector.js';

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
  conditions?: unknown[];
}

export interface StatefulSet extends KubeObject {
  spec?: {
    replicas?: number;
    selector?: LabelSelector;
    template?: unknown;
    serviceName?: string;
    podManagementPolicy?: string;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } };
    revisionHistoryLimit?: number;
    minReadySeconds?: number;
    ordinals?: { start?: number };
    volumeClaimTemplates?: unknown[];
  };
  status?: Partial<StatefulSetStatus>;
}
