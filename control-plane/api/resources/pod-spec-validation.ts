/**
 * Upstream's PodSpec validation (pkg/apis/core/validation: ValidatePodSpec,
 * validateContainers, validateVolumes, validateContainerPorts, resource
 * requirements), for Pods and pod templates alike, with upstream's paths
 * and messages (`spec.containers[0].image: Required value`).
 */
import {
  duplicate,
  forbiddenField,
  invalidValue,
  notSupported,
  required,
  type FieldError,
} from '../field-errors.js';
import { validatePortNumOrName } from '../intstr.js';
import { compareQuantities, QUANTITY_FORMAT_MESSAGE, tryParseQuantity } from '../quantity.js';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isValidPortName,
  isValidPortNum,
  validateLabels,
  validateNonnegative,
} from '../validation.js';
import { objs, rec, str, type Obj } from './fields.js';
import { volumeSources } from './pod-spec-defaults.js';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];
const MAX_INT32 = 2147483647;

export function validatePodSpec(spec: unknown, path: string): FieldError[] {
  const s = rec(spec) ?? {};
  const errs: FieldError[] = [];
  const volumes = validateVolumes(s.volumes, `${path}.volumes`, errs);
  const names = new Set<string>();
  if (objs(s.containers).length === 0) errs.push(required(`${path}.containers`));
  objs(s.initContainers).forEach((c, i) => validateContainer(c, `${path}.initContainers[${i}]`, names, volumes, errs));
  objs(s.containers).forEach((c, i) => validateContainer(c, `${path}.containers[${i}]`, names, volumes, errs));

  const restart = str(s.restartPolicy) ?? '';
  if (!restart) errs.push(required(`${path}.restartPolicy`));
  else if (!RESTART_POLICIES.includes(restart)) errs.push(notSupported(`${path}.restartPolicy`, restart, RESTART_POLICIES));
  const dns = str(s.dnsPolicy) ?? '';
  if (dns && !DNS_POLICIES.includes(dns)) errs.push(notSupported(`${path}.dnsPolicy`, dns, DNS_POLICIES));
  if (dns === 'None' && !rec(s.dnsConfig)) errs.push(required(`${path}.dnsConfig`, "must provide `dnsConfig` when `dnsPolicy` is None"));

  errs.push(...validateLabels(s.nodeSelector, `${path}.nodeSelector`));
  for (const f of ['serviceAccountName', 'nodeName', 'priorityClassName']) {
    const v = str(s[f]);
    if (v) for (const m of isDNS1123Subdomain(v)) errs.push(invalidValue(`${path}.${f}`, v, m));
  }
  for (const f of ['hostname', 'subdomain']) {
    const v = str(s[f]);
    if (v) for (const m of isDNS1123Label(v)) errs.push(invalidValue(`${path}.${f}`, v, m));
  }
  const ads = s.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null && (typeof ads !== 'number' || !Number.isInteger(ads) || ads < 1 || ads > MAX_INT32)) {
    errs.push(invalidValue(`${path}.activeDeadlineSeconds`, ads, `must be between 1 and ${MAX_INT32}, inclusive`));
  }
  objs(s.tolerations).forEach((t, i) => validateToleration(t, `${path}.tolerations[${i}]`, errs));
  validateResourceList(s.overhead, `${path}.overhead`, errs);
  return errs;
}

/** Validates volumes; returns their names (for volumeMounts). */
function validateVolumes(volumes: unknown, path: string, errs: FieldError[]): Set<string> {
  const names = new Set<string>();
  objs(volumes).forEach((v, i) => {
    const p = `${path}[${i}]`;
    const name = str(v.name) ?? '';
    if (!name) errs.push(required(`${p}.name`));
    else for (const m of isDNS1123Label(name)) errs.push(invalidValue(`${p}.name`, name, m));
    if (name && names.has(name)) errs.push(duplicate(`${p}.name`, name));
    names.add(name);
    const sources = volumeSources(v);
    if (sources.length === 0) errs.push(required(p, 'must specify a volume type'));
    for (const extra of sources.slice(1)) errs.push(forbiddenField(`${p}.${extra}`, 'may not specify more than 1 volume type'));
    const emptyDir = rec(v.emptyDir);
    if (emptyDir && emptyDir.sizeLimit !== undefined) validateQuantity(emptyDir.sizeLimit, `${p}.emptyDir.sizeLimit`, errs);
    const pvc = rec(v.persistentVolumeClaim);
    if (pvc && !str(pvc.claimName)) errs.push(required(`${p}.persistentVolumeClaim.claimName`));
    const secret = rec(v.secret);
    if (secret && !str(secret.secretName)) errs.push(required(`${p}.secret.secretName`));
    const hostPath = rec(v.hostPath);
    if (hostPath && !str(hostPath.path)) errs.push(required(`${p}.hostPath.path`));
  });
  return names;
}

function validateContainer(c: Obj, path: string, names: Set<string>, volumes: Set<string>, errs: FieldError[]): void {
  const name = str(c.name) ?? '';
  if (!name) errs.push(required(`${path}.name`));
  else for (const m of isDNS1123Label(name)) errs.push(invalidValue(`${path}.name`, name, m));
  if (name && names.has(name)) errs.push(duplicate(`${path}.name`, name));
  names.add(name);

  const image = str(c.image) ?? '';
  if (!image) errs.push(required(`${path}.image`));
  else if (image.trim() !== image) errs.push(invalidValue(`${path}.image`, image, 'must not have leading or trailing whitespace'));
  const pull = str(c.imagePullPolicy);
  if (pull !== undefined && !PULL_POLICIES.includes(pull)) errs.push(notSupported(`${path}.imagePullPolicy`, pull, PULL_POLICIES));
  const tmp = str(c.terminationMessagePolicy);
  if (tmp !== undefined && !TERMINATION_MESSAGE_POLICIES.includes(tmp)) {
    errs.push(notSupported(`${path}.terminationMessagePolicy`, tmp, TERMINATION_MESSAGE_POLICIES));
  }

  const portNames = new Set<string>();
  objs(c.ports).forEach((p, i) => {
    const pp = `${path}.ports[${i}]`;
    const pn = str(p.name);
    if (pn) {
      for (const m of isValidPortName(pn)) errs.push(invalidValue(`${pp}.name`, pn, m));
      if (portNames.has(pn)) errs.push(duplicate(`${pp}.name`, pn));
      portNames.add(pn);
    }
    const cp = p.containerPort;
    if (cp === undefined || cp === null || cp === 0) errs.push(required(`${pp}.containerPort`));
    else for (const m of isValidPortNum(Number(cp))) errs.push(invalidValue(`${pp}.containerPort`, cp, m));
    const hp = p.hostPort;
    if (hp !== undefined && hp !== null && hp !== 0) for (const m of isValidPortNum(Number(hp))) errs.push(invalidValue(`${pp}.hostPort`, hp, m));
    const proto = str(p.protocol) ?? '';
    if (!proto) errs.push(required(`${pp}.protocol`));
    else if (!PROTOCOLS.includes(proto)) errs.push(notSupported(`${pp}.protocol`, proto, PROTOCOLS));
  });

  objs(c.env).forEach((e, i) => {
    if (!str(e.name)) errs.push(required(`${path}.env[${i}].name`));
  });
  objs(c.volumeMounts).forEach((m, i) => {
    const mp = `${path}.volumeMounts[${i}]`;
    const vn = str(m.name) ?? '';
    if (!vn) errs.push(required(`${mp}.name`));
    else if (!volumes.has(vn)) errs.push(invalidValue(`${mp}.name`, vn, 'volume not found'));
    if (!str(m.mountPath)) errs.push(required(`${mp}.mountPath`));
  });
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const p = rec(c[probe]);
    if (p) validateProbe(p, `${path}.${probe}`, probe !== 'readinessProbe', errs);
  }
  validateResourceRequirements(c.resources, `${path}.resources`, errs);
}

function validateProbe(p: Obj, path: string, successMustBeOne: boolean, errs: FieldError[]): void {
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((h) => p[h] !== undefined && p[h] !== null);
  if (handlers.length === 0) errs.push(required(path, 'must specify a handler type'));
  for (const extra of handlers.slice(1)) errs.push(forbiddenField(`${path}.${extra}`, 'may not specify more than 1 handler type'));
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...validateNonnegative(p[f], `${path}.${f}`));
  }
  if (successMustBeOne && typeof p.successThreshold === 'number' && p.successThreshold !== 1) {
    errs.push(invalidValue(`${path}.successThreshold`, p.successThreshold, 'must be 1'));
  }
  const http = rec(p.httpGet);
  if (http) {
    errs.push(...validatePortNumOrName(http.port, `${path}.httpGet.port`));
    const scheme = str(http.scheme);
    if (scheme !== undefined && scheme !== 'HTTP' && scheme !== 'HTTPS') errs.push(notSupported(`${path}.httpGet.scheme`, scheme, ['HTTP', 'HTTPS']));
  }
  const tcp = rec(p.tcpSocket);
  if (tcp) errs.push(...validatePortNumOrName(tcp.port, `${path}.tcpSocket.port`));
}

function validateQuantity(v: unknown, path: string, errs: FieldError[]): ReturnType<typeof tryParseQuantity> {
  const q = typeof v === 'string' || typeof v === 'number' ? tryParseQuantity(v) : undefined;
  if (!q) {
    errs.push(invalidValue(path, v, QUANTITY_FORMAT_MESSAGE));
    return undefined;
  }
  if (q.mantissa < 0n) errs.push(invalidValue(path, v, 'must be greater than or equal to 0'));
  return q;
}

/** A ResourceList: every value a non-negative quantity. */
export function validateResourceList(list: unknown, path: string, errs: FieldError[]): void {
  const l = rec(list);
  if (!l) return;
  for (const [k, v] of Object.entries(l)) validateQuantity(v, `${path}[${k}]`, errs);
}

/** Requests and limits: valid quantities, and no request above its limit. */
export function validateResourceRequirements(resources: unknown, path: string, errs: FieldError[]): void {
  const r = rec(resources);
  if (!r) return;
  const limits = rec(r.limits) ?? {};
  const requests = rec(r.requests) ?? {};
  validateResourceList(limits, `${path}.limits`, errs);
  for (const [k, v] of Object.entries(requests)) {
    const p = `${path}.requests[${k}]`;
    const q = validateQuantity(v, p, errs);
    const limitRaw = limits[k];
    const limit = typeof limitRaw === 'string' || typeof limitRaw === 'number' ? tryParseQuantity(limitRaw) : undefined;
    if (q && limit && compareQuantities(q, limit) > 0) {
      errs.push(invalidValue(p, String(v), `must be less than or equal to ${k} limit of ${String(limitRaw)}`));
    }
  }
}

function validateToleration(t: Obj, path: string, errs: FieldError[]): void {
  const op = str(t.operator) ?? 'Equal';
  if (op !== 'Equal' && op !== 'Exists') errs.push(notSupported(`${path}.operator`, op, ['Equal', 'Exists']));
  if (op === 'Exists' && str(t.value)) errs.push(invalidValue(`${path}.operator`, t.value, 'value must be empty when `operator` is \'Exists\''));
  if (!str(t.key) && op !== 'Exists') errs.push(invalidValue(`${path}.operator`, op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
  const effect = str(t.effect);
  if (effect && !TAINT_EFFECTS.includes(effect)) errs.push(notSupported(`${path}.effect`, effect, TAINT_EFFECTS));
  if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && effect !== 'NoExecute') {
    errs.push(invalidValue(`${path}.effect`, effect ?? '', 'effect must be \'NoExecute\' when `tolerationSeconds` is set'));
  }
}

/** The restartPolicy check upstream adds for workload templates. */
export function validateTemplateRestartPolicy(spec: unknown, path: string, allowed: string[]): FieldError[] {
  const rp = str(rec(spec)?.restartPolicy) ?? '';
  return allowed.includes(rp) ? [] : [notSupported(`${path}.restartPolicy`, rp, allowed)];
}
