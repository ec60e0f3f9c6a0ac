/**
 * One probe run, as upstream's prober.probe (pkg/kubelet/prober/prober.go):
 * - exec through the runtime's ExecSync with timeoutSeconds: exit 0 is
 *   success, any other exit a failure whose output is stdout+stderr (at
 *   most 10 KiB); a timeout is a failure `command "…" timed out`;
 * - httpGet: 200–399 success (a 3xx the client did not follow is a
 *   success with a warning `Probe terminated redirects, Response body: …`),
 *   otherwise `HTTP probe failed with statuscode: N`;
 * - tcpSocket: connect within the timeout;
 * - grpc: grpc.health.v1.Health/Check answering SERVING (grpc-probe.ts).
 * A probe that errors (bad port, runtime failure) is retried up to 3 times;
 * still erroring, its result is thrown away by the worker. Failures and
 * warnings are reported as upstream's events: `Unhealthy` with
 * `<Type> probe failed: <output>` and `ProbeWarning` with
 * `<Type> probe warning: <output>`.
 */
import { isRuntimeError, type ExecSyncResult } from '../../cri/runtime.js';
import type { ContainerSpec, Pod } from '../pod-deps.js';
import { httpGet } from './http-get.js';
import { grpcProbe } from './grpc-probe.js';
import { httpRequestFor, majorMinor, resolveContainerPort, type ProbeSpec, type ProbeType } from './probe-target.js';
import { tcpProbe, type ProbeOutput } from './tcp-probe.js';
import type { Timers } from './timers.js';

export type ExecSync = (containerId: string, cmd: string[], timeoutSeconds: number) => Promise<ExecSyncResult>;

export type ProbeEventRecorder = (pod: Pod, containerName: string, reason: 'Unhealthy' | 'ProbeWarning', message: string) => void;

export interface ProbeTarget {
  pod: Pod;
  container: ContainerSpec;
  containerId: string;
  podIP: string | undefined;
}

export interface ProberDeps {
  exec: ExecSync;
  kubeVersion: string;
  timers: Timers;
  recordEvent?: ProbeEventRecorder;
}

const maxProbeRetries = 3;
const maxOutput = 10 * 1024;

type RunResult = ProbeOutput | { error: string };

async function execProbe(deps: ProberDeps, containerId: string, cmd: string[], timeoutSeconds: number): Promise<RunResult> {
  const timedOut: RunResult = { result: 'failure', output: `command ${JSON.stringify(cmd.join(' '))} timed out` };
  let guard: ReturnType<Timers['setTimeout']> | undefined;
  const guardP = new Promise<RunResult>((resolve) => {
    // The runtime enforces the timeout; this only covers a runtime that does not answer.
    guard = deps.timers.setTimeout(() => resolve(timedOut), timeoutSeconds * 1000 + 5000);
  });
  const run = (async (): Promise<RunResult> => {
    try {
      const r = await deps.exec(containerId, cmd, timeoutSeconds);
      const output = Buffer.concat([r.stdout, r.stderr]).subarray(0, maxOutput).toString('utf8');
      return { result: r.exitCode === 0 ? 'success' : 'failure', output };
    } catch (e) {
      // containerd answers a timed-out exec with DeadlineExceeded (`timeout 1s exceeded: context deadline exceeded`).
      if (isRuntimeError(e, 'DEADLINE_EXCEEDED') || /^timeout \S+ exceeded/.test(e instanceof Error ? e.message : '')) return timedOut;
      return { error: e instanceof Error ? e.message : String(e) };
    }
  })();
  try {
    return await Promise.race([run, guardP]);
  } finally {
    if (guard) deps.timers.clearTimeout(guard);
  }
}

async function runProbe(deps: ProberDeps, spec: ProbeSpec, t: ProbeTarget): Promise<RunResult> {
  const timeoutMs = spec.timeoutSeconds * 1000;
  try {
    if (spec.exec) return await execProbe(deps, t.containerId, spec.exec.command, spec.timeoutSeconds);
    if (spec.httpGet) {
      const req = httpRequestFor(spec.httpGet, t.container, t.podIP ?? '', 'probe', deps.kubeVersion);
      const res = await httpGet(req, { timeoutMs, followNonLocalRedirects: false, maxBodyBytes: maxOutput });
      if (!res.ok) return { result: 'failure', output: res.error };
      if (res.statusCode >= 200 && res.statusCode < 400) {
        if (res.statusCode >= 300) return { result: 'warning', output: `Probe terminated redirects, Response body: ${res.body}` };
        return { result: 'success', output: res.body };
      }
      return { result: 'failure', output: `HTTP probe failed with statuscode: ${res.statusCode}` };
    }
    if (spec.tcpSocket) {
      const port = resolveContainerPort(spec.tcpSocket.port, t.container);
      return await tcpProbe(spec.tcpSocket.host || t.podIP || '', port, timeoutMs);
    }
    if (spec.grpc) {
      if (!Number.isInteger(spec.grpc.port) || spec.grpc.port <= 0 || spec.grpc.port >= 65536) return { error: `invalid port number: ${spec.grpc.port}` };
      return await grpcProbe(t.podIP ?? '', spec.grpc.port, spec.grpc.service ?? '', timeoutMs, `kube-probe/${majorMinor(deps.kubeVersion)}`);
    }
    return { result: 'unknown', output: '' };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

export type ProbeVerdict = { result: 'Success' | 'Failure'; output: string } | { error: string };

/** Runs one probe (with retries on error) and records its event. */
export async function probe(deps: ProberDeps, type: ProbeType, spec: ProbeSpec, t: ProbeTarget): Promise<ProbeVerdict> {
  let r: RunResult = { error: 'not run' };
  for (let i = 0; i < maxProbeRetries; i++) {
    r = await runProbe(deps, spec, t);
    if (!('error' in r)) break;
  }
  const name = t.container.name;
  if ('error' in r) {
    deps.recordEvent?.(t.pod, name, 'Unhealthy', `${type} probe errored and resulted in unknown state: ${r.error}`);
    return r;
  }
  if (r.result === 'success') return { result: 'Success', output: r.output };
  if (r.result === 'warning') {
    deps.recordEvent?.(t.pod, name, 'ProbeWarning', `${type} probe warning: ${r.output}`);
    return { result: 'Success', output: r.output };
  }
  deps.recordEvent?.(t.pod, name, 'Unhealthy', `${type} probe failed: ${r.output}`);
  return { result: 'Failure', output: r.output };
}
