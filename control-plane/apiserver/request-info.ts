/**
 * RequestInfo: what a request does, parsed from its method and URL alone,
 * as upstream's apiserver RequestInfoFactory does it. Pure; used by
 * authorization (the attributes an Authorizer sees) and by the request
 * metrics (verb and resource labels).
 *
 * Contract:
 * - `/api/v1/...` and `/apis/GROUP/VERSION/...` are resource requests; any
 *   other path (or a bare `/api`, `/apis`, `/apis/GROUP`) is a non-resource
 *   request whose verb is the lower-cased HTTP method.
 * - Resource verbs: GET/HEAD → get, or list without a name, or watch with
 *   `watch=true|1` (or the legacy `/watch/` path segment); POST → create;
 *   PUT → update; PATCH → patch; DELETE → delete, or deletecollection
 *   without a name.
 * - `namespaces/NS/<resource>/...` scopes the request to NS; a request on a
 *   namespace object itself (`/api/v1/namespaces/NS[/status|/finalize]`)
 *   carries NS as both namespace and name.
 * - A list or watch with `fieldSelector=metadata.name=X` gets name X, so a
 *   single-object watch authorizes like a get of that name.
 */

export interface RequestInfo {
  isResourceRequest: boolean;
  /** The URL path without the query string. */
  path: string;
  verb: string;
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** Path segments after the resource (for subresource paths such as proxy). */
  parts: string[];
}

/** Subresources of a namespace that stay on the namespace object. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function nonResource(path: string, method: string): RequestInfo {
  return {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: '',
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    parts: [],
  };
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The name a `metadata.name=X` (or `==`) term of a field selector pins, if any. */
function nameFromFieldSelector(selector: string | null): string {
  if (!selector) return '';
  for (const term of selector.split(',')) {
    const m = /^\s*metadata\.name\s*==?\s*(.*?)\s*$/.exec(term);
    if (m && m[1] !== undefined) return m[1];
  }
  return '';
}

export function parseRequestInfo(method: string, url: string): RequestInfo {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const segments = path.split('/').filter((s) => s !== '').map(decodeSegment);

  const prefix = segments[0];
  let rest: string[];
  let apiGroup = '';
  let apiVersion: string;
  if (prefix === 'api') {
    if (segments.length < 3) return nonResource(path, method);
    apiVersion = segments[1] ?? '';
    rest = segments.slice(2);
  } else if (prefix === 'apis') {
    if (segments.length < 4) return nonResource(path, method);
    apiGroup = segments[1] ?? '';
    apiVersion = segments[2] ?? '';
    rest = segments.slice(3);
  } else {
    return nonResource(path, method);
  }

  const upper = method.toUpperCase();
  let verb: string;
  switch (upper) {
    case 'POST':
      verb = 'create';
      break;
    case 'GET':
    case 'HEAD':
      verb = 'get';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = 'delete';
      break;
    default:
      verb = method.toLowerCase();
  }

  // The deprecated `/api/v1/watch/pods` form.
  if (rest[0] === 'watch') {
    verb = 'watch';
    rest = rest.slice(1);
  }

  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1] ?? '';
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2] ?? '')) rest = rest.slice(2);
  }

  const resource = rest[0] ?? '';
  let name = rest[1] ?? '';
  const subresource = rest[2] ?? '';
  const parts = rest.slice(3);

  if (name === '' && verb === 'get') {
    const watchParam = query.get('watch');
    verb = watchParam === 'true' || watchParam === '1' ? 'watch' : 'list';
  }
  if (name === '' && verb === 'delete') verb = 'deletecollection';
  if (name === '' && (verb === 'list' || verb === 'watch')) name = nameFromFieldSelector(query.get('fieldSelector'));

  return {
    isResourceRequest: resource !== '',
    path,
    verb,
    apiPrefix: prefix,
    apiGroup,
    apiVersion,
    namespace,
    resource,
    subresource,
    name,
    parts,
  };
}
