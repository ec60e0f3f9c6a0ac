/**
 * Raw CRI pod starts: what a pod start costs containerd alone, the floor
 * the kubelet's pod start is compared against (bench/pod-start).
 *
 * One start = RunPodSandbox + CreateContainer + StartContainer with the
 * configs the kubelet itself would build for the same busybox pod
 * (agent/kubelet sandbox-config.ts and container-config.ts: same DNS, log
 * directory layout, termination-log mount, resources, security context),
 * on the same containerd and so the same CNI conflist. Two differences on
 * purpose:
 * - no `skiff.dev/managed` label, so the kubelet's relist and cleanup
 *   never see these sandboxes;
 * - the cgroup parent is `/skiff-bench/pod<uid>` (runc creates it), not
 *   the kubelet's `/skiff/pod<uid>`, removed again by removeAll().
 * Logs and termination-log files go to a temp dir.
 *
 * Timestamps: `performance.now()` around each call, plus the CRI's own
 * created/started times (ns since the epoch) read back afterwards, so the
 * same stage boundaries can be compared with pods started through the API.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ContainerConfig, PodSandboxConfig, Runtime } from '../../agent/cri/runtime.js';
import { makeBuildContainerConfig } from '../../agent/kubelet/container-config.js';
import { MANAGED } from '../../agent/kubelet/cri-labels.js';
import type { Pod } from '../../agent/kubelet/pod-deps.js';
import { buildSandboxConfig, parseResolvConf } from '../../agent/kubelet/sandbox-config.js';

export const CGROUP_PARENT = 'skiff-bench';

/** One raw start; times in ms on the performance.now() clock of this process. */
export interface RawStart {
  uid: string;
  sandboxId: string;
  containerId: string;
  t0: number;
  sandboxDone: number;
  createDone: number;
  startDone: number;
}

export interface RawCriOptions {
  runtime: Runtime;
  image: string;
  command: string[];
  /** A temp dir for logs and pod dirs. */
  dir: string;
}

function withoutManaged(labels: Record<string, string>): Record<string, string> {
  const out = { ...labels };
  delete out[MANAGED];
  return out;
}

export class RawCri {
  private readonly started: RawStart[] = [];
  private readonly buildContainer = makeBuildContainerConfig();
  private readonly hostDns;
  private n = 0;

  constructor(private readonly o: RawCriOptions) {
    let text = '';
    try {
      text = readFileSync('/etc/resolv.conf', 'utf8');
    } catch {
      // no resolv.conf: empty DNS config, as the kubelet
    }
    this.hostDns = parseResolvConf(text);
  }

  private configs(): { uid: string; sandbox: PodSandboxConfig; container: ContainerConfig } {
    const uid = randomUUID();
    const name = `raw-${++this.n}`;
    const container = { name: 'c', image: this.o.image, imagePullPolicy: 'IfNotPresent', command: this.o.command };
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'bench-raw-cri', uid },
      spec: { terminationGracePeriodSeconds: 0, containers: [container] },
    } as Pod;
    const sandbox = buildSandboxConfig({
      pod,
      attempt: 0,
      nodeHostname: hostname(),
      logRoot: join(this.o.dir, 'logs'),
      clusterDns: [],
      clusterDomain: 'cluster.local',
      hostDns: this.hostDns,
    });
    sandbox.labels = withoutManaged(sandbox.labels);
    sandbox.linux = { ...sandbox.linux, cgroupParent: `/${CGROUP_PARENT}/pod${uid}` };
    const cfg = this.buildContainer({
      pod,
      container,
      attempt: 0,
      env: [],
      volumePaths: new Map(),
      podDir: join(this.o.dir, 'pods', uid),
      sandboxConfig: sandbox,
      imageRef: this.o.image,
    });
    cfg.labels = withoutManaged(cfg.labels);
    return { uid, sandbox, container: cfg };
  }

  /** Starts one pod: sandbox, container, start. */
  async startOne(): Promise<RawStart> {
    const t0 = performance.now();
    const { uid, sandbox, container } = this.configs();
    const sandboxId = await this.o.runtime.runPodSandbox(sandbox);
    const sandboxDone = performance.now();
    const containerId = await this.o.runtime.createContainer(sandboxId, container, sandbox);
    const createDone = performance.now();
    await this.o.runtime.startContainer(containerId);
    const startDone = performance.now();
    const s = { uid, sandboxId, containerId, t0, sandboxDone, createDone, startDone };
    this.started.push(s);
    return s;
  }

  /** Stops and removes every sandbox started here (containers go with them), then the cgroup parents runc made. */
  async removeAll(): Promise<void> {
    const all = this.started.splice(0);
    await Promise.all(
      all.map(async (s) => {
        await this.o.runtime.stopPodSandbox(s.sandboxId).catch(() => undefined);
        await this.o.runtime.removePodSandbox(s.sandboxId).catch(() => undefined);
      }),
    );
    removeCgroupParent();
  }
}

/** rmdir /sys/fs/cgroup/<ctrl>/skiff-bench/** deepest first (empty once the pods are gone). */
export function removeCgroupParent(root = '/sys/fs/cgroup'): void {
  const rmTree = (dir: string): void => {
    let names: string[] = [];
    try {
      names = readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name);
    } catch {
      return;
    }
    for (const n of names) rmTree(join(dir, n));
    try {
      rmdirSync(dir);
    } catch {
      // still busy, or not a cgroup dir
    }
  };
  if (!existsSync(root)) return;
  for (const ctrl of readdirSync(root)) rmTree(join(root, ctrl, CGROUP_PARENT));
}
