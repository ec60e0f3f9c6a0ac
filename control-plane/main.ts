/**
 * The control plane's composition root: startServer(cfg) wires the real
 * implementations together and serves.
 *
 * Order: data dir (writable?) → token file → PKI under DIR/tls → store
 * (instrumented) → resource table → admission chain ([defaults, service
 * allocation] then [validation, namespace lifecycle]) → buildServer →
 * listen → bootstrap (namespaces, kubernetes Service) → ready → kubeconfig.
 * The kubeconfig is written last, so its existence means the server is up.
 *
 * Every failure a user can cause (data dir, port in use, bad token file,
 * datastore) is a StartupError with a one-line message; whatever was
 * already opened is closed again first.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { systemClock } from './api/meta.js';
import { newBuiltinTable } from './api/resources/index.js';
import { metricsEntries } from './api/resources/metrics.js';
import { AgentMetricsSource } from './apiserver/metrics-api/agent-metrics-source.js';
import { AdmissionChain } from './apiserver/admission/admission.js';
import { priorityPlugin } from './apiserver/admission/priority.js';
import { defaultsPlugin } from './apiserver/admission/defaults.js';
import { defaultTolerationSecondsPlugin } from './apiserver/admission/default-toleration-seconds.js';
import { namespaceLifecyclePlugin } from './apiserver/admission/namespace-lifecycle.js';
import { ServiceAllocation } from './apiserver/admission/service-allocation.js';
import { nthAddress, parsePortRange, parseServiceCidr } from './apiserver/admission/service-allocation-ranges.js';
import { validationPlugin } from './apiserver/admission/validation.js';
import { newAuthenticator, withAuthenticatedGroup } from './apiserver/auth/authenticator.js';
import { newServiceAccountAuthenticator } from './apiserver/auth/service-account-authenticator.js';
import { cachedStoreLookup } from './apiserver/auth/service-account-lookup.js';
import { DEFAULT_SERVICE_ACCOUNT_ISSUER, TokenSigner } from './apiserver/auth/service-account-token.js';
import { serviceAccountPlugin } from './apiserver/admission/service-account.js';
import { registerJoinRoutes } from './apiserver/join/join-routes.js';
import { ensureNodeToken, NodeCredentialIssuer } from './pki/join-credentials.js';
import { alwaysAllow } from './apiserver/auth/authorizer.js';
import { parseTokenFile } from './apiserver/auth/token-file.js';
import type { ApiServerDeps } from './apiserver/context.js';
import { ServerMetrics } from './apiserver/metrics/api-metrics.js';
import { instrumentStore } from './apiserver/metrics/instrumented-store.js';
import { registerResourceRoutes } from './apiserver/rest/routes.js';
import type { DirectDispatcher } from './apiserver/rest/direct-dispatch.js';
import { authorizeRequest } from './apiserver/auth/auth-hook.js';
import { requestLabelsOf } from './apiserver/metrics/request-metrics.js';
import { buildServer, type HealthState } from './apiserver/server.js';
import type { UserInfo } from './apiserver/user.js';
import { MASTERS_GROUP } from './apiserver/user.js';
import { LoopbackTransport } from './apiserver/loopback-transport.js';
import { bootstrapCluster, type ApiCaller } from './bootstrap/bootstrap.js';
import { ControllerThread } from './controllers/controller-thread.js';
import { kubernetesGitVersion, type ServerConfig } from './config.js';
import { ensureClusterPki } from './pki/cluster-pki.js';
import { primaryIpv4, servingNames } from './pki/host-names.js';
import { writeKubeconfig } from './pki/kubeconfig.js';
import { ensureKubeletClientCert } from './pki/kubelet-client-cert.js';
import { openStore } from './storage/open-store.js';
import type { Store } from './storage/store.js';

export interface RunningServer {
  port: number;
  url: string;
  kubeconfigPath: string;
  dataDir: string;
  close(): Promise<void>;
}

/** A start-up failure the user can act on; the message is one line. */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** Upstream compacts every five minutes. */
const COMPACTION_INTERVAL_MS = 5 * 60_000;
/** The in-process client's identity, as upstream's loopback client. */
const LOOPBACK_USER = 'system:apiserver';

function errnoReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a parent is not a directory';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EEXIST':
      return 'exists and is not a directory';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/** Creates the data dir if needed and proves it writable. */
function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    const probe = join(dir, `.write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (err) {
    throw new StartupError(`cannot use data dir ${dir}: ${errnoReason(err)}`, { cause: err });
  }
}

function loadTokens(dataDir: string): Map<string, UserInfo> {
  const path = join(dataDir, 'tokens.csv');
  if (!existsSync(path)) return new Map();
  try {
    return parseTokenFile(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new StartupError(`invalid token file ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

// Random bytes drawn in blocks: one crypto call per 4 KiB, not per name.
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

function randomSuffix(length: number): string {
  // upstream's alphabet for generateName: no vowels, no confusable digits.
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  if (randomOffset + length > randomPool.length) {
    randomPool = randomBytes(4096);
    randomOffset = 0;
  }
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomPool[randomOffset++]! % alphabet.length];
  return out;
}

function hostForUrl(bindAddress: string): string {
  if (bindAddress === '0.0.0.0' || bindAddress === '::') return '127.0.0.1';
  return bindAddress.includes(':') ? `[${bindAddress}]` : bindAddress;
}

async function listen(app: FastifyInstance, cfg: ServerConfig): Promise<number> {
  try {
    await app.listen({ port: cfg.port, host: cfg.bindAddress });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new StartupError(`port ${cfg.port} is in use on ${cfg.bindAddress}`, { cause: err });
    if (code === 'EACCES') throw new StartupError(`cannot listen on port ${cfg.port}: permission denied`, { cause: err });
    if (code === 'EADDRNOTAVAIL') throw new StartupError(`bind address ${cfg.bindAddress} is not an address of this host`, { cause: err });
    throw new StartupError(`cannot listen on ${cfg.bindAddress}:${cfg.port}: ${errnoReason(err)}`, { cause: err });
  }
  const addr = app.server.address();
  return addr !== null && typeof addr === 'object' ? addr.port : cfg.port;
}

/** The in-process API client bootstrap writes through: same routes, admission and validation as any client. */
function loopbackCaller(app: FastifyInstance, token: string): ApiCaller {
  return {
    async call(method, path, body) {
      const res = await app.inject({
        method,
        url: path,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      let parsed: unknown = res.body;
      try {
        parsed = JSON.parse(res.body);
      } catch {
        // not JSON: keep the text for the error message
      }
      return { status: res.statusCode, body: parsed };
    },
  };
}

export async function startServer(cfg: ServerConfig): Promise<RunningServer> {
  prepareDataDir(cfg.dataDir);
  const tokens = loadTokens(cfg.dataDir);
  const loopbackToken = randomBytes(32).toString('base64url');
  const loopbackUser: UserInfo = { name: LOOPBACK_USER, uid: randomUUID(), groups: [MASTERS_GROUP] };
  tokens.set(loopbackToken, loopbackUser);

  const interfaces = networkInterfaces();
  const pki = await ensureClusterPki(cfg.dataDir, servingNames(cfg.bindAddress, cfg.tlsSans, { hostname: hostname(), interfaces }), systemClock);
  const kubeletClientCert = await ensureKubeletClientCert(pki.dir, systemClock);
  // ServiceAccount tokens are signed with DIR/tls/service-account.key; agents join with DIR/node-token.
  const saSigner = new TokenSigner(readFileSync(pki.serviceAccountKeyPath, 'utf8'));
  const saIssuer = DEFAULT_SERVICE_ACCOUNT_ISSUER;
  const nodeToken = ensureNodeToken(cfg.dataDir, pki.caCertPem);
  const nodeCredentials = new NodeCredentialIssuer(pki.dir, systemClock);

  const metrics = new ServerMetrics();
  let rawStore: Store;
  try {
    rawStore = await openStore(cfg.datastore, { compactionIntervalMs: COMPACTION_INTERVAL_MS });
  } catch (err) {
    throw new StartupError(`cannot open datastore ${cfg.datastore}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const store = instrumentStore(rawStore, metrics);

  let app: FastifyInstance | undefined;
  try {
    const table = newBuiltinTable();
    // metrics.k8s.io (kubectl top) answers from the node agents' stats summaries.
    const kubeletClient = { certPem: kubeletClientCert.certPem, keyPem: kubeletClientCert.keyPem, caPem: pki.caCertPem };
    for (const e of metricsEntries(new AgentMetricsSource({ store, table, kubelet: kubeletClient, clock: systemClock }))) table.register(e);
    const serviceCidr = parseServiceCidr(cfg.serviceCidr);
    const allocation = new ServiceAllocation({
      serviceCidr,
      nodePortRange: parsePortRange(cfg.serviceNodePortRange),
      store,
      clock: systemClock,
      random: Math.random,
    });
    const admission = new AdmissionChain(
      [priorityPlugin({ store, table }), defaultsPlugin(), serviceAccountPlugin({ store, table, randomSuffix }), defaultTolerationSecondsPlugin(), allocation],
      [validationPlugin(), namespaceLifecyclePlugin({ store, table })],
    );
    const deps: ApiServerDeps = {
      table,
      store,
      clock: systemClock,
      newUid: randomUUID,
      randomSuffix,
      admission,
      metrics,
      gitVersion: kubernetesGitVersion(),
      serviceAccountTokens: { signer: saSigner, issuer: saIssuer, apiAudiences: [saIssuer], maxExpirationSeconds: 0, extendExpiration: true, newJti: randomUUID },
    };
    const saAuthenticator = newServiceAccountAuthenticator({
      publicKeys: [saSigner.publicKey],
      issuers: [saIssuer],
      audiences: [saIssuer],
      lookup: cachedStoreLookup({ store, table, clock: systemClock }),
      clock: systemClock,
    });

    const endpointIp = cfg.bindAddress === '0.0.0.0' || cfg.bindAddress === '::' ? primaryIpv4(interfaces) : cfg.bindAddress;
    let port = cfg.port;
    const health: HealthState = { ready: false };
    const authorizer = alwaysAllow;
    let direct: DirectDispatcher | undefined;
    app = buildServer(deps, {
      tls: { key: pki.serverKeyPem, cert: pki.serverCertPem, ca: pki.caCertPem },
      authenticator: newAuthenticator(tokens, [saAuthenticator]),
      authorizer,
      metrics,
      routes: (a, d) => {
        direct = registerResourceRoutes(a, d);
        registerJoinRoutes(a, { caPem: pki.caCertPem, nodeToken, issue: (r) => nodeCredentials.issue(r) });
      },
      kubeletClient,
      health,
      serverAddress: () => `${endpointIp.includes(':') ? `[${endpointIp}]` : endpointIp}:${port}`,
    });
    port = await listen(app, cfg);

    try {
      await bootstrapCluster(loopbackCaller(app, loopbackToken), {
        serviceIp: nthAddress(serviceCidr, 1),
        endpointIp,
        port,
        serves: (g, v, r) => table.resolve(g, v, r) !== undefined,
      });
    } catch (err) {
      throw new StartupError(`cluster bootstrap failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    health.ready = true;

    // The scheduler and the controllers talk to this server in-process,
    // through the same routes, admission and watch caches as any client.
    // Their writes are typed objects of their own making: fieldValidation=Ignore
    // spares the server a duplicate-key scan of every body.
    // Plain resource requests take the direct lane: same authorization,
    // handlers and request metrics, without emulating HTTP.
    // The lane skips authentication, so it names the user as the authenticator would.
    const laneUser = withAuthenticatedGroup(loopbackUser);
    const lane = direct && {
      dispatch: direct,
      caller: {
        user: laneUser,
        authorize: (method: string, url: string) => authorizeRequest(authorizer, laneUser, method, url),
        observe: (method: string, url: string, code: number, seconds: number) => metrics.observeRequest(requestLabelsOf(method, url), code, seconds),
      },
    };
    // Each loopback names its field manager as upstream's component would.
    const schedulerLoopback = new LoopbackTransport(app, loopbackToken, lane, 'kube-scheduler');
    const managerLoopback = new LoopbackTransport(app, loopbackToken, lane, 'kube-controller-manager');
    const log = (msg: string): void => {
      process.stderr.write(`skiff: ${msg}\n`);
    };
    // The scheduler and the controller manager run on threads of their own,
    // as upstream runs them in processes of their own, each under its own
    // Lease when leader election is on. Apart, a scheduling cycle cannot
    // hold up the ReplicaSet controller's creates (and the reverse): at
    // 5,000 nodes that is worth more than the second copy of the pod cache.
    const identity = `${hostname()}_${randomUUID()}`;
    const thread = (name: string, transport: LoopbackTransport, role: { scheduler: boolean; controllerManager: boolean }): ControllerThread =>
      new ControllerThread(
        transport,
        {
          config: {
            clusterCidr: cfg.clusterCidr,
            nodeCidrMaskSize: cfg.nodeCidrMaskSize,
            nodeMonitorGracePeriodMs: cfg.nodeMonitorGracePeriodMs,
            serviceCidr: cfg.serviceCidr,
            terminatedPodGcThreshold: cfg.terminatedPodGcThreshold,
            rootCaCertPem: pki.caCertPem,
          },
          identity,
          ...role,
          ...(cfg.leaderElect
            ? {
                leaderElection: {
                  leaseDurationMs: cfg.leaderElectLeaseDurationMs,
                  renewDeadlineMs: cfg.leaderElectRenewDeadlineMs,
                  retryPeriodMs: cfg.leaderElectRetryPeriodMs,
                },
              }
            : {}),
        },
        log,
        name,
      );
    const controllers = [
      ...(cfg.disableScheduler ? [] : [thread('scheduler', schedulerLoopback, { scheduler: true, controllerManager: false })]),
      ...(cfg.disableControllerManager ? [] : [thread('controller manager', managerLoopback, { scheduler: false, controllerManager: true })]),
    ];
    for (const t of controllers) t.start();

    const url = `https://${hostForUrl(cfg.bindAddress)}:${port}`;
    writeKubeconfig(cfg.kubeconfigPath, { server: url, caCertPem: pki.caCertPem, clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem });

    const server = app;
    let closing: Promise<void> | undefined;
    return {
      port,
      url,
      kubeconfigPath: cfg.kubeconfigPath,
      dataDir: cfg.dataDir,
      close() {
        closing ??= (async () => {
          health.ready = false;
          await Promise.all(controllers.map((t) => t.stop().catch(() => undefined)));
          schedulerLoopback.close();
          managerLoopback.close();
          // fastify's close waits for in-flight requests (watches are cut in preClose).
          await server.close();
          await store.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await app?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }
}
