/**
 * The Pod printer: NAME, READY, STATUS, RESTARTS, AGE and, wide, IP, NODE,
 * NOMINATED NODE, READINESS GATES — upstream printPod's derivations:
 *
 * - STATUS starts from the phase (or status.reason, or SchedulingGated),
 *   then the first unfinished init container decides (`Init:N/M`,
 *   `Init:<reason>`, `Init:ExitCode:N`, `Init:Signal:N`); once initialised,
 *   the containers' waiting or terminated reasons do (walked last to first,
 *   so the first container wins), `Completed` with a container still running
 *   reads `Running` (or `NotReady` without the Ready condition); a deletion
 *   timestamp makes `Terminating` (`Unknown` for NodeLost pods).
 * - RESTARTS counts restarts of the containers that decided, with
 *   ` (<age> ago)` from the latest lastState.terminated.finishedAt.
 * - Sidecars (init containers with restartPolicy Always) count as
 *   containers for READY and RESTARTS.
 * - Succeeded and Failed pods carry a `Completed` row condition.
 */
import type { KubeObject } from '../meta.js';
import { arr, at, humanDuration, rec, since, str, num, timeOf } from './format.js';
import { AGE_COLUMN, NAME_COLUMN, column, type Printer, type PrintedRow, type TableRowCondition } from './printer.js';

const columns = [
  NAME_COLUMN,
  column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  column('Status', 'string', 'The aggregate status of the containers in this pod.'),
  column('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
  AGE_COLUMN,
  column('IP', 'string', 'The IP address allocated to the pod.', { wide: true }),
  column('Node', 'string', 'The node the pod is bound to.', { wide: true }),
  column('Nominated Node', 'string', 'The node the scheduler nominated for this pod while preempting others.', { wide: true }),
  column('Readiness Gates', 'string', 'Readiness gates that are true, of all the pod declares.', { wide: true }),
];

const SUCCEEDED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
const FAILED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

function conditionTrue(status: Record<string, unknown>, type: string): boolean {
  const c = arr(status.conditions).find((x) => x.type === type);
  return c !== undefined && c.status === 'True';
}

/** Latest of a running maximum and a container's last termination time (ms; undefined = zero time). */
function later(cur: number | undefined, container: Record<string, unknown>): number | undefined {
  const t = timeOf(at(container, 'lastState', 'terminated', 'finishedAt'));
  if (t === undefined) return cur;
  return cur === undefined || cur < t ? t : cur;
}

function terminatedReason(term: Record<string, unknown>, prefix: string): string {
  const reason = str(term.reason);
  if (reason !== '') return prefix + reason;
  const signal = num(term.signal);
  return signal !== 0 ? `${prefix}Signal:${signal}` : `${prefix}ExitCode:${num(term.exitCode)}`;
}

export function printPod(pod: KubeObject, now: Date): PrintedRow {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const initSpecs = arr(spec.initContainers);
  const sidecar = new Set(initSpecs.filter((c) => c.restartPolicy === 'Always').map((c) => str(c.name)));
  let restarts = 0;
  let sidecarRestarts = 0;
  const totalContainers = arr(spec.containers).length + sidecar.size;
  let readyContainers = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;

  const phase = str(status.phase);
  let reason = str(status.reason) !== '' ? str(status.reason) : phase;
  for (const c of arr(status.conditions)) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const row: PrintedRow = { cells: [] };
  if (phase === 'Succeeded') row.conditions = SUCCEEDED;
  else if (phase === 'Failed') row.conditions = FAILED;

  let initializing = false;
  const initStatuses = arr(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i] as Record<string, unknown>;
    const isSidecar = sidecar.has(str(c.name));
    restarts += num(c.restartCount);
    lastRestart = later(lastRestart, c);
    if (isSidecar) {
      sidecarRestarts += num(c.restartCount);
      lastSidecarRestart = later(lastSidecarRestart, c);
    }
    const state = rec(c.state);
    const term = state.terminated === undefined ? undefined : rec(state.terminated);
    const waiting = state.waiting === undefined ? undefined : rec(state.waiting);
    if (term && num(term.exitCode) === 0) continue;
    if (isSidecar && c.started === true) {
      if (c.ready === true) readyContainers++;
      continue;
    }
    if (term) reason = terminatedReason(term, 'Init:');
    else if (waiting && str(waiting.reason) !== '' && waiting.reason !== 'PodInitializing') reason = `Init:${str(waiting.reason)}`;
    else reason = `Init:${i}/${initSpecs.length}`;
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = arr(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i] as Record<string, unknown>;
      restarts += num(c.restartCount);
      lastRestart = later(lastRestart, c);
      const state = rec(c.state);
      const waiting = rec(state.waiting);
      const term = state.terminated === undefined ? undefined : rec(state.terminated);
      if (state.waiting !== undefined && str(waiting.reason) !== '') reason = str(waiting.reason);
      else if (term) reason = terminatedReason(term, '');
      else if (c.ready === true && state.running !== undefined) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A pod whose finished containers say Completed is still Running while one container runs.
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(status, 'Ready') ? 'Running' : 'NotReady';
  }

  const deleting = typeof pod.metadata.deletionTimestamp === 'string' && pod.metadata.deletionTimestamp !== '';
  if (deleting && status.reason === 'NodeLost') reason = 'Unknown';
  else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  let restartsCell = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) restartsCell = `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)`;

  // A Pod's podIP is authoritative over podIPs (upstream's v1 conversion).
  const podIPs = arr(status.podIPs);
  const podIP = str(status.podIP) || str(podIPs[0]?.ip) || '<none>';
  const nodeName = str(spec.nodeName) || '<none>';
  const nominated = str(status.nominatedNodeName) || '<none>';
  let gates = '<none>';
  const readinessGates = arr(spec.readinessGates);
  if (readinessGates.length > 0) {
    let trueGates = 0;
    for (const g of readinessGates) {
      const cond = arr(status.conditions).find((c) => c.type === g.conditionType);
      if (cond?.status === 'True') trueGates++;
    }
    gates = `${trueGates}/${readinessGates.length}`;
  }
  row.cells = [str(pod.metadata.name), `${readyContainers}/${totalContainers}`, reason, restartsCell, since(pod.metadata.creationTimestamp, now), podIP, nodeName, nominated, gates];
  return row;
}

export const podPrinter: Printer = { columns, print: printPod };
