/**
 * The controllers `skiff server` runs: builtinControllers() under the
 * kube-controller-manager Lease, schedulerControllers() under the
 * kube-scheduler Lease. A new controller is one line here.
 */
import { DeploymentController } from './deployment/deployment-controller.js';
import { DisruptionController } from './disruption/disruption-controller.js';
import { EndpointsController } from './endpoints/endpoints-controller.js';
import { EndpointSliceController } from './endpointslice/endpointslice-controller.js';
import type { Controller } from './framework/controller.js';
import { GarbageCollector } from './garbage-collector/garbage-collector.js';
import { NamespaceController } from './namespace/namespace-controller.js';
import { NodeIpamController } from './node-ipam/node-ipam-controller.js';
import { NodeLifecycleController } from './node-lifecycle/node-lifecycle-controller.js';
import { TaintEvictionController } from './node-lifecycle/taint-eviction-controller.js';
import { PodGcController } from './pod-gc/pod-gc-controller.js';
import { ReplicaSetController } from './replicaset/replica-set-controller.js';
import { RootCaCertPublisher } from './root-ca-cert-publisher/root-ca-cert-publisher.js';
import { ServiceAccountsController } from './serviceaccount/serviceaccounts-controller.js';
import { StatefulSetController } from './statefulset/statefulset-controller.js';
import { DaemonSetController } from './daemonset/daemonset-controller.js';
import { SchedulerController } from './scheduling/scheduler-controller.js';
import { JobController } from './job/job-controller.js';
import { TtlAfterFinishedController } from './job/ttl-after-finished.js';
import { CronJobController } from './cronjob/cronjob-controller.js';

export function builtinControllers(): Controller[] {
  return [
    new GarbageCollector(),
    new NamespaceController(),
    new ServiceAccountsController(),
    new RootCaCertPublisher(),
    new EndpointsController(),
    new EndpointSliceController(),
    new DisruptionController(),
    new ReplicaSetController(),
    new DeploymentController(),
    new NodeIpamController(),
    new NodeLifecycleController(),
    new TaintEvictionController(),
    new PodGcController(),
    new StatefulSetController(),
    new DaemonSetController(),
    new JobController(),
    new TtlAfterFinishedController(),
    new CronJobController(),
  ];
}

export function schedulerControllers(): Controller[] {
  return [new SchedulerController()];
}
