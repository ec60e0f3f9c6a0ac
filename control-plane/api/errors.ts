/**
 * The error catalogue: every error Skiff raises on purpose has a stable
 * SKIFF_* code, an HTTP status and a Kubernetes Status `reason`.
 *
 * Storage, admission and the REST handlers throw ApiError; only the
 * apiserver's error handler turns one into an HTTP response (a metav1.Status),
 * and only the CRI client turns gRPC failures into one. docs/errors.md lists
 * every code; a unit test keeps the two in step.
 */

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'Forbidden'
  | 'Unauthorized'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'Expired'
  | 'Gone'
  | 'TooManyRequests'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'InternalError';

export const catalogue = {
  SKIFF_NOT_FOUND: { status: 404, reason: 'NotFound' },
  SKIFF_ALREADY_EXISTS: { status: 409, reason: 'AlreadyExists' },
  SKIFF_CONFLICT: { status: 409, reason: 'Conflict' },
  SKIFF_INVALID: { status: 422, reason: 'Invalid' },
  SKIFF_BAD_REQUEST: { status: 400, reason: 'BadRequest' },
  SKIFF_FORBIDDEN: { status: 403, reason: 'Forbidden' },
  SKIFF_UNAUTHORIZED: { status: 401, reason: 'Unauthorized' },
  SKIFF_METHOD_NOT_ALLOWED: { status: 405, reason: 'MethodNotAllowed' },
  SKIFF_NOT_ACCEPTABLE: { status: 406, reason: 'NotAcceptable' },
  SKIFF_UNSUPPORTED_MEDIA_TYPE: { status: 415, reason: 'UnsupportedMediaType' },
  SKIFF_TOO_LARGE: { status: 413, reason: 'RequestEntityTooLarge' },
  SKIFF_EXPIRED: { status: 410, reason: 'Expired' },
  SKIFF_GONE: { status: 410, reason: 'Gone' },
  SKIFF_TOO_MANY_REQUESTS: { status: 429, reason: 'TooManyRequests' },
  SKIFF_UNAVAILABLE: { status: 503, reason: 'ServiceUnavailable' },
  SKIFF_TIMEOUT: { status: 504, reason: 'Timeout' },
  SKIFF_INTERNAL: { status: 500, reason: 'InternalError' },
} as const satisfies Record<string, { status: number; reason: StatusReason }>;

export type ErrorCode = keyof typeof catalogue;

/** A field-level cause, as in metav1.StatusCause. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** metav1.Status, the body of every error response. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { resourceVersion?: string; continue?: string };
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;

  constructor(code: ErrorCode, message: string, details?: StatusDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiError';
    this.code = code;
    this.status = catalogue[code].status;
    this.reason = catalogue[code].reason;
    this.details = details;
  }

  toStatus(): Status {
    const s: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.status,
    };
    if (this.details) s.details = this.details;
    return s;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** Narrows a caught value to a message, whatever was thrown. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/**
 * A group-qualified resource as upstream prints it in messages:
 * `pods`, `deployments.apps`.
 */
export interface GroupResource {
  group: string;
  resource: string;
}

export function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function grDetails(gr: GroupResource, name: string): StatusDetails {
  const d: StatusDetails = { name, kind: gr.resource };
  if (gr.group) d.group = gr.group;
  return d;
}

export function notFound(gr: GroupResource, name: string): ApiError {
  return new ApiError('SKIFF_NOT_FOUND', `${qualified(gr)} "${name}" not found`, grDetails(gr, name));
}

export function alreadyExists(gr: GroupResource, name: string): ApiError {
  return new ApiError('SKIFF_ALREADY_EXISTS', `${qualified(gr)} "${name}" already exists`, grDetails(gr, name));
}

/** Optimistic-concurrency failure: the object changed since the client read it. */
export function conflict(gr: GroupResource, name: string, why?: string): ApiError {
  const reason = why ?? 'the object has been modified; please apply your changes to the latest version and try again';
  return new ApiError(
    'SKIFF_CONFLICT',
    `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${reason}`,
    grDetails(gr, name),
  );
}

export function badRequest(message: string): ApiError {
  return new ApiError('SKIFF_BAD_REQUEST', message);
}

export function forbidden(gr: GroupResource, name: string, why: string): ApiError {
  const subject = name ? `${qualified(gr)} "${name}"` : qualified(gr);
  return new ApiError('SKIFF_FORBIDDEN', `${subject} is forbidden: ${why}`, grDetails(gr, name));
}

export function unauthorized(): ApiError {
  return new ApiError('SKIFF_UNAUTHORIZED', 'Unauthorized');
}

export function methodNotAllowed(message = 'the server does not allow this method on the requested resource'): ApiError {
  return new ApiError('SKIFF_METHOD_NOT_ALLOWED', message);
}

export function unsupportedMediaType(contentType: string): ApiError {
  return new ApiError('SKIFF_UNSUPPORTED_MEDIA_TYPE', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/json-patch+json, application/merge-patch+json; got ${contentType}`);
}

export function tooLarge(message = 'Request entity too large: limit is 3145728'): ApiError {
  return new ApiError('SKIFF_TOO_LARGE', message);
}

/** A watch or list asked for a revision that compaction has removed. */
export function expired(message: string): ApiError {
  return new ApiError('SKIFF_EXPIRED', message);
}

export function gone(message: string): ApiError {
  return new ApiError('SKIFF_GONE', message);
}

export function tooManyRequests(message: string, retryAfterSeconds?: number): ApiError {
  return new ApiError('SKIFF_TOO_MANY_REQUESTS', message, retryAfterSeconds === undefined ? undefined : { retryAfterSeconds });
}

export function unavailable(message: string, options?: { cause?: unknown }): ApiError {
  return new ApiError('SKIFF_UNAVAILABLE', message, undefined, options);
}

export function timeout(message: string): ApiError {
  return new ApiError('SKIFF_TIMEOUT', message);
}

export function internal(message: string, options?: { cause?: unknown }): ApiError {
  return new ApiError('SKIFF_INTERNAL', message, undefined, options);
}
