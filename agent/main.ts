/**
 * Wires one node agent: identity, runtime, node status, kubelet and the
 * agent's HTTPS server. Only cli/ imports this file.
 *
 * Order (each step needs the one before):
 * 1. join: the node token buys a client certificate for system:node:NAME
 *    and a serving certificate (agent/join); every API call after this is
 *    made as that identity;
 * 2. runtime: the given CRI endpoint, or a containerd Skiff starts and
 *    supervises under DIR/agent/containerd with the sandbox (pause) image
 *    imported, then every tarball in DIR/agent/images (the airgap path);
 * 3. node: registration, Lease and status (agent/node); the node's
 *    podCIDR (from the server's node IPAM, or --pod-cidr) becomes the CNI
 *    network of the supervised containerd, which makes the runtime's
 *    NetworkReady true and with it the node Ready;
 * 4. kubelet: pod sync with its seams (env, volumes, images, container
 *    config, probes, hooks) and log rotation;
 * 5. the agent's HTTPS server: logs, exec, attach, port-forward, stats,
 *    metrics.
 *
 * close() stops all of it, the supervised containerd included, but never
 * a pod's container: the next start adopts them.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiClient } from '../control-plane/api/client/api-client.js';
import { HttpsTransport } from '../control-plane/api/client/transport.js';
import { systemClock, type Clock, type KubeObject } from '../control-plane/api/meta.js';
import { Informer } from './common/informer.js';
import { agentPaths, type AgentConfig } from './config.js';
import { writeCniConfig } from './containerd/cni-network.js';
import { startContainerd, type RunningContainerd } from './containerd/supervisor.js';
import { createRuntime } from './cri/create-runtime.js';
import type { Runtime } from './cri/runtime.js';
import { importImage, importImageDir } from './images/import.js';
import { buildPauseImage, PAUSE_IMAGE } from './images/test-images.js';
import { joinCluster } from './join/join-client.js';
import { makeBuildContainerConfig } from './kubelet/container-config.js';
import { makeResolveEnv } from './kubelet/env.js';
import { createImagePuller } from './kubelet/image-puller.js';
import { Kubelet } from './kubelet/kubelet.js';
import { createRunHook } from './kubelet/lifecycle-hooks.js';
import { ContainerLogManager } from './kubelet/log-rotation.js';
import { apiObjectSource } from './kubelet/object-source.js';
import { cachedObjectSource } from './kubelet/object-source-cache.js';
import { createProberManager } from './kubelet/probes/prober-manager.js';
import { createVolumeManager } from './kubelet/volumes/volume-manager.js';
import { KubeletPodLocator } from './kubelet-pod-locator.js';
import { AgentMetrics } from './metrics/agent-metrics.js';
import { MetricsRefresher } from './metrics/metrics-refresher.js';
import { LinuxHostProbe } from './node/host-info.js';
import { fetchServerGitVersion, NodeAgent } from './node/node-agent.js';
import { startKubeletServer } from './server/kubelet-server.js';
import { EventRecorder } from './common/event-recorder.js';
import { freeTcpPort } from './common/free-port.js';
import { containerFieldPath } from './kubelet/pod-killer.js';

export interface RunningAgent {
  nodeName: string;
  /** The CRI endpoint in use. */
  runtimeEndpoint: string;
  close(): Promise<void>;
}

export interface AgentRunOptions {
  log: (msg: string) => void;
  clock?: Clock;
}

/** The package's prebuilt sandbox image (npm run build), if there is one. */
function prebuiltPauseImage(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'build', 'images', 'pause.tar');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

async function ensureSandboxImage(runtime: Runtime, socketPath: string, cacheDir: string, log: (m: string) => void): Promise<void> {
  if (await runtime.imageStatus(PAUSE_IMAGE)) return;
  let tar = prebuiltPauseImage();
  if (!tar) {
    tar = join(cacheDir, 'pause.tar');
    log(`building the sandbox image ${PAUSE_IMAGE} (gcc -static)`);
    buildPauseImage(tar, { cacheDir });
  }
  await importImage(socketPath, tar);
}

function socketOf(endpoint: string): string {
  return endpoint.replace(/^unix:\/\//, '');
}

export async function startAgent(cfg: AgentConfig, opts: AgentRunOptions): Promise<RunningAgent> {
  const log = opts.log;
  const clock = opts.clock ?? systemClock;
  if (!cfg.server || !cfg.token) throw new Error('the agent needs --server and --token');
  const paths = agentPaths(cfg.dataDir);
  for (const d of [paths.root, paths.images, paths.pods, paths.logs]) mkdirSync(d, { recursive: true });

  // 1. identity
  const identity = await joinCluster({ server: cfg.server, token: cfg.token, nodeName: cfg.nodeName, nodeIP: cfg.nodeIP, dataDir: cfg.dataDir, clock });
  const transport = new HttpsTransport({ server: cfg.server, ca: identity.caPem, cert: identity.clientCertPem, key: identity.clientKeyPem });
  const client = new ApiClient(transport);

  const closers: (() => Promise<void> | void)[] = [];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) {
      try {
        await c();
      } catch (e) {
        log(`shutdown: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  };
  const events = new EventRecorder({ client, component: 'kubelet', host: cfg.nodeName, clock, log: (m) => log(`events: ${m}`) });
  // Closed last (closers run in reverse), so the Killing events of a shutdown still drain.
  closers.push(() => events.stop());
  try {
    // 2. runtime
    let containerd: RunningContainerd | undefined;
    let endpoint = cfg.containerRuntimeEndpoint;
    if (!endpoint) {
      containerd = await startContainerd({
        dir: paths.containerd,
        cniDir: join(paths.root, 'cni'),
        streamAddress: cfg.nodeIP,
        streamPort: await freeTcpPort(cfg.nodeIP),
        sandboxImage: PAUSE_IMAGE,
        podCidr: cfg.podCidr,
        bridgeName: 'skiff0',
        log: (l) => log(`containerd: ${l}`),
      });
      closers.push(() => containerd?.stop());
      endpoint = containerd.endpoint;
    }
    const metrics = new AgentMetrics({ nodeName: cfg.nodeName });
    const runtime = createRuntime(endpoint, { onCall: (m, ms, code) => metrics.onCriCall(m, ms, code) });
    closers.push(() => runtime.close());
    const socketPath = socketOf(endpoint);
    if (containerd) await ensureSandboxImage(runtime, socketPath, join(paths.root, 'cache'), log);
    const imported = await importImageDir(socketPath, paths.images);
    if (imported.length > 0) log(`imported ${imported.length} image(s) from ${paths.images}`);

    // 3. node (the kubelet reports the server's version as its own: read it once)
    const kubeVersion = await fetchServerGitVersion(transport);
    const host = new LinuxHostProbe();
    const node = new NodeAgent({
      client,
      runtime,
      nodeName: cfg.nodeName,
      nodeIP: cfg.nodeIP,
      kubeletPort: cfg.kubeletPort,
      systemReserved: cfg.systemReserved,
      maxPods: cfg.maxPods,
      host,
      clock,
      log,
      dataDir: cfg.dataDir,
      serverVersion: async () => kubeVersion,
      ...(cfg.podCidr ? { podCIDR: cfg.podCidr } : {}),
    });
    await node.start();
    closers.push(() => node.stop());
    const podCidr = await node.podCIDR();
    if (containerd) writeCniConfig(containerd, podCidr);

    // 4. kubelet
    // ConfigMaps, Secrets and Services are read at every container start and volume refresh: cached briefly.
    const services = new Informer<KubeObject>(client, { group: '', version: 'v1', resource: 'services' });
    services.start();
    closers.push(() => services.stop());
    const source = cachedObjectSource(apiObjectSource(client), { clock, serviceInformer: services });
    const prober = createProberManager({
      exec: runtime.execSync.bind(runtime),
      kubeVersion,
      onProbe: (type, result, l) => metrics.onProbe(type, result, l),
      recordEvent: (pod, containerName, reason, message) => events.event(pod, 'Warning', reason, message, containerFieldPath(pod, containerName)),
    });
    closers.push(() => prober.stop());
    const kubelet = new Kubelet({
      client,
      runtime,
      nodeName: cfg.nodeName,
      dataDir: cfg.dataDir,
      clock,
      log,
      resolveEnv: makeResolveEnv(source, { nodeName: cfg.nodeName, hostIP: cfg.nodeIP }),
      volumes: createVolumeManager({ podsDir: paths.pods, source, clock }),
      imagePuller: createImagePuller({ runtime, source, clock, onEvent: (pod, c, e) => events.event(pod, e.type, e.reason, e.message, containerFieldPath(pod, c.name)) }),
      event: (pod, type, reason, message, fieldPath) => events.event(pod, type, reason, message, fieldPath),
      buildContainerConfig: makeBuildContainerConfig({ clusterDomain: cfg.clusterDomain }),
      prober,
      runHook: createRunHook({ kubeVersion }),
      cgroupRoot: cfg.cgroupRoot.slice(1),
      clusterDns: [...cfg.clusterDns],
      clusterDomain: cfg.clusterDomain,
      nodeHostname: hostname(),
      hostIPs: () => [cfg.nodeIP],
      metrics: {
        podStarted: (ms) => metrics.observePodStart(ms / 1000),
        containerRestarted: (ns, pod, c) => metrics.onContainerRestart(ns, pod, c),
        containerStarted: (kind, code) => metrics.onContainerStart(kind === 'init' ? 'init_container' : 'container', code),
      },
    });
    await kubelet.start();
    closers.push(() => kubelet.stop());
    const refresher = new MetricsRefresher({
      metrics,
      runtime,
      hostSample: () => node.stats.latest(),
      podKeys: () => kubelet.runningPods().map((p) => `${p.namespace}/${p.name}`),
      log,
    });
    refresher.start();
    closers.push(() => refresher.stop());
    const logs = new ContainerLogManager({ runtime, listLogs: () => kubelet.containerLogs() });
    logs.start();
    closers.push(() => logs.stop());

    // 5. the agent's HTTPS server
    const server = await startKubeletServer({
      host: cfg.nodeIP === '127.0.0.1' ? '127.0.0.1' : '0.0.0.0',
      port: cfg.kubeletPort,
      tls: { certPem: identity.servingCertPem, keyPem: identity.servingKeyPem, caPem: identity.caPem },
      pods: new KubeletPodLocator(kubelet),
      runtime,
      statsSummary: () => node.stats.summary(kubelet.runningPods()),
      metrics: metrics.registry,
      log,
    });
    closers.push(() => server.close());

    await node.updateStatusNow();
    await node.ready();
    return { nodeName: cfg.nodeName, runtimeEndpoint: endpoint, close };
  } catch (e) {
    await close();
    throw e;
  }
}
