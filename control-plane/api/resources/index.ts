/**
 * The built-in resources, in upstream's discovery order: core, apps,
 * events.k8s.io (the alias on core events), authentication.k8s.io
 * (virtual SelfSubjectReview), batch, policy,
 * scheduling.k8s.io, coordination.k8s.io, discovery.k8s.io.
 *
 * Core events are registered after apps so that events.k8s.io follows
 * apps in ResourceTable.groups(), as in upstream discovery; the core group
 * itself is still first.
 */
import { ResourceTable, type ResourceEntry } from '../resource-table.js';
import { cronjobs } from './cronjobs.js';
import { configmaps, secrets } from './config-data.js';
import { controllerrevisions } from './controllerrevisions.js';
import { endpoints, serviceaccounts } from './core-misc.js';
import { daemonsets } from './daemonsets.js';
import { deployments } from './deployments.js';
import { events } from './events.js';
import { endpointslices, leases, poddisruptionbudgets, priorityclasses } from './cluster-kinds.js';
import { jobs } from './jobs.js';
import { namespaces, nodes } from './namespaces.js';
import { pods } from './pods.js';
import { limitranges, resourcequotas } from './quotas.js';
import { replicasets } from './replicasets.js';
import { services } from './services.js';
import { statefulsets } from './statefulsets.js';
import { selfsubjectreviews } from './selfsubjectreviews.js';
import { withBuiltinPrinters } from '../printers/builtin.js';

export function builtinResources(): ResourceEntry[] {
  // Each entry gets its upstream printer (control-plane/api/printers/builtin.ts).
  return withBuiltinPrinters([
    // core/v1 (events below, after apps)
    namespaces,
    nodes,
    pods,
    services,
    endpoints,
    configmaps,
    secrets,
    serviceaccounts,
    resourcequotas,
    limitranges,
    // apps/v1
    deployments,
    replicasets,
    daemonsets,
    statefulsets,
    controllerrevisions,
    // core/v1 events, also events.k8s.io/v1
    events,
    // authentication.k8s.io/v1 (virtual: reviews are answered, never stored)
    selfsubjectreviews,
    // batch/v1
    jobs,
    cronjobs,
    // policy/v1
    poddisruptionbudgets,
    // scheduling.k8s.io/v1
    priorityclasses,
    // coordination.k8s.io/v1
    leases,
    // discovery.k8s.io/v1
    endpointslices,
  ]);
}

export function newBuiltinTable(): ResourceTable {
  const table = new ResourceTable();
  for (const e of builtinResources()) table.register(e);
  return table;
}
