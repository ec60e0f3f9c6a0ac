/**
 * The disruption controller: keeps every PodDisruptionBudget's status
 * (disruptionsAllowed and the rest) true to the pods it selects, which is
 * what the eviction API and `kubectl drain` consult. The numbers come from
 * pdbStatus; this loop finds the pods, the scale of their controllers, and
 * writes status only when it changed.
 */
import { labelSelectorRequirements, matchesLabels, type LabelSelector } from '../../api/selectors/label-selector.js';
import type { KubeObject } from '../../api/meta.js';
import type { Controller, ControllerContext } from '../framework/controller.js';
import { controllerRefOf } from '../framework/controller-ref.js';
import type { Informer } from '../framework/informer.js';
import type { Pod } from '../framework/pod-util.js';
import { inNamespace, objectKey, refs } from '../framework/refs.js';
import { semanticEqual } from '../framework/semantic-equal.js';
import { WorkQueue, type WorkResult } from '../framework/work-queue.js';
import { DELETION_TIMEOUT_MS, pdbStatus, type PdbSpec, type PdbStatus } from './pdb-status.js';

type Pdb = KubeObject & { spec?: PdbSpec & { selector?: LabelSelector | null }; status?: Partial<PdbStatus> };
type Scalable = KubeObject & { spec?: { replicas?: number } };

function selects(pdb: Pdb, labels: Record<string, string> | undefined): boolean {
  const sel = pdb.spec?.selector;
  if (!sel) return false;
  try {
    return matchesLabels(labelSelectorRequirements(sel), labels);
  } catch {
    return false;
  }
}

export class DisruptionController implements Controller {
  readonly name = 'disruption';
  private ctx!: ControllerContext;
  private pdbs!: Informer<Pdb>;
  private pods!: Informer<Pod>;
  private owners = new Map<string, Informer<Scalable>>();
  private queue!: WorkQueue;

  setup(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.pdbs = ctx.informers.informer<Pdb>(refs.podDisruptionBudgets);
    this.pods = ctx.informers.informer<Pod>(refs.pods);
    this.owners.set('ReplicaSet', ctx.informers.informer<Scalable>(refs.replicaSets));
    this.owners.set('Deployment', ctx.informers.informer<Scalable>(refs.deployments));
    this.owners.set('StatefulSet', ctx.informers.informer<Scalable>(refs.statefulSets));
    this.queue = new WorkQueue((k) => this.sync(k), { name: this.name, workers: 2, onError: (k, e) => ctx.log(`disruption ${k}: ${String(e)}`) });
    const enqueue = (p: Pdb): void => this.queue.add(objectKey(p));
    this.pdbs.addHandler({ add: enqueue, update: (_o, n) => enqueue(n) });
    const podChanged = (p: Pod, old?: Pod): void => {
      for (const pdb of this.pdbs.list(p.metadata.namespace ?? '')) {
        if (selects(pdb, p.metadata.labels) || (old && selects(pdb, old.metadata.labels))) this.queue.add(objectKey(pdb));
      }
    };
    this.pods.addHandler({ add: (p) => podChanged(p), update: (o, n) => podChanged(n, o), delete: (p) => podChanged(p) });
    // A controller's scale changes what is expected.
    for (const inf of this.owners.values()) {
      inf.addHandler({
        update: (o, n) => {
          if (o.spec?.replicas !== n.spec?.replicas) for (const pdb of this.pdbs.list(n.metadata.namespace ?? '')) this.queue.add(objectKey(pdb));
        },
      });
    }
  }

  run(): void {
    this.queue.start();
  }

  stop(): void {
    this.queue.stop();
  }

  private scaleOf = (pod: Pod): { uid: string; replicas: number } | undefined => {
    const ref = controllerRefOf(pod);
    if (!ref) return undefined;
    const ns = pod.metadata.namespace;
    const owner = this.owners.get(ref.kind)?.getByName(ns, ref.name);
    if (!owner || owner.metadata.uid !== ref.uid) return undefined;
    if (ref.kind === 'ReplicaSet') {
      const dref = controllerRefOf(owner);
      const dep = dref?.kind === 'Deployment' ? this.owners.get('Deployment')?.getByName(ns, dref.name) : undefined;
      if (dep && dep.metadata.uid === dref?.uid) return { uid: dep.metadata.uid ?? '', replicas: dep.spec?.replicas ?? 1 };
    }
    return { uid: owner.metadata.uid ?? '', replicas: owner.spec?.replicas ?? 1 };
  };

  private async sync(key: string): Promise<WorkResult | void> {
    const pdb = this.pdbs.get(key);
    if (!pdb || pdb.metadata.deletionTimestamp) return;
    const ns = pdb.metadata.namespace ?? '';
    const pods = this.pods.list(ns).filter((p) => selects(pdb, p.metadata.labels));
    const now = this.ctx.clock.now();
    const status = pdbStatus(pdb, pods, this.scaleOf, now);
    if (!semanticEqual(status, pdb.status ?? {})) {
      await this.ctx.client.update(inNamespace(refs.podDisruptionBudgets, ns), { ...pdb, status }, { subresource: 'status' });
    }
    // Re-check when the oldest disrupted pod's grace runs out.
    const times = Object.values(status.disruptedPods ?? {}).map((t) => Date.parse(t) + DELETION_TIMEOUT_MS - now.getTime());
    if (times.length) return { requeueAfterMs: Math.max(1000, Math.min(...times)) };
  }
}
