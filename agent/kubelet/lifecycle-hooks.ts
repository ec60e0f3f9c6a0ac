/**
 * postStart and preStop handlers (RunHook in pod-deps.ts), as upstream's
 * pkg/kubelet/lifecycle/handlers.go. Resolves undefined on success (or
 * when the container has no such hook), otherwise with upstream's message,
 * which the kubelet puts into the FailedPostStartHook / FailedPreStopHook
 * event:
 * - exec: ExecSync with no timeout; a non-zero exit is an error
 *   `command 'sh -c …' exited with N: <stderr>`, reported as
 *   `Exec lifecycle hook ([sh -c …]) for Container "c" in Pod "name_ns(uid)" failed - error: …, message: "<stdout+stderr>"`;
 * - httpGet: GET with User-Agent kube-lifecycle/<major.minor>, host
 *   defaulting to the pod IP; only a transport error fails the hook (the
 *   status code is not checked, as upstream); an HTTPS hook answered in
 *   plain HTTP is retried over HTTP;
 * - sleep: waits `seconds`;
 * - tcpSocket is deprecated and unsupported for hooks: `Cannot run handler: invalid handler: …`.
 * Bounding preStop by the grace period is the caller's job (upstream
 * races the hook against the grace period the same way).
 */
import type { ExecSyncResult, Runtime } from '../cri/runtime.js';
import type { ContainerSpec, Pod } from './pod-deps.js';
import { httpGet } from './probes/http-get.js';
import { httpRequestFor, readExec, readHttpGet, readTcpSocket } from './probes/probe-target.js';
import { systemTimers, type Timers } from './probes/timers.js';

export interface HookOptions {
  /** The kubelet's version, e.g. `v1.33.0+skiff.0.1.0`. */
  kubeVersion: string;
  timers?: Timers;
  /** Overall timeout of an httpGet hook in ms; 0 (upstream) waits as long as it takes. */
  httpTimeoutMs?: number;
}

type HookRuntime = Pick<Runtime, 'execSync'>;

/** RunHook narrowed to the one runtime call hooks make; assignable to RunHook. */
export type HookRunner = (pod: Pod, container: ContainerSpec, containerId: string, hook: 'postStart' | 'preStop', podIP: string | undefined, runtime: HookRuntime) => Promise<string | undefined>;

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** upstream format.Pod: `name_namespace(uid)`. */
function formatPod(pod: Pod): string {
  return `${pod.metadata.name ?? ''}_${pod.metadata.namespace ?? ''}(${pod.metadata.uid ?? ''})`;
}

/** Go's %q for a string, close enough for messages. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

function intOrString(v: number | string): string {
  return typeof v === 'number' ? `{0 ${v} }` : `{1 0 ${v}}`;
}

async function runExec(runtime: HookRuntime, containerId: string, cmd: string[]): Promise<{ output: string; error?: string }> {
  let r: ExecSyncResult;
  try {
    r = await runtime.execSync(containerId, cmd, 0);
  } catch (e) {
    return { output: '', error: e instanceof Error ? e.message : String(e) };
  }
  const output = Buffer.concat([r.stdout, r.stderr]).toString('utf8');
  if (r.exitCode !== 0) return { output, error: `command '${cmd.join(' ')}' exited with ${r.exitCode}: ${r.stderr.toString('utf8')}` };
  return { output };
}

/** RunHook with the given version and timers. */
export function createRunHook(opts: HookOptions): HookRunner {
  const timers = opts.timers ?? systemTimers;
  const run: HookRunner = async (pod, container, containerId, hook, podIP, runtime) => {
    const handler = obj(obj(container.lifecycle)?.[hook]);
    if (!handler) return undefined;
    const where = `for Container ${goQuote(container.name)} in Pod ${goQuote(formatPod(pod))}`;

    const exec = readExec(handler.exec);
    if (exec) {
      const r = await runExec(runtime, containerId, exec.command);
      if (r.error === undefined) return undefined;
      return `Exec lifecycle hook ([${exec.command.join(' ')}]) ${where} failed - error: ${r.error}, message: ${goQuote(r.output)}`;
    }

    const get = readHttpGet(handler.httpGet);
    if (get) {
      const fail = (err: string): string => `HTTP lifecycle hook (${get.path ?? ''}) ${where} failed - error: ${err}`;
      if (!get.host && !podIP) return fail('failed to find networking container: the pod has no IP yet');
      let req;
      try {
        req = httpRequestFor(get, container, podIP ?? '', 'lifecycle', opts.kubeVersion);
      } catch (e) {
        return fail(e instanceof Error ? e.message : String(e));
      }
      const o = { timeoutMs: opts.httpTimeoutMs ?? 0, followNonLocalRedirects: true, maxBodyBytes: 10 * 1024 };
      let res = await httpGet(req, o);
      if (!res.ok && req.url.startsWith('https:') && /wrong version number|EPROTO|packet length too long/i.test(res.error)) {
        // Upstream: an HTTPS hook that got an HTTP response is retried over HTTP (without Authorization).
        const headers = new Map(req.headers);
        headers.delete('Authorization');
        res = await httpGet({ url: `http:${req.url.slice('https:'.length)}`, headers }, o);
      }
      return res.ok ? undefined : fail(res.error);
    }

    if (obj(handler.sleep)) {
      const seconds = Number(obj(handler.sleep)?.seconds ?? 0);
      if (seconds > 0) await new Promise<void>((resolve) => timers.setTimeout(resolve, seconds * 1000));
      return undefined;
    }

    const tcp = readTcpSocket(handler.tcpSocket);
    const desc = tcp ? `&LifecycleHandler{Exec:nil,HTTPGet:nil,TCPSocket:&TCPSocketAction{Port:${intOrString(tcp.port)},Host:${tcp.host ?? ''},},Sleep:nil,}` : '&LifecycleHandler{Exec:nil,HTTPGet:nil,TCPSocket:nil,Sleep:nil,}';
    return `Cannot run handler: invalid handler: ${desc}`;
  };
  return run;
}
