/**
 * The typed API client with list and watch: what controllers, the agent, the
 * CLI, tests and benchmarks use to talk to an apiserver. Failures come back
 * as catalogue ApiErrors rebuilt from the server's Status.
 */
import { ApiError, catalogue, type ErrorCode, type Status } from '../errors.js';
import { apiVersionOf, type KubeList, type KubeObject } from '../meta.js';
import type { Transport, TransportStream } from './transport.js';

/** Which collection a call addresses. */
export interface ResourceRef {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
}

export interface ListParams {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface WatchParams {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  object: T;
}

export interface Watch {
  /** Resolves when the server ends the stream or close() is called. */
  done: Promise<void>;
  close(): void;
}

export interface WriteParams {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
}

export interface ApiClientOptions {
  /**
   * fieldValidation for every create, update and patch that names none.
   * The in-process controllers send `Ignore`: they write typed objects of
   * their own making, and the server then skips scanning each body for
   * duplicate keys.
   */
  fieldValidation?: WriteParams['fieldValidation'];
}

const reasonToCode = new Map<string, ErrorCode>(
  (Object.keys(catalogue) as ErrorCode[]).map((c) => [catalogue[c].reason, c] as const),
);

/** Rebuilds an ApiError from a Status body (or any failed response). */
export function errorFromResponse(status: number, body: string): ApiError {
  try {
    const s = JSON.parse(body) as Partial<Status>;
    if (s.kind === 'Status' && s.reason) {
      const code = reasonToCode.get(s.reason) ?? 'SKIFF_INTERNAL';
      return new ApiError(code, s.message ?? s.reason, s.details);
    }
  } catch {
    // not JSON: fall through
  }
  const code = (Object.keys(catalogue) as ErrorCode[]).find((c) => catalogue[c].status === status) ?? 'SKIFF_INTERNAL';
  return new ApiError(code, `HTTP ${status}: ${body.slice(0, 200)}`);
}

export function collectionPath(ref: ResourceRef): string {
  const base = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  const ns = ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : '';
  return `${base}${ns}/${ref.resource}`;
}

export function objectPath(ref: ResourceRef, name: string, subresource?: string): string {
  return `${collectionPath(ref)}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
}

function query(params: object): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === false) continue;
    q.set(k, k === 'dryRun' ? 'All' : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export class ApiClient {
  constructor(
    private readonly transport: Transport,
    private readonly options: ApiClientOptions = {},
  ) {}

  private writeQuery(params: WriteParams): string {
    const v = params.fieldValidation ?? this.options.fieldValidation;
    return query(v === undefined ? params : { ...params, fieldValidation: v });
  }

  private async call<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const res = await this.transport.request({
      method,
      path,
      headers: body === undefined ? {} : { 'content-type': contentType },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    if (res.status >= 400) throw errorFromResponse(res.status, res.body);
    if (res.object !== undefined) return res.object as T;
    return JSON.parse(res.body) as T;
  }

  get<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, subresource?: string): Promise<T> {
    return this.call('GET', objectPath(ref, name, subresource));
  }

  list<T extends KubeObject = KubeObject>(ref: ResourceRef, params: ListParams = {}): Promise<KubeList<T>> {
    return this.call('GET', collectionPath(ref) + query(params));
  }

  create<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: T, params: WriteParams = {}): Promise<T> {
    const body = { apiVersion: apiVersionOf(ref.group, ref.version), ...obj };
    return this.call('POST', collectionPath(ref) + this.writeQuery(params), body);
  }

  update<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: T, params: WriteParams & { subresource?: string } = {}): Promise<T> {
    const { subresource, ...rest } = params;
    const name = obj.metadata.name ?? '';
    return this.call('PUT', objectPath(ref, name, subresource) + this.writeQuery(rest), obj);
  }

  patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    name: string,
    patch: unknown,
    contentType = 'application/merge-patch+json',
    params: WriteParams & { subresource?: string } = {},
  ): Promise<T> {
    const { subresource, ...rest } = params;
    return this.call('PATCH', objectPath(ref, name, subresource) + this.writeQuery(rest), patch, contentType);
  }

  delete<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, options: Record<string, unknown> = {}): Promise<T> {
    return this.call('DELETE', objectPath(ref, name), options);
  }

  /** POST to a subresource such as pods/binding. */
  postSubresource<T = unknown>(ref: ResourceRef, name: string, subresource: string, body: unknown): Promise<T> {
    return this.call('POST', objectPath(ref, name, subresource), body);
  }

  /**
   * Watches a collection, calling onEvent for each event in order. Rejects
   * if the server refuses the watch (e.g. 410 Expired); after that, an
   * ERROR event or the end of the stream ends it.
   */
  async watch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    params: WatchParams,
    onEvent: (e: WatchEvent<T>) => void,
  ): Promise<Watch> {
    const s: TransportStream = await this.transport.stream({
      method: 'GET',
      path: collectionPath(ref) + query({ ...params, watch: true }),
    });
    if (s.status >= 400) {
      let body = '';
      s.onData((c) => (body += c));
      await new Promise<void>((resolve) => s.onEnd(() => resolve()));
      throw errorFromResponse(s.status, body);
    }
    let buf = '';
    s.onData((chunk) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim()) onEvent(JSON.parse(line) as WatchEvent<T>);
      }
    });
    const done = new Promise<void>((resolve) => s.onEnd(() => resolve()));
    return { done, close: () => s.close() };
  }
}
