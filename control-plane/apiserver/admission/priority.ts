/**
 * Mutating admission plug-in `Priority`, as upstream's
 * (plugin/pkg/admission/priority):
 * - a new Pod's spec.priorityClassName resolves to the PriorityClass's
 *   value in spec.priority (and its preemptionPolicy when the pod sets
 *   none); without a name, the globalDefault class applies if there is
 *   one, else priority 0;
 * - the built-in classes system-cluster-critical (2000000000) and
 *   system-node-critical (2000001000) resolve even before they are stored;
 * - an unknown class is 403 `no PriorityClass with name X was found`;
 * - a pod that states a priority different from its class's value is 403,
 *   with upstream's message;
 * - a second PriorityClass with globalDefault: true is refused (403).
 * It runs before defaulting, so the pod defaults never guess a priority.
 */
import { forbidden } from '../../api/errors.js';
import { isPlainObject, type KubeObject } from '../../api/meta.js';
import type { ResourceTable } from '../../api/resource-table.js';
import type { Store } from '../../storage/store.js';
import type { AdmissionAttributes, MutatingPlugin } from './admission.js';

export const SYSTEM_PRIORITY_CLASSES: Readonly<Record<string, number>> = {
  'system-cluster-critical': 2000000000,
  'system-node-critical': 2000001000,
};

interface PriorityClass {
  name: string;
  value: number;
  globalDefault: boolean;
  preemptionPolicy?: string;
}

function asClass(obj: KubeObject): PriorityClass {
  return {
    name: obj.metadata.name ?? '',
    value: typeof obj.value === 'number' ? obj.value : 0,
    globalDefault: obj.globalDefault === true,
    preemptionPolicy: typeof obj.preemptionPolicy === 'string' ? obj.preemptionPolicy : undefined,
  };
}

const DEFAULT_CACHE_MS = 1000;

export function priorityPlugin(deps: { store: Store; table: ResourceTable }): MutatingPlugin {
  const prefix = (): string => deps.table.resolve('scheduling.k8s.io', 'v1', 'priorityclasses')?.entry.storagePrefix ?? '/registry/priorityclasses/';

  const lookup = async (name: string): Promise<PriorityClass | undefined> => {
    const got = await deps.store.get(prefix() + name);
    if (got) return asClass(JSON.parse(got.value) as KubeObject);
    const builtin = SYSTEM_PRIORITY_CLASSES[name];
    return builtin === undefined ? undefined : { name, value: builtin, globalDefault: false, preemptionPolicy: 'PreemptLowerPriority' };
  };

  const globalDefault = async (exceptName?: string): Promise<PriorityClass | undefined> => {
    const { entries } = await deps.store.list(prefix());
    for (const e of entries) {
      const pc = asClass(JSON.parse(e.value) as KubeObject);
      if (pc.globalDefault && pc.name !== exceptName) return pc;
    }
    return undefined;
  };

  // Pod creation asks for the global default on every pod; like upstream's
  // lister, a short-lived cache is eventually consistent (a new default
  // applies within a second) instead of listing every class per pod.
  let cachedDefault: { at: number; value: Promise<PriorityClass | undefined> } | undefined;
  const podDefault = (): Promise<PriorityClass | undefined> => {
    const now = Date.now();
    if (!cachedDefault || now - cachedDefault.at > DEFAULT_CACHE_MS) cachedDefault = { at: now, value: globalDefault() };
    return cachedDefault.value;
  };

  const admitPod = async (attrs: AdmissionAttributes, pod: KubeObject): Promise<void> => {
    if (!isPlainObject(pod.spec)) return;
    const spec = pod.spec;
    const gr = { group: '', resource: 'pods' };
    const name = typeof spec.priorityClassName === 'string' ? spec.priorityClassName : '';
    let pc: PriorityClass | undefined;
    if (name) {
      pc = await lookup(name);
      if (!pc) throw forbidden(gr, attrs.name, `no PriorityClass with name ${name} was found`);
    } else {
      pc = await podDefault();
      if (pc) spec.priorityClassName = pc.name;
    }
    const value = pc?.value ?? 0;
    if (typeof spec.priority === 'number' && spec.priority !== value) {
      throw forbidden(
        gr,
        attrs.name,
        `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`,
      );
    }
    spec.priority = value;
    if (pc?.preemptionPolicy) {
      if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== pc.preemptionPolicy) {
        throw forbidden(
          gr,
          attrs.name,
          `the string value of PreemptionPolicy (${String(spec.preemptionPolicy)}) must not be provided in pod spec; priority admission controller computed ${pc.preemptionPolicy} from the given PriorityClass name`,
        );
      }
      spec.preemptionPolicy = pc.preemptionPolicy;
    }
  };

  return {
    name: 'Priority',
    async admit(attrs: AdmissionAttributes): Promise<void> {
      const entry = attrs.resource.entry;
      if (attrs.subresource !== '' || !attrs.object) return;
      if (entry.group === '' && entry.resource === 'pods' && attrs.operation === 'CREATE') {
        await admitPod(attrs, attrs.object);
        return;
      }
      if (entry.group === 'scheduling.k8s.io' && entry.resource === 'priorityclasses' && attrs.object.globalDefault === true) {
        if (attrs.operation !== 'CREATE' && attrs.operation !== 'UPDATE') return;
        const other = await globalDefault(attrs.name);
        if (other) {
          throw forbidden(
            { group: 'scheduling.k8s.io', resource: 'priorityclasses' },
            attrs.name,
            `PriorityClass ${other.name} is already marked as default. Only one default can exist`,
          );
        }
      }
    },
  };
}
