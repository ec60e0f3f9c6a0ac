/**
 * What the apiserver's parts are built from. buildServer (server.ts) gets one
 * ApiServerDeps from control-plane/main.ts and hands it to the REST routes,
 * discovery and the plug-ins. Nothing here is a singleton: tests build their
 * own with a fake clock and seeded ids.
 */
import type { ResourceTable } from '../api/resource-table.js';
import type { Clock } from '../api/meta.js';
import type { Store } from '../storage/store.js';
import type { AdmissionChain } from './admission/admission.js';
import type { ServiceAccountTokenIssuer } from './auth/service-account-token.js';
export type { UserInfo } from './user.js';

/** Counters the REST layer reports into; the metrics plug-in implements it. */
export interface ApiMetrics {
  watchOpened(resource: string): void;
  watchClosed(resource: string): void;
}

export const noMetrics: ApiMetrics = { watchOpened: () => undefined, watchClosed: () => undefined };

export interface ApiServerDeps {
  table: ResourceTable;
  store: Store;
  clock: Clock;
  /** Fresh object uids (crypto.randomUUID in production; seeded in tests). */
  newUid(): string;
  /** Random lowercase alphanumerics for generateName suffixes. */
  randomSuffix(length: number): string;
  admission: AdmissionChain;
  metrics: ApiMetrics;
  /** The Kubernetes version we serve: `v1.33.0+skiff.<version>`. */
  gitVersion: string;
  /** Signs serviceaccounts/token (TokenRequest); absent: that subresource answers 503. */
  serviceAccountTokens?: ServiceAccountTokenIssuer;
}
