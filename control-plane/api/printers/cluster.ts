/**
 * Printers of cluster-level and bookkeeping kinds: Node (STATUS
 * `Ready,SchedulingDisabled`, ROLES from node-role labels, wide addresses
 * and node info), Namespace, Event (LAST SEEN, OBJECT `pod/web-0`, wide
 * SUBOBJECT, SOURCE, FIRST SEEN, COUNT, NAME), Lease,
 * PodDisruptionBudget and PriorityClass.
 */
import type { KubeObject } from '../meta.js';
import { arr, intOrString, num, rec, since, str, timeOf, age } from './format.js';
import { AGE_COLUMN, NAME_COLUMN, column, type Printer } from './printer.js';

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

/** Roles from `node-role.kubernetes.io/<role>` keys and a `kubernetes.io/role` value, sorted. */
export function nodeRoles(node: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX)) {
      const role = k.slice(ROLE_PREFIX.length);
      if (role !== '') roles.add(role);
    } else if (k === ROLE_LABEL && v !== '') roles.add(v);
  }
  return [...roles].sort();
}

function nodeAddress(status: Record<string, unknown>, type: string): string {
  const a = arr(status.addresses).find((x) => x.type === type);
  return a ? str(a.address) : '<none>';
}

export const nodePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    AGE_COLUMN,
    column('Version', 'string', 'The kubelet version the node reports.'),
    column('Internal-IP', 'string', 'The internal address of the node.', { wide: true }),
    column('External-IP', 'string', 'The external address of the node.', { wide: true }),
    column('OS-Image', 'string', 'The operating system image the node reports.', { wide: true }),
    column('Kernel-Version', 'string', 'The kernel version the node reports.', { wide: true }),
    column('Container-Runtime', 'string', 'The container runtime and version the node reports.', { wide: true }),
  ],
  print(o, now) {
    const status = rec(o.status);
    const info = rec(status.nodeInfo);
    const ready = arr(status.conditions).filter((c) => c.type === 'Ready').pop();
    const states = [ready === undefined ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady'];
    if (rec(o.spec).unschedulable === true) states.push('SchedulingDisabled');
    const roles = nodeRoles(o).join(',') || '<none>';
    return {
      cells: [
        str(o.metadata.name),
        states.join(','),
        roles,
        age(o, now),
        str(info.kubeletVersion),
        nodeAddress(status, 'InternalIP'),
        nodeAddress(status, 'ExternalIP'),
        str(info.osImage) || '<unknown>',
        str(info.kernelVersion) || '<unknown>',
        str(info.containerRuntimeVersion) || '<unknown>',
      ],
    };
  },
};

export const namespacePrinter: Printer = {
  columns: [NAME_COLUMN, column('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
  print(o, now) {
    return { cells: [str(o.metadata.name), str(rec(o.status).phase), age(o, now)] };
  },
};

/** Event source: component (or reporting controller), then `, host` (or reporting instance) if any. */
function eventSource(o: KubeObject): string {
  const src = rec(o.source);
  const component = str(src.component) || str(o.reportingComponent);
  const instance = str(src.host) || str(o.reportingInstance);
  return instance === '' ? component : `${component}, ${instance}`;
}

export const eventPrinter: Printer = {
  columns: [
    column('Last Seen', 'string', 'When the event was last observed.'),
    column('Type', 'string', 'Normal or Warning.'),
    column('Reason', 'string', 'Why the event happened, in one CamelCase word.'),
    column('Object', 'string', 'The object the event is about.'),
    column('Subobject', 'string', 'The part of the object the event is about.', { wide: true }),
    column('Source', 'string', 'The component reporting the event.', { wide: true }),
    column('Message', 'string', 'A human-readable description of the event.'),
    column('First Seen', 'string', 'When the event was first observed.', { wide: true }),
    column('Count', 'string', 'How many times the event occurred.', { wide: true }),
    column('Name', 'string', 'The name of the event.', { wide: true, format: 'name' }),
  ],
  print(o, now) {
    const first = timeOf(o.firstTimestamp) === undefined ? since(o.eventTime, now) : since(o.firstTimestamp, now);
    let last = timeOf(o.lastTimestamp) === undefined ? first : since(o.lastTimestamp, now);
    let count = num(o.count);
    const series = o.series === undefined || o.series === null ? undefined : rec(o.series);
    if (series) {
      last = since(series.lastObservedTime, now);
      count = num(series.count);
    } else if (count === 0) {
      // Singleton events of the new API carry no count.
      count = 1;
    }
    const inv = rec(o.involvedObject);
    const kind = str(inv.kind).toLowerCase();
    const target = str(inv.name) !== '' ? `${kind}/${str(inv.name)}` : kind;
    return { cells: [last, str(o.type), str(o.reason), target, str(inv.fieldPath), eventSource(o), str(o.message).trim(), first, count, str(o.metadata.name)] };
  },
};

export const leasePrinter: Printer = {
  columns: [NAME_COLUMN, column('Holder', 'string', 'The identity of the lease holder.'), AGE_COLUMN],
  print(o, now) {
    return { cells: [str(o.metadata.name), str(rec(o.spec).holderIdentity), age(o, now)] };
  },
};

export const podDisruptionBudgetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Min Available', 'string', 'The minimum number of pods that must be available.'),
    column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    AGE_COLUMN,
  ],
  print(o, now) {
    const spec = rec(o.spec);
    const min = spec.minAvailable === undefined || spec.minAvailable === null ? 'N/A' : intOrString(spec.minAvailable);
    const max = spec.maxUnavailable === undefined || spec.maxUnavailable === null ? 'N/A' : intOrString(spec.maxUnavailable);
    return { cells: [str(o.metadata.name), min, max, num(rec(o.status).disruptionsAllowed), age(o, now)] };
  },
};

export const priorityClassPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Value', 'integer', 'The priority of pods of this class.'),
    column('Global-Default', 'boolean', 'Whether pods without a class get this one.'),
    AGE_COLUMN,
    column('PreemptionPolicy', 'string', 'Whether pods of this class may preempt lower-priority pods.'),
  ],
  print(o, now) {
    return { cells: [str(o.metadata.name), num(o.value), o.globalDefault === true, age(o, now), str(o.preemptionPolicy)] };
  },
};
