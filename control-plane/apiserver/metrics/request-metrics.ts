/**
 * Request metrics and the /metrics endpoint. An onResponse hook labels each
 * finished request from its RequestInfo and reports it; /metrics serves the
 * registry (authentication is enforced by the auth hook: it is not a public
 * path).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseRequestInfo, type RequestInfo } from '../request-info.js';
import type { RequestLabels, ServerMetrics } from './api-metrics.js';

function isUpgrade(request: FastifyRequest): boolean {
  return typeof request.headers.upgrade === 'string';
}

/** upstream's metrics verb: LIST and WATCH split out of GET, CONNECT for upgrades. */
export function metricsVerb(info: RequestInfo, method: string, upgrade: boolean): string {
  if (upgrade) return 'CONNECT';
  if (!info.isResourceRequest) return method.toUpperCase();
  switch (info.verb) {
    case 'list':
      return 'LIST';
    case 'watch':
      return 'WATCH';
    case 'deletecollection':
      return 'DELETECOLLECTION';
    default:
      return method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  }
}

export function requestLabels(request: FastifyRequest): RequestLabels {
  return requestLabelsOf(request.method, request.url, isUpgrade(request));
}

/** The labels of a request given by method and URL (the in-process direct lane has no FastifyRequest). */
export function requestLabelsOf(method: string, url: string, upgrade = false): RequestLabels {
  const info = parseRequestInfo(method, url);
  return {
    verb: metricsVerb(info, method, upgrade),
    group: info.apiGroup,
    resource: info.resource,
    subresource: info.subresource,
  };
}

export function installRequestMetrics(app: FastifyInstance, metrics: ServerMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(requestLabels(request), reply.statusCode, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_request, reply) => {
    const { body, contentType } = await metrics.exposition();
    return reply.header('content-type', contentType).send(Buffer.from(body));
  });
}
