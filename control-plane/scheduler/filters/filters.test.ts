import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { makeNode, makePod, type NodeSpecInput, type PodSpecInput } from '../fixtures.js';
import { podRequests } from '../requests.js';
import { ClusterSnapshot } from '../snapshot.js';
import { podView } from '../types.js';
import type { FilterPlugin } from './filter.js';
import { ERR_AFFINITY, ERR_ANTI_AFFINITY, ERR_EXISTING_ANTI_AFFINITY, interPodAffinityFilter } from './inter-pod-affinity.js';
import { ERR_NODE_AFFINITY, nodeAffinityFilter } from './node-affinity.js';
import { ERR_NODE_NAME, nodeNameFilter } from './node-name.js';
import { ERR_NODE_PORTS, nodePortsFilter } from './node-ports.js';
import { ERR_UNSCHEDULABLE, nodeUnschedulableFilter } from './node-unschedulable.js';
import { ERR_TOO_MANY_PODS, resourceFitFilter } from './resource-fit.js';
import { taintTolerationFilter } from './taint-toleration.js';

/** Runs one filter for `pod` against node `name` of a snapshot. */
function run(filter: FilterPlugin, pod: KubeObject, name: string, snapshot: ClusterSnapshot): string[] {
  const view = podView(pod);
  const node = snapshot.node(name);
  assert.ok(node, `node ${name} exists`);
  return filter.prepare({ pod: view, snapshot, requests: podRequests(view) })(node);
}

function oneNode(o: NodeSpecInput = {}, pods: KubeObject[] = []): ClusterSnapshot {
  const s = new ClusterSnapshot();
  s.addNode(makeNode('n1', o));
  for (const p of pods) s.addPod(p);
  return s;
}

const pod = (o: PodSpecInput = {}) => makePod('incoming', o);

describe('NodeName filter', () => {
  test('a pod naming another node does not fit', () => {
    assert.deepEqual(run(nodeNameFilter, pod({ nodeName: 'n2' }), 'n1', oneNode()), [ERR_NODE_NAME]);
    assert.deepEqual(run(nodeNameFilter, pod({ nodeName: 'n1' }), 'n1', oneNode()), []);
    assert.deepEqual(run(nodeNameFilter, pod(), 'n1', oneNode()), []);
  });
});

describe('NodeUnschedulable filter', () => {
  test('a cordoned node refuses pods unless they tolerate the unschedulable taint', () => {
    const s = oneNode({ unschedulable: true });
    assert.deepEqual(run(nodeUnschedulableFilter, pod(), 'n1', s), [ERR_UNSCHEDULABLE]);
    const tolerant = pod({ tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
    assert.deepEqual(run(nodeUnschedulableFilter, tolerant, 'n1', s), []);
    assert.deepEqual(run(nodeUnschedulableFilter, pod(), 'n1', oneNode()), []);
  });
});

describe('NodeResourcesFit filter', () => {
  test('reports each insufficient resource against allocatable minus bound requests', () => {
    const s = oneNode({ cpu: '2', memory: '1Gi', ephemeralStorage: '10Gi' }, [makePod('bound', { nodeName: 'n1', requests: { cpu: '1500m', memory: '512Mi' } })]);
    assert.deepEqual(run(resourceFitFilter, pod({ requests: { cpu: '500m', memory: '512Mi' } }), 'n1', s), []);
    assert.deepEqual(run(resourceFitFilter, pod({ requests: { cpu: '501m', memory: '513Mi', 'ephemeral-storage': '11Gi' } }), 'n1', s), [
      'Insufficient cpu',
      'Insufficient memory',
      'Insufficient ephemeral-storage',
    ]);
  });

  test('the pod count is limited by allocatable pods', () => {
    const s = oneNode({ pods: 1 }, [makePod('bound', { nodeName: 'n1' })]);
    assert.deepEqual(run(resourceFitFilter, pod(), 'n1', s), [ERR_TOO_MANY_PODS]);
  });

  test('extended resources must be offered by the node', () => {
    assert.deepEqual(run(resourceFitFilter, pod({ requests: { 'example.com/gpu': '1' } }), 'n1', oneNode()), ['Insufficient example.com/gpu']);
  });

  test('a pod requesting nothing fits even an over-committed node', () => {
    const s = oneNode({ cpu: '1' }, [makePod('bound', { nodeName: 'n1', requests: { cpu: '2' } })]);
    assert.deepEqual(run(resourceFitFilter, pod(), 'n1', s), []);
  });
});

describe('NodeAffinity filter', () => {
  const s = oneNode({ labels: { zone: 'a', gen: '5' } });
  const req = (matchExpressions: { key: string; operator: string; values?: string[] }[], matchFields?: { key: string; operator: string; values?: string[] }[]) =>
    pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions, ...(matchFields ? { matchFields } : {}) }] } } } });

  test('nodeSelector needs every label', () => {
    assert.deepEqual(run(nodeAffinityFilter, pod({ nodeSelector: { zone: 'a' } }), 'n1', s), []);
    assert.deepEqual(run(nodeAffinityFilter, pod({ nodeSelector: { zone: 'a', disk: 'ssd' } }), 'n1', s), [ERR_NODE_AFFINITY]);
  });

  test('matchExpressions operators behave as upstream', () => {
    const cases: [string, string[] | undefined, boolean][] = [
      ['In', ['a', 'b'], true],
      ['In', ['b'], false],
      ['NotIn', ['b'], true],
      ['NotIn', ['a'], false],
      ['Exists', undefined, true],
      ['DoesNotExist', undefined, false],
    ];
    for (const [operator, values, fits] of cases) {
      const got = run(nodeAffinityFilter, req([{ key: 'zone', operator, ...(values ? { values } : {}) }]), 'n1', s);
      assert.deepEqual(got, fits ? [] : [ERR_NODE_AFFINITY], `${operator} ${values?.join(',') ?? ''}`);
    }
    assert.deepEqual(run(nodeAffinityFilter, req([{ key: 'gen', operator: 'Gt', values: ['4'] }]), 'n1', s), []);
    assert.deepEqual(run(nodeAffinityFilter, req([{ key: 'gen', operator: 'Lt', values: ['5'] }]), 'n1', s), [ERR_NODE_AFFINITY]);
    assert.deepEqual(run(nodeAffinityFilter, req([{ key: 'zone', operator: 'Gt', values: ['1'] }]), 'n1', s), [ERR_NODE_AFFINITY]);
  });

  test('matchFields selects by metadata.name, and terms are ORed', () => {
    assert.deepEqual(run(nodeAffinityFilter, req([], [{ key: 'metadata.name', operator: 'In', values: ['n1'] }]), 'n1', s), []);
    assert.deepEqual(run(nodeAffinityFilter, req([], [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }]), 'n1', s), [ERR_NODE_AFFINITY]);
    const ored = pod({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z'] }] }, { matchExpressions: [{ key: 'gen', operator: 'Exists' }] }],
          },
        },
      },
    });
    assert.deepEqual(run(nodeAffinityFilter, ored, 'n1', s), []);
  });

  test('an empty term matches no node', () => {
    const empty = pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } } });
    assert.deepEqual(run(nodeAffinityFilter, empty, 'n1', s), [ERR_NODE_AFFINITY]);
  });
});

describe('TaintToleration filter', () => {
  const s = oneNode({ taints: [{ key: 'soft', value: 'x', effect: 'PreferNoSchedule' }, { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });

  test('an untolerated NoSchedule taint is reported with its key and value', () => {
    assert.deepEqual(run(taintTolerationFilter, pod(), 'n1', s), ['node(s) had untolerated taint {dedicated: gpu}']);
  });

  test('Equal needs the value, Exists any value, and an empty key with Exists tolerates everything', () => {
    assert.deepEqual(run(taintTolerationFilter, pod({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }), 'n1', s), []);
    assert.notDeepEqual(run(taintTolerationFilter, pod({ tolerations: [{ key: 'dedicated', value: 'cpu' }] }), 'n1', s), []);
    assert.deepEqual(run(taintTolerationFilter, pod({ tolerations: [{ key: 'dedicated', operator: 'Exists' }] }), 'n1', s), []);
    assert.deepEqual(run(taintTolerationFilter, pod({ tolerations: [{ operator: 'Exists' }] }), 'n1', s), []);
    assert.notDeepEqual(run(taintTolerationFilter, pod({ tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }] }), 'n1', s), []);
  });

  test('NoExecute taints filter too', () => {
    const t = oneNode({ taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] });
    assert.deepEqual(run(taintTolerationFilter, pod(), 'n1', t), ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }']);
  });
});

describe('NodePorts filter', () => {
  test('a host port in use on the node does not fit; another port does', () => {
    const s = oneNode({}, [makePod('bound', { nodeName: 'n1', hostPorts: [80] })]);
    assert.deepEqual(run(nodePortsFilter, pod({ hostPorts: [80] }), 'n1', s), [ERR_NODE_PORTS]);
    assert.deepEqual(run(nodePortsFilter, pod({ hostPorts: [81] }), 'n1', s), []);
  });

  test('different host IPs only conflict through 0.0.0.0, and protocols are separate', () => {
    const bound = makePod('bound', { nodeName: 'n1', containers: [{ name: 'c', ports: [{ containerPort: 53, hostPort: 53, hostIP: '10.0.0.1', protocol: 'UDP' }] }] });
    const s = oneNode({}, [bound]);
    const want = (hostIP: string, protocol: string) => pod({ containers: [{ name: 'c', ports: [{ containerPort: 53, hostPort: 53, hostIP, protocol }] }] });
    assert.deepEqual(run(nodePortsFilter, want('10.0.0.2', 'UDP'), 'n1', s), []);
    assert.deepEqual(run(nodePortsFilter, want('0.0.0.0', 'UDP'), 'n1', s), [ERR_NODE_PORTS]);
    assert.deepEqual(run(nodePortsFilter, want('10.0.0.1', 'TCP'), 'n1', s), []);
  });
});

describe('InterPodAffinity filter', () => {
  function zones(): ClusterSnapshot {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('a1', { labels: { zone: 'a' } }));
    s.addNode(makeNode('a2', { labels: { zone: 'a' } }));
    s.addNode(makeNode('b1', { labels: { zone: 'b' } }));
    s.addNode(makeNode('nozone'));
    s.addPod(makePod('web', { nodeName: 'a1', labels: { app: 'web' } }));
    return s;
  }
  const term = (app: string, topologyKey = 'zone') => ({ labelSelector: { matchLabels: { app } }, topologyKey });

  test('required affinity needs a matching pod in the same topology domain', () => {
    const p = pod({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } } });
    const s = zones();
    assert.deepEqual(run(interPodAffinityFilter, p, 'a2', s), []);
    assert.deepEqual(run(interPodAffinityFilter, p, 'b1', s), [ERR_AFFINITY]);
    assert.deepEqual(run(interPodAffinityFilter, p, 'nozone', s), [ERR_AFFINITY]);
  });

  test('the first pod of a self-affine group may go anywhere with the key', () => {
    const p = pod({ labels: { app: 'db' }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db')] } } });
    assert.deepEqual(run(interPodAffinityFilter, p, 'b1', zones()), []);
  });

  test('required anti-affinity keeps matching pods out of the domain', () => {
    const p = pod({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } } });
    const s = zones();
    assert.deepEqual(run(interPodAffinityFilter, p, 'a2', s), [ERR_ANTI_AFFINITY]);
    assert.deepEqual(run(interPodAffinityFilter, p, 'b1', s), []);
  });

  test("existing pods' anti-affinity is honoured", () => {
    const s = zones();
    s.addPod(makePod('loner', { nodeName: 'b1', affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('batch', 'kubernetes.io/hostname')] } } }));
    const p = pod({ labels: { app: 'batch' } });
    assert.deepEqual(run(interPodAffinityFilter, p, 'b1', s), [ERR_EXISTING_ANTI_AFFINITY]);
    assert.deepEqual(run(interPodAffinityFilter, p, 'a1', s), []);
  });

  test('terms select pods of their own namespace unless namespaces are given', () => {
    const p = pod({ namespace: 'other', affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } } });
    assert.deepEqual(run(interPodAffinityFilter, p, 'a2', zones()), []);
    const q = pod({ namespace: 'other', affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...term('web'), namespaces: ['default'] }] } } });
    assert.deepEqual(run(interPodAffinityFilter, q, 'a2', zones()), [ERR_ANTI_AFFINITY]);
  });
});
