/**
 * POST pods/<name>/eviction: evicts a pod subject to its
 * PodDisruptionBudget, as upstream's EvictionREST.Create.
 *
 * Contract:
 * - Body: a policy/v1 or policy/v1beta1 Eviction whose metadata.name is the
 *   URL's pod; its deleteOptions (dryRun merged with the query's) are used
 *   for the delete.
 * - Pods that can ignore budgets (canIgnoreBudget) are deleted directly.
 * - Otherwise: more than one matching budget → 500 Status (upstream's
 *   message); one budget → checkAndDecrement, written back through the
 *   budget's status subresource with optimistic concurrency (re-read and
 *   retried on conflict); then the pod is deleted.
 * - Success: 201 with a Success Status.
 */
import { badRequest, isApiError, notFound, timeout } from '../../api/errors.js';
import { isPlainObject, type KubeObject } from '../../api/meta.js';
import { bodyBuffer, decodeObject } from '../rest/body.js';
import { collectionPrefix, decodeEntry, storageKey } from '../rest/codec.js';
import type { RawBody, Reply } from '../rest/handlers.js';
import { deleteOptions, isDryRun, type DeleteOptions } from '../rest/query.js';
import type { RestContext, RestRequest } from '../rest/rest-context.js';
import { deleteObject, updateObject } from '../rest/writer.js';
import { budgetPendingError, canIgnoreBudget, checkAndDecrement, matchingBudgets, shouldEnforceResourceVersion, unreadyPodFitsBudget } from './disruption-budget.js';

const EVICTION_VERSIONS = new Set(['policy/v1', 'policy/v1beta1']);
const BUDGET_RETRIES = 20;

function decodeEviction(req: RestRequest, raw: RawBody): KubeObject {
  const ev = decodeObject(bodyBuffer(raw.body), raw.contentType);
  if (ev.apiVersion !== undefined && ev.apiVersion !== '' && !EVICTION_VERSIONS.has(String(ev.apiVersion))) {
    throw badRequest(`the API version in the data (${String(ev.apiVersion)}) does not match the expected API version (policy/v1)`);
  }
  if (ev.kind !== undefined && ev.kind !== '' && ev.kind !== 'Eviction') {
    throw badRequest(`the kind in the data (${String(ev.kind)}) does not match the expected kind (Eviction)`);
  }
  if (ev.metadata.name !== req.target.name) throw badRequest('name in URL does not match name in Eviction object');
  return ev;
}

function evictionDeleteOptions(req: RestRequest, ev: KubeObject): DeleteOptions {
  const body = ev.deleteOptions === null ? undefined : ev.deleteOptions;
  const fromBody = isPlainObject(body) ? body : {};
  // upstream's propagateDryRun: the body's dryRun wins when set, else the query's; both set must agree.
  const bodyDry = Array.isArray(fromBody.dryRun) && fromBody.dryRun.length > 0;
  const queryDry = isDryRun(req.query);
  if (bodyDry && queryDry !== isDryRun({}, fromBody.dryRun)) {
    throw badRequest(`Non-matching dry-run options in request and content: ${JSON.stringify(req.query.dryRun)} and ${JSON.stringify(fromBody.dryRun)}`);
  }
  return deleteOptions(req.query, fromBody);
}

async function readPod(rc: RestContext, req: RestRequest): Promise<KubeObject> {
  const got = await rc.deps.store.get(storageKey(req.target.resolved.entry, req.target.namespace, req.target.name));
  if (!got) throw notFound({ group: '', resource: 'pods' }, req.target.name);
  return decodeEntry(got);
}

function podTarget(req: RestRequest): RestRequest {
  return { ...req, target: { ...req.target, subresource: '' } };
}

function withRvPrecondition(opts: DeleteOptions, pod: KubeObject): DeleteOptions {
  return { ...opts, preconditions: { ...(opts.preconditions ?? {}), resourceVersion: pod.metadata.resourceVersion ?? '' } };
}

async function listBudgets(rc: RestContext, namespace: string): Promise<{ req: RestRequest['target']['resolved']; items: KubeObject[] } | undefined> {
  const resolved = rc.deps.table.resolve('policy', 'v1', 'poddisruptionbudgets');
  if (!resolved) return undefined;
  const listed = await rc.deps.store.list(collectionPrefix(resolved.entry, namespace));
  return { req: resolved, items: listed.entries.map(decodeEntry) };
}

/** Decrements the one matching budget, re-reading it on conflicts. */
async function decrementBudget(rc: RestContext, req: RestRequest, resolved: RestRequest['target']['resolved'], budget: KubeObject, podName: string, dryRun: boolean): Promise<void> {
  const name = budget.metadata.name ?? '';
  const budgetReq: RestRequest = { ...req, target: { resolved, namespace: req.target.namespace, name, subresource: 'status', legacyWatch: false } };
  for (let attempt = 0; attempt < BUDGET_RETRIES; attempt++) {
    try {
      await updateObject(rc, budgetReq, {
        name,
        subresource: 'status',
        dryRun,
        // The read revision is the precondition: a concurrent eviction makes this conflict and re-check.
        mutate: (cur) => checkAndDecrement(cur, podName, rc.deps.clock.now(), dryRun),
      });
      return;
    } catch (e) {
      if (isApiError(e) && e.code === 'SKIFF_CONFLICT') continue;
      throw e;
    }
  }
  throw timeout(`couldn't update PodDisruptionBudget ${JSON.stringify(name)} due to conflicts`);
}

const SUCCESS: Reply = { code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };

export async function handleEviction(rc: RestContext, req: RestRequest, raw: RawBody): Promise<Reply> {
  const ev = decodeEviction(req, raw);
  const opts = evictionDeleteOptions(req, ev);
  await rc.deps.admission.run({
    operation: 'CREATE', resource: req.target.resolved, subresource: 'eviction', namespace: req.target.namespace, name: req.target.name, object: ev, user: req.user, dryRun: opts.dryRun,
  });
  const pod = await readPod(rc, req);
  const rvUnset = opts.preconditions?.resourceVersion === undefined;
  if (canIgnoreBudget(pod)) {
    const pinned = shouldEnforceResourceVersion(pod) && rvUnset ? withRvPrecondition(opts, pod) : opts;
    await deleteObject(rc, podTarget(req), req.target.name, pinned);
    return SUCCESS;
  }
  const budgets = await listBudgets(rc, req.target.namespace);
  const matched = budgets ? matchingBudgets(pod, budgets.items) : [];
  if (matched.length > 1) {
    return { code: 500, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', code: 500 } };
  }
  let deleteOpts = opts;
  const budget = matched[0];
  if (budget && budgets) {
    if (unreadyPodFitsBudget(pod, budget)) deleteOpts = withRvPrecondition(opts, pod);
    else await decrementBudget(rc, req, budgets.req, budget, req.target.name, opts.dryRun);
  }
  try {
    await deleteObject(rc, podTarget(req), req.target.name, deleteOpts);
  } catch (e) {
    // The pod changed since the unready shortcut was taken: ask the client to retry.
    if (isApiError(e) && e.code === 'SKIFF_CONFLICT' && deleteOpts !== opts && rvUnset && budget) {
      throw budgetPendingError(budget.metadata.name ?? '');
    }
    throw e;
  }
  return SUCCESS;
}
