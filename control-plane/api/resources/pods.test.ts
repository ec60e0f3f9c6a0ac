import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../field-errors.js';
import type { KubeObject } from '../meta.js';
import { pods, podQOSClass } from './pods.js';

function pod(spec: Record<string, unknown>, name = 'web'): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec };
}

function created(o: KubeObject): KubeObject {
  pods.defaults?.(o);
  pods.normalize?.(o);
  return o;
}

function messages(o: KubeObject, old?: KubeObject): string[] {
  return (pods.validate?.(o, old) ?? []).map(formatFieldError);
}

describe('pod defaults', () => {
  test('a minimal pod gets upstream defaults, status and QoS', () => {
    const p = created(pod({ containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }] }));
    assert.deepEqual(p.spec, {
      containers: [
        {
          name: 'c',
          image: 'nginx',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          imagePullPolicy: 'Always',
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          resources: {},
        },
      ],
      dnsPolicy: 'ClusterFirst',
      restartPolicy: 'Always',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
    });
    assert.deepEqual(p.status, { phase: 'Pending', qosClass: 'BestEffort' });
  });

  test('imagePullPolicy is IfNotPresent for tags other than latest and for digests', () => {
    const p = created(pod({
      containers: [
        { name: 'a', image: 'nginx:1.25' },
        { name: 'b', image: 'nginx:latest' },
        { name: 'c', image: 'localhost:5000/nginx' },
        { name: 'd', image: 'nginx@sha256:abc' },
      ],
    }));
    const policies = (p.spec as { containers: { imagePullPolicy: string }[] }).containers.map((c) => c.imagePullPolicy);
    assert.deepEqual(policies, ['IfNotPresent', 'Always', 'Always', 'IfNotPresent']);
  });

  test('probes, fieldRefs and volumes get their defaults', () => {
    const p = created(pod({
      containers: [{
        name: 'c',
        image: 'x:1',
        livenessProbe: { httpGet: { port: 80 } },
        env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      }],
      volumes: [{ name: 's', secret: { secretName: 's' } }, { name: 'e' }, { name: 'h', hostPath: { path: '/x' } }],
    }));
    const spec = p.spec as Record<string, unknown>;
    const c = (spec.containers as Record<string, unknown>[])[0] ?? {};
    assert.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    assert.deepEqual(c.env, [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } } }]);
    assert.deepEqual(spec.volumes, [
      { name: 's', secret: { secretName: 's', defaultMode: 420 } },
      { name: 'e', emptyDir: {} },
      { name: 'h', hostPath: { path: '/x', type: '' } },
    ]);
  });

  test('requests default to limits, quantities become canonical and QoS is Guaranteed', () => {
    const p = created(pod({ containers: [{ name: 'c', image: 'x:1', resources: { limits: { cpu: '1000m', memory: '1024Mi' } } }] }));
    const c = (p.spec as { containers: { resources: unknown }[] }).containers[0];
    assert.deepEqual(c?.resources, { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } });
    assert.equal((p.status as { qosClass: string }).qosClass, 'Guaranteed');
  });

  test('QoS is Burstable when requests are below limits', () => {
    const p = pod({ containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '100m' } } }] });
    assert.equal(podQOSClass(p), 'Burstable');
  });
});

describe('pod validation', () => {
  test('missing containers are required', () => {
    assert.deepEqual(messages(created(pod({}))), ['spec.containers: Required value']);
  });

  test('container name and image are required, names unique', () => {
    const p = created(pod({ containers: [{}, { name: 'a', image: 'x' }, { name: 'a', image: 'y' }] }));
    assert.deepEqual(messages(p), [
      'spec.containers[0].name: Required value',
      'spec.containers[0].image: Required value',
      'spec.containers[2].name: Duplicate value: "a"',
    ]);
  });

  test('a bad name gets the RFC 1123 subdomain message', () => {
    const p = created(pod({ containers: [{ name: 'c', image: 'x' }] }, 'Foo'));
    assert.deepEqual(messages(p), [
      `metadata.name: Invalid value: "Foo": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ]);
  });

  test('protocols and restart policies are checked against the supported lists', () => {
    const p = created(pod({ restartPolicy: 'Sometimes', containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 70000, protocol: 'HTTP' }] }] }));
    assert.deepEqual(messages(p), [
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]);
  });

  test('a request above its limit is invalid', () => {
    const p = created(pod({ containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] }));
    assert.deepEqual(messages(p), ['spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1']);
  });

  test('an update may change the image but not other spec fields', () => {
    const old = created(pod({ containers: [{ name: 'c', image: 'nginx:1' }] }));
    const newImage = structuredClone(old);
    (newImage.spec as { containers: { image: string }[] }).containers[0]!.image = 'nginx:2';
    assert.deepEqual(messages(newImage, old), []);
    const newPolicy = structuredClone(old);
    (newPolicy.spec as { restartPolicy: string }).restartPolicy = 'Never';
    const errs = messages(newPolicy, old);
    assert.equal(errs.length, 1);
    assert.ok(errs[0]?.startsWith('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n'));
  });

  test('the namespace of an object may not change', () => {
    const old = created(pod({ containers: [{ name: 'c', image: 'x' }] }));
    const moved = structuredClone(old);
    moved.metadata.namespace = 'other';
    assert.deepEqual(messages(moved, old), ['metadata.namespace: Invalid value: "other": field is immutable']);
  });
});

describe('pod deletion and field selectors', () => {
  test('unbound or finished pods go at once; bound running pods are graceful', () => {
    const unbound = created(pod({ containers: [{ name: 'c', image: 'x' }] }));
    assert.equal(pods.deletion?.(unbound, undefined).graceful, false);
    const bound = created(pod({ nodeName: 'n1', terminationGracePeriodSeconds: 45, containers: [{ name: 'c', image: 'x' }] }));
    assert.deepEqual(pods.deletion?.(bound, undefined), { graceful: true, gracePeriodSeconds: 45 });
    assert.deepEqual(pods.deletion?.(bound, 5), { graceful: true, gracePeriodSeconds: 5 });
    assert.equal(pods.deletion?.(bound, 0).graceful, false);
    (bound.status as { phase: string }).phase = 'Succeeded';
    assert.equal(pods.deletion?.(bound, undefined).graceful, false);
  });

  test('field selectors read spec and status', () => {
    const p = created(pod({ nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] }));
    assert.equal(pods.fieldSelectors?.['spec.nodeName']?.(p), 'n1');
    assert.equal(pods.fieldSelectors?.['status.phase']?.(p), 'Pending');
    assert.equal(pods.fieldSelectors?.['status.podIP']?.(p), '');
  });
});
