/**
 * Which printer each built-in resource uses, by `<group>/<resource>`.
 * resources/index.ts attaches them to the entries; a resource missing here
 * (limitranges, reviews) prints the default NAME / CREATED AT table.
 */
import { cronJobPrinter, controllerRevisionPrinter, daemonSetPrinter, deploymentPrinter, jobPrinter, replicaSetPrinter, statefulSetPrinter } from './workloads.js';
import { eventPrinter, leasePrinter, namespacePrinter, nodePrinter, podDisruptionBudgetPrinter, priorityClassPrinter } from './cluster.js';
import { configMapPrinter, resourceQuotaPrinter, secretPrinter, serviceAccountPrinter } from './config.js';
import { endpointSlicePrinter, endpointsPrinter, servicePrinter } from './networking.js';
import { podPrinter } from './pods.js';
import type { Printer } from './printer.js';

const BUILTIN: Record<string, Printer> = {
  '/pods': podPrinter,
  '/services': servicePrinter,
  '/endpoints': endpointsPrinter,
  '/nodes': nodePrinter,
  '/namespaces': namespacePrinter,
  '/events': eventPrinter,
  '/configmaps': configMapPrinter,
  '/secrets': secretPrinter,
  '/serviceaccounts': serviceAccountPrinter,
  '/resourcequotas': resourceQuotaPrinter,
  'apps/deployments': deploymentPrinter,
  'apps/replicasets': replicaSetPrinter,
  'apps/daemonsets': daemonSetPrinter,
  'apps/statefulsets': statefulSetPrinter,
  'apps/controllerrevisions': controllerRevisionPrinter,
  'batch/jobs': jobPrinter,
  'batch/cronjobs': cronJobPrinter,
  'policy/poddisruptionbudgets': podDisruptionBudgetPrinter,
  'scheduling.k8s.io/priorityclasses': priorityClassPrinter,
  'coordination.k8s.io/leases': leasePrinter,
  'discovery.k8s.io/endpointslices': endpointSlicePrinter,
};

export function builtinPrinter(group: string, resource: string): Printer | undefined {
  return BUILTIN[`${group}/${resource}`];
}

/** Entries with their built-in printer attached (copies; the inputs are not changed). */
export function withBuiltinPrinters<E extends { group: string; resource: string; printer?: Printer }>(entries: E[]): E[] {
  return entries.map((e) => {
    const printer = e.printer ?? builtinPrinter(e.group, e.resource);
    return printer && printer !== e.printer ? { ...e, printer } : e;
  });
}
