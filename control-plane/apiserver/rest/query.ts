/**
 * Query parameters: single values out of fastify's parsed query (repeated
 * parameters arrive as arrays; the first wins), dryRun, and the
 * DeleteOptions a DELETE may carry in its body or query.
 */
import { badRequest, conflict, type GroupResource } from '../../api/errors.js';
import { isPlainObject, type KubeObject } from '../../api/meta.js';

export type Query = Record<string, unknown>;

export function queryParam(q: Query, name: string): string | undefined {
  const v = q[name];
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : undefined;
  return typeof v === 'string' ? v : undefined;
}

export function queryBool(q: Query, name: string): boolean {
  const v = queryParam(q, name);
  return v === 'true' || v === '1';
}

/** Non-negative integer parameter, 400 on garbage. */
export function queryInt(q: Query, name: string): number | undefined {
  const v = queryParam(q, name);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`invalid value for ${name}: ${JSON.stringify(v)}`);
  return Number(v);
}

function dryRunValues(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

/** `dryRun=All`; anything else is 400 as upstream. */
export function isDryRun(q: Query, bodyValue?: unknown): boolean {
  const values = [...dryRunValues(q.dryRun), ...dryRunValues(bodyValue)].filter((v) => v !== '');
  for (const v of values) {
    if (v !== 'All') throw badRequest(`Invalid dryRun value: ${JSON.stringify(v)}: supported values: "All"`);
  }
  return values.length > 0;
}

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: PropagationPolicy;
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun: boolean;
}

const POLICIES = new Set(['Orphan', 'Background', 'Foreground']);

/** DeleteOptions from a DELETE body (if any) merged over the query. */
export function deleteOptions(q: Query, body: unknown): DeleteOptions {
  const b = isPlainObject(body) ? body : {};
  if (body !== undefined && !isPlainObject(body)) throw badRequest('the DeleteOptions body must be a JSON object');
  const opts: DeleteOptions = { dryRun: isDryRun(q, b.dryRun) };
  const grace = b.gracePeriodSeconds ?? queryInt(q, 'gracePeriodSeconds');
  if (grace !== undefined && grace !== null) {
    if (typeof grace !== 'number' || !Number.isInteger(grace)) throw badRequest('gracePeriodSeconds must be an integer');
    opts.gracePeriodSeconds = Math.max(0, grace);
  }
  const policy = b.propagationPolicy ?? queryParam(q, 'propagationPolicy');
  if (policy !== undefined && policy !== null) {
    if (typeof policy !== 'string' || !POLICIES.has(policy)) {
      throw badRequest(`DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`);
    }
    opts.propagationPolicy = policy as PropagationPolicy;
  }
  const orphan = b.orphanDependents ?? (queryParam(q, 'orphanDependents') === undefined ? undefined : queryBool(q, 'orphanDependents'));
  if (typeof orphan === 'boolean') {
    if (opts.propagationPolicy) throw badRequest('DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "' + opts.propagationPolicy + '": orphanDependents and deletionPropagation cannot be both set');
    opts.orphanDependents = orphan;
  }
  if (isPlainObject(b.preconditions)) {
    const p = b.preconditions;
    opts.preconditions = {};
    if (typeof p.uid === 'string') opts.preconditions.uid = p.uid;
    if (typeof p.resourceVersion === 'string') opts.preconditions.resourceVersion = p.resourceVersion;
  }
  return opts;
}

/** Upstream's precondition check: uid, then resourceVersion. */
export function checkPreconditions(gr: GroupResource, name: string, obj: KubeObject, pre: DeleteOptions['preconditions']): void {
  if (!pre) return;
  if (pre.uid !== undefined && pre.uid !== obj.metadata.uid) {
    throw conflict(gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid ?? ''}`);
  }
  if (pre.resourceVersion !== undefined && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw conflict(gr, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion ?? ''}`);
  }
}
