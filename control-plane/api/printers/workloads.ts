/**
 * Printers of the apps and batch workloads: Deployment, ReplicaSet,
 * DaemonSet, StatefulSet, ControllerRevision, Job and CronJob, with
 * upstream's columns (CONTAINERS, IMAGES and SELECTOR wide) and cells
 * (`ready/desired`, Job STATUS and COMPLETIONS, CronJob LAST SCHEDULE).
 */
import { parseApiVersion, type KubeObject } from '../meta.js';
import { arr, at, containerCells, formatLabels, formatSelector, humanDuration, num, printBoolPtr, rec, selectorString, since, str, timeOf, age } from './format.js';
import { AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN, NAME_COLUMN, SELECTOR_COLUMN, column, type Printer } from './printer.js';

const name = (o: KubeObject): string => str(o.metadata.name);

export const deploymentPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Ready', 'string', 'Number of the pod with ready state'),
    column('Up-to-date', 'string', 'Total number of pods targeted by this deployment that run the desired template.'),
    column('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds).'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    SELECTOR_COLUMN,
  ],
  print(o, now) {
    const spec = rec(o.spec);
    const status = rec(o.status);
    const [names, images] = containerCells(at(spec, 'template', 'spec'));
    return {
      cells: [name(o), `${num(status.readyReplicas)}/${num(spec.replicas)}`, num(status.updatedReplicas), num(status.availableReplicas), age(o, now), names, images, selectorString(spec.selector)],
    };
  },
};

export const replicaSetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Desired', 'integer', 'Number of desired pods.'),
    column('Current', 'integer', 'The most recently observed number of replicas.'),
    column('Ready', 'integer', 'The number of pods targeted by this ReplicaSet with a Ready condition.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    SELECTOR_COLUMN,
  ],
  print(o, now) {
    const spec = rec(o.spec);
    const status = rec(o.status);
    const [names, images] = containerCells(at(spec, 'template', 'spec'));
    return { cells: [name(o), num(spec.replicas), num(status.replicas), num(status.readyReplicas), age(o, now), names, images, formatSelector(spec.selector)] };
  },
};

export const daemonSetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Desired', 'integer', 'The number of nodes that should be running the daemon pod.'),
    column('Current', 'integer', 'The number of nodes running at least one daemon pod that are supposed to.'),
    column('Ready', 'integer', 'The number of nodes whose daemon pod is ready.'),
    column('Up-to-date', 'integer', 'The number of nodes running the updated daemon pod.'),
    column('Available', 'integer', 'The number of nodes whose daemon pod is available.'),
    column('Node Selector', 'string', 'The node selector of the pod template.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    SELECTOR_COLUMN,
  ],
  print(o, now) {
    const spec = rec(o.spec);
    const s = rec(o.status);
    const podSpec = at(spec, 'template', 'spec');
    const [names, images] = containerCells(podSpec);
    return {
      cells: [
        name(o),
        num(s.desiredNumberScheduled),
        num(s.currentNumberScheduled),
        num(s.numberReady),
        num(s.updatedNumberScheduled),
        num(s.numberAvailable),
        formatLabels(rec(podSpec).nodeSelector),
        age(o, now),
        names,
        images,
        formatSelector(spec.selector),
      ],
    };
  },
};

export const statefulSetPrinter: Printer = {
  columns: [NAME_COLUMN, column('Ready', 'string', 'Number of the pod with ready state'), AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN],
  print(o, now) {
    const spec = rec(o.spec);
    const [names, images] = containerCells(at(spec, 'template', 'spec'));
    return { cells: [name(o), `${num(at(o.status, 'readyReplicas'))}/${num(spec.replicas)}`, age(o, now), names, images] };
  },
};

export const controllerRevisionPrinter: Printer = {
  columns: [NAME_COLUMN, column('Controller', 'string', 'Controller of the object'), column('Revision', 'string', 'The revision this object represents.'), AGE_COLUMN],
  print(o, now) {
    const ref = arr(o.metadata.ownerReferences).find((r) => r.controller === true);
    let controller = '<none>';
    if (ref) {
      // GroupKind.String(): `StatefulSet.apps`, or just the kind in the core group; lower-cased.
      const { group } = parseApiVersion(str(ref.apiVersion));
      const kind = str(ref.kind);
      controller = kind === '' ? str(ref.name) : `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${str(ref.name)}`;
    }
    return { cells: [name(o), controller, num(o.revision), age(o, now)] };
  },
};

function jobCondition(status: Record<string, unknown>, type: string): boolean {
  const c = arr(status.conditions).find((x) => x.type === type);
  return c !== undefined && c.status === 'True';
}

export const jobPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Status', 'string', 'Status of the job.'),
    column('Completions', 'string', 'The number of pods which reached phase Succeeded, of those wanted.'),
    column('Duration', 'string', 'Time required to complete the job.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    SELECTOR_COLUMN,
  ],
  print(o, now) {
    const spec = rec(o.spec);
    const status = rec(o.status);
    const succeeded = num(status.succeeded);
    let completions: string;
    if (typeof spec.completions === 'number') completions = `${succeeded}/${spec.completions}`;
    else {
      const parallelism = num(spec.parallelism);
      completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
    }
    const start = timeOf(status.startTime);
    const end = timeOf(status.completionTime);
    const duration = start === undefined ? '' : humanDuration((end ?? now.getTime()) - start);
    let state = 'Running';
    if (jobCondition(status, 'Complete')) state = 'Complete';
    else if (jobCondition(status, 'Failed')) state = 'Failed';
    else if (str(o.metadata.deletionTimestamp) !== '') state = 'Terminating';
    else if (jobCondition(status, 'Suspended')) state = 'Suspended';
    else if (jobCondition(status, 'FailureTarget')) state = 'FailureTarget';
    const [names, images] = containerCells(at(spec, 'template', 'spec'));
    return { cells: [name(o), state, completions, duration, age(o, now), names, images, formatSelector(spec.selector)] };
  },
};

export const cronJobPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Schedule', 'string', 'The schedule in Cron format.'),
    column('Timezone', 'string', 'The time zone the schedule is interpreted in.'),
    column('Suspend', 'boolean', 'Whether subsequent executions are suspended.'),
    column('Active', 'integer', 'The number of currently running jobs.'),
    column('Last Schedule', 'string', 'When a job was last scheduled.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    SELECTOR_COLUMN,
  ],
  print(o, now) {
    const spec = rec(o.spec);
    const status = rec(o.status);
    const last = status.lastScheduleTime === undefined ? '<none>' : since(status.lastScheduleTime, now);
    const jobSpec = at(spec, 'jobTemplate', 'spec');
    const [names, images] = containerCells(at(jobSpec, 'template', 'spec'));
    const tz = typeof spec.timeZone === 'string' ? spec.timeZone : '<none>';
    return {
      cells: [name(o), str(spec.schedule), tz, printBoolPtr(spec.suspend), arr(status.active).length, last, age(o, now), names, images, formatSelector(rec(jobSpec).selector)],
    };
  },
};
