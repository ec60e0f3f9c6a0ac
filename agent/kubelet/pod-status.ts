/**
 * The API PodStatus of a pod from its spec and what the runtime holds, as
 * upstream's generateAPIPodStatus (kubelet_pods.go) with
 * convertToAPIContainerStatuses, getPhase and the condition generators of
 * pkg/kubelet/status/generate.go. Pure.
 *
 * - Container statuses: the newest instance of a name gives state, ready,
 *   started, restartCount (the restartCount annotation), image (the
 *   runtime's name for it), imageID and containerID `containerd://<id>`;
 *   the one before it, when exited, gives lastState. A container that failed
 *   to start and will be started again (reason cache: ErrImagePull,
 *   CrashLoopBackOff, CreateContainerConfigError…) is shown waiting with
 *   that reason, its last termination moving to lastState. A container never
 *   created waits with ContainerCreating (PodInitializing when the pod has
 *   init containers), keeping restartCount and lastState of the previous
 *   status; one that was running and vanished gets a ContainerStatusUnknown
 *   lastState (exit 137). Regular containers are sorted by name, init
 *   containers keep spec order.
 * - Readiness: a running container is ready when its readiness probe says
 *   so (or it has none) and it has started (startup probe passed, or none);
 *   a regular init container is ready once it exited 0.
 * - Phase per getPhase; a terminal phase is never left.
 * - Conditions PodReadyToStartContainers, Initialized, Ready,
 *   ContainersReady, PodScheduled (kept as the scheduler wrote it);
 *   conditions owned by others (readiness gates) are kept, and Ready honours
 *   readiness gates. lastTransitionTime is kept while a status stays.
 * - podIP(s) from the ready sandbox (the node's IPs on hostNetwork; the
 *   previous ones when the sandbox is gone); hostIP(s); startTime kept once
 *   set; qosClass kept once set.
 */
import { formatTime } from '../../control-plane/api/meta.js';
import { isHostNetwork, isSidecar, podContainers, podInitContainers, restartPolicy } from './cri-labels.js';
import type { ContainerSpec, Pod, ProbeResults } from './pod-deps.js';
import { shouldContainerBeRestarted } from './pod-actions.js';
import { computeQos } from './qos.js';
import { containersNamed, type ObservedContainer, type PodRuntimeState } from './runtime-state.js';
import type { PodCondition } from '../../control-plane/api/conditions.js';

export type { PodCondition } from '../../control-plane/api/conditions.js';

export type ContainerStateApi = {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt: string };
  terminated?: { exitCode: number; reason?: string; message?: string; startedAt?: string; finishedAt?: string; containerID?: string };
};

export interface ApiContainerStatus {
  name: string;
  state: ContainerStateApi;
  lastState: ContainerStateApi;
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started: boolean;
}

export type ApiPodStatus = Record<string, unknown> & {
  phase: string;
  conditions: PodCondition[];
  containerStatuses: ApiContainerStatus[];
  initContainerStatuses?: ApiContainerStatus[];
};

export interface StatusInput {
  pod: Pod;
  state: PodRuntimeState;
  now: Date;
  hostIPs: string[];
  /** Why a container could not be started (reason cache), by name. */
  waiting?: ReadonlyMap<string, { reason: string; message: string }>;
  probes?: ProbeResults;
  /** The kubelet is done with the pod: nothing will run again. */
  podIsTerminal?: boolean;
  /** The kubelet failed the pod (activeDeadlineSeconds: DeadlineExceeded): phase Failed with this reason and message. */
  failed?: { reason: string; message: string };
}

export const KUBELET_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];

export const CONTAINER_ID_PREFIX = 'containerd://';

function t(ms: number): string {
  return formatTime(new Date(ms));
}

function terminated(c: ObservedContainer): NonNullable<ContainerStateApi['terminated']> {
  const out: NonNullable<ContainerStateApi['terminated']> = {
    exitCode: c.exitCode,
    reason: c.reason || (c.exitCode === 0 ? 'Completed' : 'Error'),
    startedAt: t(c.startedAt || c.createdAt),
    finishedAt: t(c.finishedAt || c.startedAt || c.createdAt),
    containerID: CONTAINER_ID_PREFIX + c.id,
  };
  if (c.message) out.message = c.message;
  return out;
}

function oldStatuses(pod: Pod, key: 'containerStatuses' | 'initContainerStatuses'): Map<string, ApiContainerStatus> {
  const list = pod.status?.[key];
  const out = new Map<string, ApiContainerStatus>();
  if (Array.isArray(list)) for (const s of list as ApiContainerStatus[]) if (s && typeof s.name === 'string') out.set(s.name, s);
  return out;
}

function hasProbe(c: ContainerSpec, probe: 'readinessProbe' | 'startupProbe'): boolean {
  return c[probe] !== undefined && c[probe] !== null;
}

const UNKNOWN_MESSAGE = 'The container could not be located when the pod was deleted.  The container used to be Running';

function containerStatus(input: StatusInput, spec: ContainerSpec, init: boolean, defaultReason: string, old: ApiContainerStatus | undefined): ApiContainerStatus {
  const { pod, state, probes } = input;
  const uid = pod.metadata.uid ?? '';
  const instances = containersNamed(state, spec.name);
  const newest = instances[0];
  let st: ApiContainerStatus = { name: spec.name, state: { waiting: { reason: defaultReason } }, lastState: {}, ready: false, restartCount: 0, image: spec.image ?? '', imageID: '', started: false };
  if (old?.state?.terminated) st = { ...old, ready: false, started: false };
  else if (old) {
    st.restartCount = old.restartCount ?? 0;
    st.lastState = old.lastState ?? {};
  }
  if (!newest) {
    // It ran before and is gone without a trace: it terminated, we do not know how.
    if (old?.state?.running && st.state.waiting?.reason === defaultReason && !st.lastState.terminated) {
      st.lastState = { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: UNKNOWN_MESSAGE } };
      if (!pod.metadata.deletionTimestamp) st.restartCount++;
    }
  } else {
    const image = newest.image && !newest.image.startsWith('sha256:') ? newest.image : (spec.image ?? newest.image);
    st = { name: spec.name, state: {}, lastState: {}, ready: false, restartCount: newest.restartCount, image, imageID: newest.imageRef, containerID: CONTAINER_ID_PREFIX + newest.id, started: false };
    if (newest.state === 'running') {
      st.state = { running: { startedAt: t(newest.startedAt || newest.createdAt) } };
      const started = hasProbe(spec, 'startupProbe') ? probes?.isStarted(uid, spec.name, newest.id) === true : true;
      st.started = started;
      if (!init || isSidecar(spec)) {
        const ready = hasProbe(spec, 'readinessProbe') ? probes?.isReady(uid, spec.name, newest.id) === true : true;
        st.ready = started && ready;
      }
    } else if (newest.state === 'exited') {
      st.state = { terminated: terminated(newest) };
      if (init && !isSidecar(spec)) st.ready = newest.exitCode === 0;
    } else {
      st.state = { waiting: {} };
    }
    const previous = instances[1];
    if (previous && previous.state === 'exited') st.lastState = { terminated: terminated(previous) };
  }
  // A container that failed to start and will be started again waits, with the reason.
  const why = input.waiting?.get(spec.name);
  const initDone = init && newest?.state === 'exited' && newest.exitCode === 0;
  if (why && !initDone && shouldContainerBeRestarted(pod, newest)) {
    if (st.state.terminated) st.lastState = { terminated: st.state.terminated };
    st.state = { waiting: { reason: why.reason, message: why.message } };
    st.ready = false;
  }
  return st;
}

function anyRegularStarted(pod: Pod, statuses: ApiContainerStatus[]): boolean {
  const names = new Set(podContainers(pod).map((c) => c.name));
  return statuses.some((s) => names.has(s.name) && (s.state.running !== undefined || s.state.terminated !== undefined || s.lastState.terminated !== undefined));
}

/** Upstream getPhase. */
export function podPhase(pod: Pod, init: ApiContainerStatus[], regular: ApiContainerStatus[], podIsTerminal: boolean): string {
  const byName = new Map([...init, ...regular].map((s) => [s.name, s] as const));
  let pendingInit = 0;
  let failedInit = 0;
  for (const c of podInitContainers(pod)) {
    const s = byName.get(c.name);
    if (!s) {
      pendingInit++;
      continue;
    }
    if (isSidecar(c)) {
      if (s.state.running) {
        if (!s.started) pendingInit++;
      } else if (s.state.waiting && !s.lastState.terminated) pendingInit++;
      continue;
    }
    if (s.state.running) pendingInit++;
    else if (s.state.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInit++;
      } else pendingInit++;
    } else pendingInit++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of podContainers(pod)) {
    const s = byName.get(c.name);
    if (!s) unknown++;
    else if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  const policy = restartPolicy(pod);
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if ((pendingInit > 0 && !anyRegularStarted(pod, regular)) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function cond(type: string, status: boolean, reason?: string, message?: string): PodCondition {
  const c: PodCondition = { type, status: status ? 'True' : 'False' };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

function list(names: string[]): string {
  return `[${names.join(' ')}]`;
}

function initializedCondition(pod: Pod, init: ApiContainerStatus[], regular: ApiContainerStatus[], phase: string): PodCondition {
  const inits = podInitContainers(pod);
  if (inits.length === 0) return cond('Initialized', true);
  const byName = new Map(init.map((s) => [s.name, s] as const));
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of inits) {
    const s = byName.get(c.name);
    if (!s) unknown.push(c.name);
    else if (isSidecar(c) ? !s.started : !s.ready) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return cond('Initialized', true, 'PodCompleted');
  if (anyRegularStarted(pod, regular)) return cond('Initialized', true);
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${list(unknown)}`);
  if (incomplete.length) msgs.push(`containers with incomplete status: ${list(incomplete)}`);
  return msgs.length ? cond('Initialized', false, 'ContainersNotInitialized', msgs.join(', ')) : cond('Initialized', true);
}

function containersReadyCondition(pod: Pod, init: ApiContainerStatus[], regular: ApiContainerStatus[], phase: string): PodCondition {
  const byName = new Map([...init, ...regular].map((s) => [s.name, s] as const));
  const unknown: string[] = [];
  const unready: string[] = [];
  for (const c of [...podInitContainers(pod).filter(isSidecar), ...podContainers(pod)]) {
    const s = byName.get(c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return cond('ContainersReady', false, 'PodCompleted');
  if (phase === 'Failed') return cond('ContainersReady', false, 'PodFailed');
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${list(unknown)}`);
  if (unready.length) msgs.push(`containers with unready status: ${list(unready)}`);
  return msgs.length ? cond('ContainersReady', false, 'ContainersNotReady', msgs.join(', ')) : cond('ContainersReady', true);
}

function readyCondition(pod: Pod, containersReady: PodCondition, existing: Map<string, PodCondition>): PodCondition {
  if (containersReady.status !== 'True') return { ...containersReady, type: 'Ready' };
  const gates = Array.isArray(pod.spec?.readinessGates) ? (pod.spec.readinessGates as { conditionType?: string }[]) : [];
  const msgs: string[] = [];
  for (const g of gates) {
    if (!g.conditionType) continue;
    const c = existing.get(g.conditionType);
    if (!c) msgs.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
    else if (c.status !== 'True') msgs.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
  }
  return msgs.length ? cond('Ready', false, 'ReadinessGatesNotReady', msgs.join(', ')) : cond('Ready', true);
}

function ipList(ips: string[]): { ip: string }[] {
  return ips.map((ip) => ({ ip }));
}

export function generatePodStatus(input: StatusInput): ApiPodStatus {
  const { pod, state, now } = input;
  const old = (pod.status ?? {}) as Record<string, unknown>;
  const inits = podInitContainers(pod);
  const defaultReason = inits.length > 0 ? 'PodInitializing' : 'ContainerCreating';
  const oldInit = oldStatuses(pod, 'initContainerStatuses');
  const oldRegular = oldStatuses(pod, 'containerStatuses');
  const init = inits.map((c) => containerStatus(input, c, true, defaultReason, oldInit.get(c.name)));
  const regular = podContainers(pod)
    .map((c) => containerStatus(input, c, false, defaultReason, oldRegular.get(c.name)))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  let phase = input.failed ? 'Failed' : podPhase(pod, init, regular, input.podIsTerminal === true);
  if (old.phase === 'Succeeded' || old.phase === 'Failed') phase = old.phase;

  const existing = new Map<string, PodCondition>();
  if (Array.isArray(old.conditions)) for (const c of old.conditions as PodCondition[]) existing.set(c.type, c);
  const sandbox = state.sandboxes[0];
  const sandboxReady = sandbox !== undefined && sandbox.ready && (sandbox.ips.length > 0 || isHostNetwork(pod));
  const containersReady = containersReadyCondition(pod, init, regular, phase);
  const scheduled = existing.get('PodScheduled');
  const owned = [
    cond('PodReadyToStartContainers', sandboxReady),
    initializedCondition(pod, init, regular, phase),
    readyCondition(pod, containersReady, existing),
    containersReady,
    scheduled ? { ...scheduled } : cond('PodScheduled', true),
  ];
  const stamp = formatTime(now);
  const conditions: PodCondition[] = owned.map((c) => {
    if (c.type === 'PodScheduled' && scheduled) return c;
    const prev = existing.get(c.type);
    return { ...c, lastProbeTime: null, lastTransitionTime: prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : stamp };
  });
  for (const c of existing.values()) if (!KUBELET_CONDITIONS.includes(c.type)) conditions.push(c);

  let podIPs = isHostNetwork(pod) ? input.hostIPs : sandbox?.ready ? sandbox.ips : [];
  if (podIPs.length === 0 && Array.isArray(old.podIPs)) podIPs = (old.podIPs as { ip: string }[]).map((p) => p.ip);

  const status: ApiPodStatus = { phase, conditions, containerStatuses: regular };
  if (input.hostIPs[0]) {
    status.hostIP = input.hostIPs[0];
    status.hostIPs = ipList(input.hostIPs);
  }
  if (podIPs[0]) {
    status.podIP = podIPs[0];
    status.podIPs = ipList(podIPs);
  }
  status.startTime = typeof old.startTime === 'string' ? old.startTime : stamp;
  if (init.length) status.initContainerStatuses = init;
  status.qosClass = typeof old.qosClass === 'string' && old.qosClass ? old.qosClass : computeQos(pod);
  for (const k of ['nominatedNodeName', 'reason', 'message', 'resize']) if (old[k] !== undefined) status[k] = old[k];
  if (input.failed) {
    status.reason = input.failed.reason;
    status.message = input.failed.message;
  }
  return status;
}
