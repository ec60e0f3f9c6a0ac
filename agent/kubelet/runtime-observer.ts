/**
 * Reads the pods' state out of the runtime (upstream's GetPodStatus plus
 * the generic PLEG relist; containerd 1.6 has no events): ListPodSandbox
 * and ListContainers restricted to Skiff's labels, grouped by the pod UID
 * label, with ContainerStatus/PodSandboxStatus fetched only for what is new
 * or changed state since the last look (an exited container never changes
 * again, a running one only by exiting).
 *
 * The termination message is read here, as upstream: from the host side
 * of the mount at the container's terminationMessagePath (at most 4096
 * bytes), or for FallbackToLogsOnError, an empty message and a failure,
 * from the end of the log (80 lines, 2048 bytes).
 *
 * fingerprint() condenses one pod's state (ids and states) so the relist
 * can tell which pods changed and need a sync.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ContainerStatus, PodSandboxStatus, Runtime } from '../cri/runtime.js';
import { isRuntimeError } from '../cri/runtime.js';
import { MANAGED_SELECTOR, POD_UID, TERMINATION_MESSAGE_PATH, TERMINATION_MESSAGE_POLICY } from './cri-labels.js';
import { emptyState, observeContainer, observeSandbox, sortNewestFirst, type ObservedContainer, type PodRuntimeState } from './runtime-state.js';

const MAX_MESSAGE = 4096;
const MAX_LOG_BYTES = 2048;
const MAX_LOG_LINES = 80;

function readHead(path: string, max: number): string {
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(max);
      const n = readSync(fd, buf, 0, max, 0);
      return buf.subarray(0, n).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

/** The text of the last lines of a CRI log file (timestamps and stream tags stripped). */
export function logTail(path: string, lines = MAX_LOG_LINES, maxBytes = MAX_LOG_BYTES): string {
  let text: string;
  try {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const want = Math.min(size, maxBytes * 4);
      const buf = Buffer.alloc(want);
      readSync(fd, buf, 0, want, size - want);
      text = buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
  const out: string[] = [];
  let partial = '';
  for (const raw of text.split('\n')) {
    const m = /^\S+ (?:stdout|stderr) ([PF]) (.*)$/.exec(raw);
    if (!m) continue;
    partial += m[2] ?? '';
    if (m[1] === 'F') {
      out.push(partial);
      partial = '';
    }
  }
  const joined = out.slice(-lines).join('\n');
  return joined.length > maxBytes ? joined.slice(joined.length - maxBytes) : joined;
}

export function terminationMessage(st: ContainerStatus): string {
  if (st.state !== 2) return '';
  const path = st.annotations[TERMINATION_MESSAGE_PATH];
  let msg = '';
  if (path) {
    const m = st.mounts.find((x) => x.containerPath === path);
    if (m) msg = readHead(m.hostPath, MAX_MESSAGE);
  }
  if (!msg && st.exitCode !== 0 && st.annotations[TERMINATION_MESSAGE_POLICY] === 'FallbackToLogsOnError' && st.logPath) msg = logTail(st.logPath);
  return msg;
}

export function fingerprint(s: PodRuntimeState | undefined): string {
  if (!s) return '';
  return [...s.sandboxes.map((x) => `s${x.id}:${x.ready ? 1 : 0}`), ...s.containers.map((c) => `c${c.id}:${c.state}`)].sort().join(',');
}

export class RuntimeObserver {
  private readonly containerCache = new Map<string, { state: number; obs: ObservedContainer }>();
  private readonly sandboxCache = new Map<string, { state: number; status: PodSandboxStatus }>();

  constructor(private readonly runtime: Runtime) {}

  /** Every managed pod's state, by pod UID. */
  async relist(): Promise<Map<string, PodRuntimeState>> {
    return this.observe(MANAGED_SELECTOR, true);
  }

  /** One pod's state, fresh. */
  async podState(uid: string): Promise<PodRuntimeState> {
    const m = await this.observe({ ...MANAGED_SELECTOR, [POD_UID]: uid }, false);
    return m.get(uid) ?? emptyState(uid);
  }

  private async observe(labelSelector: Record<string, string>, prune: boolean): Promise<Map<string, PodRuntimeState>> {
    const [sandboxes, containers] = await Promise.all([this.runtime.listPodSandbox({ labelSelector }), this.runtime.listContainers({ labelSelector })]);
    const out = new Map<string, PodRuntimeState>();
    const get = (uid: string): PodRuntimeState => {
      let s = out.get(uid);
      if (!s) out.set(uid, (s = emptyState(uid)));
      return s;
    };
    await Promise.all(
      sandboxes.map(async (sb) => {
        const uid = sb.labels[POD_UID] ?? sb.metadata.uid;
        const cached = this.sandboxCache.get(sb.id);
        let status = cached && cached.state === sb.state ? cached.status : undefined;
        if (!status) {
          try {
            status = await this.runtime.podSandboxStatus(sb.id);
          } catch (e) {
            if (isRuntimeError(e, 'NOT_FOUND')) return;
            throw e;
          }
          this.sandboxCache.set(sb.id, { state: sb.state, status });
        }
        get(uid).sandboxes.push(observeSandbox({ ...status, state: sb.state }));
      }),
    );
    await Promise.all(
      containers.map(async (c) => {
        const uid = c.labels[POD_UID] ?? '';
        if (!uid) return;
        const cached = this.containerCache.get(c.id);
        let obs = cached && cached.state === c.state ? cached.obs : undefined;
        if (!obs) {
          let st: ContainerStatus;
          try {
            st = await this.runtime.containerStatus(c.id);
          } catch (e) {
            if (isRuntimeError(e, 'NOT_FOUND')) return;
            throw e;
          }
          obs = observeContainer(st, c.podSandboxId, terminationMessage(st));
          // Cache under the state the status reported (it may be newer than the list's).
          this.containerCache.set(c.id, { state: st.state, obs });
        }
        get(uid).containers.push(obs);
      }),
    );
    for (const s of out.values()) {
      s.sandboxes = sortNewestFirst(s.sandboxes);
      s.containers = sortNewestFirst(s.containers);
    }
    if (prune) {
      const live = new Set(containers.map((c) => c.id));
      for (const id of this.containerCache.keys()) if (!live.has(id)) this.containerCache.delete(id);
      const liveSb = new Set(sandboxes.map((s) => s.id));
      for (const id of this.sandboxCache.keys()) if (!liveSb.has(id)) this.sandboxCache.delete(id);
    }
    return out;
  }

  /** Drops cached statuses (after our own changes, e.g. a stop). */
  forget(ids: string[]): void {
    for (const id of ids) {
      this.containerCache.delete(id);
      this.sandboxCache.delete(id);
    }
  }
}

