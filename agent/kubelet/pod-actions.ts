/**
 * What one sync must do to bring a pod's runtime state to its spec:
 * upstream's computePodActions (kuberuntime_manager.go), pure.
 *
 * - The sandbox is (re)created when there is none, when the newest is not
 *   ready, when several are ready, or when a pod-network sandbox has no IP;
 *   a recreate kills the pod first. A pod with restartPolicy Never whose
 *   containers already ran is not given a new sandbox (it is done).
 * - Init containers run one at a time, in order. A failed one is restarted
 *   unless restartPolicy is Never (then the pod is killed). Once any
 *   regular container has run, regular init containers are not rerun.
 *   Restartable init containers (sidecars, restartPolicy Always) are
 *   started in order and must be started before the next one runs; they are
 *   restarted whenever they stop.
 * - Regular containers that are not running are started when
 *   ShouldContainerBeRestarted says so (never after deletion; Never: no;
 *   OnFailure: only after a non-zero exit; created/unknown: always).
 * - A running container whose spec hash changed is killed and restarted
 *   regardless of policy; one failing liveness or startup is killed and
 *   restarted unless the policy is Never.
 * - When nothing is left running and nothing is to start, the pod is killed
 *   (its sandbox stopped).
 */
import { containerHash, isHostNetwork, isSidecar, podContainers, podInitContainers, restartPolicy } from './cri-labels.js';
import type { ContainerSpec, Pod } from './pod-deps.js';
import { newestContainer, type ObservedContainer, type PodRuntimeState } from './runtime-state.js';

export interface ContainerToKill {
  id: string;
  name: string;
  /** Upstream's containerKillReason: '', Unknown, LivenessProbe, StartupProbe. */
  reason: string;
  message: string;
}

export interface PodActions {
  killPod: boolean;
  createSandbox: boolean;
  /** The sandbox to run containers in (when not recreating). */
  sandboxId: string;
  /** CRI attempt of the sandbox to create. */
  attempt: number;
  /** Init containers to start (a regular one alone, or a sidecar), in order. */
  initContainersToStart: string[];
  containersToStart: string[];
  containersToKill: ContainerToKill[];
}

export interface ActionOptions {
  /** Container IDs whose liveness (or startup) probe failed. */
  unhealthy?: ReadonlyMap<string, 'liveness' | 'startup'>;
  /** Whether a running sidecar has passed its startup probe (default: started when running). */
  isStarted?: (name: string, containerId: string) => boolean;
}

function shouldRestartOnFailure(pod: Pod): boolean {
  return restartPolicy(pod) !== 'Never';
}

/** Upstream ShouldContainerBeRestarted. */
export function shouldContainerBeRestarted(pod: Pod, status: ObservedContainer | undefined): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  if (!status) return true;
  if (status.state === 'running') return false;
  if (status.state === 'unknown' || status.state === 'created') return true;
  const policy = restartPolicy(pod);
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && status.exitCode === 0) return false;
  return true;
}

function sandboxChanged(pod: Pod, state: PodRuntimeState): { changed: boolean; attempt: number; sandboxId: string } {
  const sbs = state.sandboxes;
  const newest = sbs[0];
  if (!newest) return { changed: true, attempt: 0, sandboxId: '' };
  const ready = sbs.filter((s) => s.ready).length;
  if (ready > 1 || !newest.ready) return { changed: true, attempt: newest.attempt + 1, sandboxId: newest.id };
  if (!isHostNetwork(pod) && newest.ips.length === 0) return { changed: true, attempt: newest.attempt + 1, sandboxId: newest.id };
  return { changed: false, attempt: newest.attempt, sandboxId: newest.id };
}

function succeeded(state: PodRuntimeState, name: string): boolean {
  const s = newestContainer(state, name);
  return s !== undefined && s.state === 'exited' && s.exitCode === 0;
}

/** Containers of the current sandbox only count (upstream lists a pod's containers across sandboxes, newest first). */
function anyRegularStarted(pod: Pod, state: PodRuntimeState): boolean {
  return podContainers(pod).some((c) => newestContainer(state, c.name) !== undefined);
}

interface InitPlan {
  done: boolean;
  failedNever: boolean;
  toStart: string[];
  toKill: ContainerToKill[];
}

function planInit(pod: Pod, state: PodRuntimeState, opts: ActionOptions): InitPlan {
  const plan: InitPlan = { done: true, failedNever: false, toStart: [], toKill: [] };
  const initialized = anyRegularStarted(pod, state);
  for (const c of podInitContainers(pod)) {
    const s = newestContainer(state, c.name);
    if (isSidecar(c)) {
      if (!s || s.state !== 'running') {
        if (!pod.metadata.deletionTimestamp) plan.toStart.push(c.name);
        if (s?.state === 'unknown') plan.toKill.push(unknownKill(s));
        // A sidecar (re)starting after initialization does not hold the regular containers back.
        if (!initialized) {
          plan.done = false;
          return plan;
        }
        continue;
      }
      const bad = killForRunning(pod, c, s, opts);
      if (bad) {
        plan.toKill.push(bad);
        plan.toStart.push(c.name);
        if (!initialized) {
          plan.done = false;
          return plan;
        }
        continue;
      }
      const started = opts.isStarted ? opts.isStarted(c.name, s.id) : true;
      if (!started && !initialized) {
        plan.done = false;
        return plan;
      }
      continue;
    }
    if (initialized) continue;
    if (!s) {
      plan.toStart.push(c.name);
      plan.done = false;
      return plan;
    }
    if (s.state === 'running') {
      plan.done = false;
      return plan;
    }
    if (s.state === 'exited' && s.exitCode === 0) continue;
    if (s.state === 'exited' && restartPolicy(pod) === 'Never') {
      plan.failedNever = true;
      plan.done = false;
      return plan;
    }
    if (s.state === 'unknown') plan.toKill.push(unknownKill(s));
    plan.toStart.push(c.name);
    plan.done = false;
    return plan;
  }
  return plan;
}

function unknownKill(s: ObservedContainer): ContainerToKill {
  return { id: s.id, name: s.name, reason: 'Unknown', message: `Container is in "unknown" state, try killing it before restart` };
}

/** Why a running container must be killed, or undefined to keep it. */
function killForRunning(pod: Pod, spec: ContainerSpec, s: ObservedContainer, opts: ActionOptions): ContainerToKill | undefined {
  if (s.hash && s.hash !== containerHash(spec)) {
    return { id: s.id, name: spec.name, reason: '', message: `Container ${spec.name} definition changed, will be restarted` };
  }
  const bad = opts.unhealthy?.get(s.id);
  if (bad) {
    const what = bad === 'liveness' ? 'liveness' : 'startup';
    const reason = bad === 'liveness' ? 'LivenessProbe' : 'StartupProbe';
    const suffix = shouldRestartOnFailure(pod) || isSidecar(spec) ? ', will be restarted' : '';
    return { id: s.id, name: spec.name, reason, message: `Container ${spec.name} failed ${what} probe${suffix}` };
  }
  return undefined;
}

export function computePodActions(pod: Pod, state: PodRuntimeState, opts: ActionOptions = {}): PodActions {
  const sb = sandboxChanged(pod, state);
  const actions: PodActions = {
    killPod: sb.changed && state.sandboxes.length > 0,
    createSandbox: sb.changed,
    sandboxId: sb.changed ? '' : sb.sandboxId,
    attempt: sb.attempt,
    initContainersToStart: [],
    containersToStart: [],
    containersToKill: [],
  };
  const containers = podContainers(pod);
  const inits = podInitContainers(pod);

  if (sb.changed) {
    if (pod.metadata.deletionTimestamp) {
      actions.createSandbox = false;
      actions.killPod = true;
      return actions;
    }
    if (!shouldRestartOnFailure(pod) && sb.attempt !== 0 && state.containers.length > 0) {
      // restartPolicy Never: the pod ran once and is not restarted.
      actions.createSandbox = false;
      actions.killPod = true;
      return actions;
    }
    const toStart = containers.filter((c) => !(restartPolicy(pod) === 'OnFailure' && succeeded(state, c.name))).map((c) => c.name);
    if (toStart.length === 0 && planInit(pod, state, opts).done) {
      actions.createSandbox = false;
      actions.killPod = true;
      return actions;
    }
    const first = inits[0];
    if (first) {
      actions.initContainersToStart = [first.name];
      return actions;
    }
    actions.containersToStart = toStart;
    return actions;
  }

  const init = planInit(pod, state, opts);
  actions.containersToKill.push(...init.toKill);
  if (init.failedNever) {
    actions.killPod = true;
    return actions;
  }
  actions.initContainersToStart = init.toStart;
  if (!init.done) return actions;

  let keep = 0;
  for (const c of containers) {
    const s = newestContainer(state, c.name);
    if (!s || s.state !== 'running') {
      if (shouldContainerBeRestarted(pod, s)) {
        actions.containersToStart.push(c.name);
        if (s?.state === 'unknown') actions.containersToKill.push(unknownKill(s));
      }
      continue;
    }
    const kill = killForRunning(pod, c, s, opts);
    if (!kill) {
      keep++;
      continue;
    }
    const specChanged = kill.reason === '';
    if (specChanged || shouldRestartOnFailure(pod)) actions.containersToStart.push(c.name);
    actions.containersToKill.push(kill);
  }
  if (keep === 0 && actions.containersToStart.length === 0) {
    actions.killPod = true;
    // Sidecars alone do not keep a finished pod alive.
    actions.initContainersToStart = [];
  }
  return actions;
}
