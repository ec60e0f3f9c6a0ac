/**
 * JSON → protobuf → JSON through the real proto/k8s schema, for a
 * realistic object of every kind kubectl and controllers send: each must
 * come back exactly, also when encoded the way Go does (zero values of
 * every plain optional scalar written to the wire).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSchemaGraph } from './proto-schema.js';
import { decodeProtobufBody } from './protobuf-decoder.js';
import { encodeProtobufBody } from './protobuf-encoder.js';
import { hasProtobufMagic, readEnvelope } from './protobuf-envelope.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

const podTemplate = {
  metadata: { creationTimestamp: null, labels: { app: 'web', tier: 'frontend' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-28T06:00:00Z' } },
  spec: {
    initContainers: [{ name: 'migrate', image: 'registry.local/web:1.2', command: ['/bin/migrate'], args: ['--once'], resources: {} }],
    containers: [
      {
        name: 'web',
        image: 'registry.local/web:1.2',
        imagePullPolicy: 'IfNotPresent',
        ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { containerPort: 9090, hostPort: 19090, protocol: 'UDP' }],
        env: [
          { name: 'MODE', value: 'prod' },
          { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
          { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'web-secret', key: 'token', optional: true } } },
          { name: 'MEM', valueFrom: { resourceFieldRef: { containerName: 'web', resource: 'limits.memory', divisor: '1Mi' } } },
        ],
        envFrom: [{ configMapRef: { name: 'web-config' }, prefix: 'CFG_' }],
        resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '250m', memory: '128Mi', 'ephemeral-storage': '1Gi' } },
        volumeMounts: [{ name: 'config', mountPath: '/etc/web', readOnly: true }, { name: 'cache', mountPath: '/cache', subPath: 'web' }],
        livenessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP', httpHeaders: [{ name: 'X-Probe', value: '1' }] }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
        readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 5 },
        startupProbe: { exec: { command: ['cat', '/tmp/ready'] }, failureThreshold: 30, terminationGracePeriodSeconds: 15 },
        lifecycle: { preStop: { sleep: { seconds: 5 } } },
        securityContext: { runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: true, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, readOnlyRootFilesystem: true },
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        stdin: true,
        tty: true,
      },
    ],
    volumes: [
      { name: 'config', configMap: { name: 'web-config', items: [{ key: 'app.yaml', path: 'app.yaml', mode: 420 }], defaultMode: 420 } },
      { name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
      { name: 'creds', secret: { secretName: 'web-secret', optional: true } },
      { name: 'token', projected: { sources: [{ serviceAccountToken: { audience: 'vault', expirationSeconds: 3600, path: 'token' } }] } },
    ],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    serviceAccountName: 'web',
    automountServiceAccountToken: true,
    hostNetwork: true,
    securityContext: { fsGroup: 2000, sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] },
    imagePullSecrets: [{ name: 'registry' }],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }] },
      },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' } }],
      },
    },
    tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }],
    priorityClassName: 'high',
    schedulerName: 'default-scheduler',
    hostAliases: [{ ip: '10.0.0.1', hostnames: ['db.local'] }],
    dnsConfig: { nameservers: ['1.1.1.1'], options: [{ name: 'ndots', value: '2' }] },
  },
};

const fixtures: Record<string, Record<string, unknown>> = {
  Deployment: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      generation: 3,
      creationTimestamp: '2026-11-28T06:00:00Z',
      labels: { app: 'web' },
      annotations: { 'deployment.kubernetes.io/revision': '2' },
      finalizers: ['example.com/keep'],
      managedFields: [{ manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: '2026-11-28T06:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }],
    },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] },
      template: podTemplate,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
      minReadySeconds: 5,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {
      observedGeneration: 3,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      conditions: [{ type: 'Available', status: 'True', lastUpdateTime: '2026-11-28T06:00:01Z', lastTransitionTime: '2026-11-28T06:00:01Z', reason: 'MinimumReplicasAvailable', message: 'ok' }],
    },
  },
  Service: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      type: 'NodePort',
      selector: { app: 'web' },
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 },
        { name: 'metrics', protocol: 'TCP', port: 9090, targetPort: 'metrics', appProtocol: 'http' },
      ],
      clusterIP: '10.43.0.20',
      clusterIPs: ['10.43.0.20'],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
      externalTrafficPolicy: 'Local',
      internalTrafficPolicy: 'Cluster',
    },
    status: { loadBalancer: {} },
  },
  Secret: {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'web-secret', namespace: 'default' },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64('-----BEGIN CERTIFICATE-----\n'), 'tls.key': b64('\u0000\u00ff binary'), empty: '' },
    stringData: { note: 'plain text' },
  },
  Job: {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'backup', namespace: 'default', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: '0d5f3c2e-1111-4a4a-9c9c-000000000001', controller: true, blockOwnerDeletion: true }] },
    spec: {
      parallelism: 2,
      completions: 4,
      backoffLimit: 0,
      activeDeadlineSeconds: 3600,
      completionMode: 'Indexed',
      suspend: false,
      ttlSecondsAfterFinished: 100,
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } }, { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] },
      template: { metadata: { creationTimestamp: null }, spec: { containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'exit 0'], resources: {} }], restartPolicy: 'Never' } },
    },
    status: { startTime: '2026-11-28T06:00:00Z', active: 1, ready: 0, uncountedTerminatedPods: {} },
  },
  CronJob: {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly', namespace: 'default' },
    spec: {
      schedule: '0 6 * * *',
      timeZone: 'Etc/UTC',
      startingDeadlineSeconds: 200,
      concurrencyPolicy: 'Forbid',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: { name: 'nightly', creationTimestamp: null }, spec: { template: { metadata: { creationTimestamp: null }, spec: { containers: [{ name: 'nightly', image: 'busybox', resources: {} }], restartPolicy: 'OnFailure' } } } },
    },
    status: { lastScheduleTime: '2026-11-28T06:00:00Z', active: [{ kind: 'Job', namespace: 'default', name: 'nightly-1', uid: 'abc', apiVersion: 'batch/v1', resourceVersion: '42' }] },
  },
  ConfigMap: {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'web-config', namespace: 'default' },
    data: { 'app.yaml': 'port: 8080\n', empty: '' },
    binaryData: { 'logo.png': b64('\u0089PNG') },
    immutable: false,
  },
  Namespace: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'team-a' } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } },
  ServiceAccount: {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'web', namespace: 'default' },
    secrets: [{ name: 'web-token' }],
    imagePullSecrets: [{ name: 'registry' }],
    automountServiceAccountToken: false,
  },
  ResourceQuota: {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: 'compute', namespace: 'default' },
    spec: { hard: { cpu: '4', memory: '8Gi', pods: '20', 'requests.storage': '100Gi' }, scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } },
    status: { hard: { pods: '20' }, used: { pods: '0' } },
  },
  PodDisruptionBudget: {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'web', namespace: 'default' },
    spec: { minAvailable: '50%', selector: { matchLabels: { app: 'web' } }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
    status: {
      observedGeneration: 1,
      disruptedPods: { 'web-1': '2026-11-28T06:00:00Z' },
      disruptionsAllowed: 0,
      currentHealthy: 2,
      desiredHealthy: 1,
      expectedPods: 2,
      conditions: [{ type: 'DisruptionAllowed', status: 'False', observedGeneration: 1, lastTransitionTime: '2026-11-28T06:00:00Z', reason: 'InsufficientPods', message: '' }],
    },
  },
  PriorityClass: { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'zero' }, value: 0, description: 'the default', preemptionPolicy: 'Never' },
  Lease: {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'node-1', namespace: 'kube-node-lease' },
    spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, acquireTime: '2026-11-28T06:00:00.000000Z', renewTime: '2026-11-28T06:05:12.345678Z', leaseTransitions: 0 },
  },
  EndpointSlice: {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc12', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [
      { addresses: ['10.42.0.5'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-1', zone: 'a', targetRef: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u1' }, hints: { forZones: [{ name: 'a' }] } },
      { addresses: ['10.42.0.6'], conditions: { ready: false } },
    ],
    ports: [{ name: 'http', protocol: 'TCP', port: 8080, appProtocol: 'http' }, { name: '', port: 0 }],
  },
  Event: {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'web-1.17a', namespace: 'default' },
    eventTime: '2026-11-28T06:00:00.123456Z',
    series: { count: 2, lastObservedTime: '2026-11-28T06:01:00.000001Z' },
    reportingController: 'skiff.dev/scheduler',
    reportingInstance: 'scheduler-1',
    action: 'Binding',
    reason: 'Scheduled',
    regarding: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u1', apiVersion: 'v1', resourceVersion: '7' },
    note: 'Successfully assigned default/web-1 to node-1',
    type: 'Normal',
    deprecatedSource: {},
    deprecatedFirstTimestamp: null,
    deprecatedLastTimestamp: null,
  },
  StatefulSet: {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'default' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'db' } },
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres:16', resources: {} }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } }, status: {} }],
      serviceName: 'db',
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
      ordinals: { start: 1 },
    },
  },
  DaemonSet: {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'kube-system' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'agent:1', resources: {} }], hostPID: true } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    },
    status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
  },
  ControllerRevision: {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name: 'db-5d8f', namespace: 'default' },
    data: { spec: { template: { $patch: 'replace', spec: { containers: [{ name: 'db', image: 'postgres:16' }] } } } },
    revision: 1,
  },
  Scale: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 5 }, status: { replicas: 2, selector: 'app=web' } },
  Eviction: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-1', namespace: 'default' }, deleteOptions: { gracePeriodSeconds: 0, propagationPolicy: 'Foreground', dryRun: ['All'] } },
  SelfSubjectReview: {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'SelfSubjectReview',
    metadata: { creationTimestamp: null },
    status: { userInfo: { username: 'admin', uid: 'u-1', groups: ['system:masters', 'system:authenticated'], extra: { scopes: ['a', 'b'] } } },
  },
  TokenRequest: {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: null },
    spec: { audiences: ['https://kubernetes.default.svc'], expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web-1', uid: 'u1' } },
    status: { token: '', expirationTimestamp: null },
  },
};

describe('protobuf round trip through proto/k8s', () => {
  const graph = loadSchemaGraph();
  for (const [kind, obj] of Object.entries(fixtures)) {
    test(`a ${kind} survives JSON → protobuf → JSON`, () => {
      const body = encodeProtobufBody(graph, obj);
      assert.ok(hasProtobufMagic(body));
      const env = readEnvelope(body);
      assert.equal(env.kind, obj.kind);
      assert.equal(env.apiVersion, obj.apiVersion);
      assert.deepEqual(decodeProtobufBody(graph, body), obj);
    });

    test(`a ${kind} encoded as Go does (plain zero values on the wire) decodes to the same JSON`, () => {
      assert.deepEqual(decodeProtobufBody(graph, encodeProtobufBody(graph, obj, { goZeroValues: true })), obj);
    });
  }
});
