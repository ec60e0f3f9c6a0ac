/**
 * Upstream's defaulting for PodSpec and everything inside it
 * (k8s.io/kubernetes pkg/apis/core/v1/defaults.go: SetDefaults_PodSpec,
 * _Container, _ContainerPort, _Probe, _HTTPGetAction, _ObjectFieldSelector,
 * _Volume and the volume sources), shared by Pods and every pod template
 * (Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs).
 *
 * Pod-only defaults (requests from limits, enableServiceLinks, priority)
 * live in pods.ts: upstream applies them to Pods, not to templates.
 */
import { canonicalQuantity, isValidQuantity } from '../quantity.js';
import { child, objs, rec, setDefault, setDefaultString, str, type Obj } from './fields.js';

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

export function defaultPodSpec(spec: Obj): void {
  setDefaultString(spec, 'dnsPolicy', 'ClusterFirst');
  setDefaultString(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefaultString(spec, 'schedulerName', 'default-scheduler');
  if (spec.hostNetwork === true) defaultHostNetworkPorts(spec);
  for (const list of CONTAINER_LISTS) for (const c of objs(spec[list])) defaultContainer(c);
  for (const v of objs(spec.volumes)) defaultVolume(v);
}

/** A PodTemplateSpec: `{metadata, spec}`. */
export function defaultPodTemplate(template: unknown): void {
  const t = rec(template);
  if (!t) return;
  defaultPodSpec(child(t, 'spec'));
}

/** With hostNetwork, hostPort must equal containerPort; upstream fills it in. */
function defaultHostNetworkPorts(spec: Obj): void {
  for (const list of CONTAINER_LISTS) {
    for (const c of objs(spec[list])) {
      for (const p of objs(c.ports)) if (p.hostPort === undefined || p.hostPort === null || p.hostPort === 0) p.hostPort = p.containerPort;
    }
  }
}

/** `IfNotPresent` unless the image has no tag and no digest, or the tag is `latest`. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const at = image.indexOf('@');
  const named = at >= 0 ? image.slice(0, at) : image;
  const lastSegment = named.slice(named.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  const tag = colon >= 0 ? lastSegment.slice(colon + 1) : '';
  if (tag === '' && at < 0) return 'Always';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

export function defaultContainer(c: Obj): void {
  setDefaultString(c, 'imagePullPolicy', defaultPullPolicy(str(c.image) ?? ''));
  setDefaultString(c, 'terminationMessagePath', '/dev/termination-log');
  setDefaultString(c, 'terminationMessagePolicy', 'File');
  // Go serialises the Resources struct even when empty.
  setDefault(c, 'resources', {});
  for (const p of objs(c.ports)) setDefaultString(p, 'protocol', 'TCP');
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const p = rec(c[probe]);
    if (p) defaultProbe(p);
  }
  const lifecycle = rec(c.lifecycle);
  if (lifecycle) {
    for (const h of ['postStart', 'preStop']) {
      const handler = rec(lifecycle[h]);
      const http = rec(handler?.httpGet);
      if (http) defaultHttpGet(http);
    }
  }
  for (const e of objs(c.env)) {
    const ref = rec(rec(e.valueFrom)?.fieldRef);
    if (ref) setDefaultString(ref, 'apiVersion', 'v1');
  }
}

function defaultProbe(p: Obj): void {
  setDefault(p, 'timeoutSeconds', 1);
  setDefault(p, 'periodSeconds', 10);
  setDefault(p, 'successThreshold', 1);
  setDefault(p, 'failureThreshold', 3);
  const http = rec(p.httpGet);
  if (http) defaultHttpGet(http);
}

function defaultHttpGet(h: Obj): void {
  setDefaultString(h, 'path', '/');
  setDefaultString(h, 'scheme', 'HTTP');
}

const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected',
  'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];

export function volumeSources(v: Obj): string[] {
  return VOLUME_SOURCES.filter((s) => v[s] !== undefined && v[s] !== null);
}

export function defaultVolume(v: Obj): void {
  // A volume without a source is an emptyDir (SetDefaults_Volume).
  if (volumeSources(v).length === 0) v.emptyDir = {};
  for (const src of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const s = rec(v[src]);
    if (s) setDefault(s, 'defaultMode', 420);
  }
  const hostPath = rec(v.hostPath);
  if (hostPath) setDefault(hostPath, 'type', '');
  const iscsi = rec(v.iscsi);
  if (iscsi) setDefaultString(iscsi, 'iscsiInterface', 'default');
  const rbd = rec(v.rbd);
  if (rbd) {
    setDefaultString(rbd, 'pool', 'rbd');
    setDefaultString(rbd, 'user', 'admin');
    setDefaultString(rbd, 'keyring', '/etc/ceph/keyring');
  }
  for (const item of objs(rec(v.downwardAPI)?.items)) {
    const ref = rec(item.fieldRef);
    if (ref) setDefaultString(ref, 'apiVersion', 'v1');
  }
  for (const source of objs(rec(v.projected)?.sources)) {
    for (const item of objs(rec(source.downwardAPI)?.items)) {
      const ref = rec(item.fieldRef);
      if (ref) setDefaultString(ref, 'apiVersion', 'v1');
    }
    const token = rec(source.serviceAccountToken);
    if (token) setDefault(token, 'expirationSeconds', 3600);
  }
  const claim = rec(rec(rec(v.ephemeral)?.volumeClaimTemplate)?.spec);
  if (claim) setDefaultString(claim, 'volumeMode', 'Filesystem');
}

/** Rewrites every quantity in a ResourceList (`{cpu: "1000m"}`) to canonical form; malformed ones stay for validation. */
export function normalizeResourceList(list: unknown): void {
  const l = rec(list);
  if (!l) return;
  for (const [k, v] of Object.entries(l)) {
    if ((typeof v === 'string' || typeof v === 'number') && isValidQuantity(v)) l[k] = canonicalQuantity(v);
  }
}

/** Canonical quantities in a ResourceRequirements (`{requests, limits}`). */
export function normalizeResources(r: unknown): void {
  const res = rec(r);
  if (!res) return;
  normalizeResourceList(res.requests);
  normalizeResourceList(res.limits);
}

export function normalizePodSpec(spec: unknown): void {
  const s = rec(spec);
  if (!s) return;
  for (const list of CONTAINER_LISTS) for (const c of objs(s[list])) normalizeResources(c.resources);
  normalizeResourceList(s.overhead);
  normalizeResources(s.resources);
  for (const v of objs(s.volumes)) {
    const emptyDir = rec(v.emptyDir);
    if (emptyDir && isValidQuantity(emptyDir.sizeLimit)) emptyDir.sizeLimit = canonicalQuantity(emptyDir.sizeLimit as string | number);
    normalizeResources(rec(rec(rec(v.ephemeral)?.volumeClaimTemplate)?.spec)?.resources);
  }
}

export function normalizePodTemplate(template: unknown): void {
  normalizePodSpec(rec(template)?.spec);
}
