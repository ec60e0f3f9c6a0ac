/**
 * Discovery routes: /api, /apis (legacy or aggregated by Accept),
 * /api/v1, /apis/G and /apis/G/V. Documents are cached per table state and
 * rebuilt when the table registers an entry at run time.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from '../../api/errors.js';
import type { ResourceTable } from '../../api/resource-table.js';
import {
  aggregatedDiscovery,
  apiGroupDocument,
  apiGroupList,
  apiResourceList,
  apiVersions,
  type AggregatedVersion,
} from './documents.js';
import { aggregatedContentType, negotiateDiscovery } from './negotiate.js';

export interface DiscoveryOptions {
  table: ResourceTable;
  /** `host:port` clients should use (serverAddressByClientCIDRs). */
  serverAddress(request: FastifyRequest): string;
}

/** Serialised documents, keyed by what they describe; dropped on every registration. */
class DocumentCache {
  private readonly docs = new Map<string, Buffer | null>();
  constructor(table: ResourceTable) {
    table.onRegister(() => this.docs.clear());
  }
  get(key: string, build: () => Record<string, unknown> | undefined): Buffer | null {
    let doc = this.docs.get(key);
    if (doc === undefined) {
      const value = build();
      doc = value === undefined ? null : Buffer.from(JSON.stringify(value));
      this.docs.set(key, doc);
    }
    return doc;
  }
}

function sendJson(reply: FastifyReply, body: Buffer, contentType = 'application/json'): FastifyReply {
  // A Buffer body keeps fastify from appending `; charset=utf-8`: kubectl
  // matches the aggregated Content-Type's parameters exactly.
  return reply.header('content-type', contentType).header('vary', 'Accept').send(body);
}

export function registerDiscoveryRoutes(app: FastifyInstance, opts: DiscoveryOptions): void {
  const { table } = opts;
  const cache = new DocumentCache(table);

  const root = (legacy: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    const version: AggregatedVersion | undefined = negotiateDiscovery(request.headers.accept);
    if (version) {
      const body = cache.get(`agg/${legacy}/${version}`, () => aggregatedDiscovery(table, legacy, version));
      return sendJson(reply, body ?? Buffer.from('{}'), aggregatedContentType(version));
    }
    if (legacy) return sendJson(reply, Buffer.from(JSON.stringify(apiVersions(opts.serverAddress(request)))));
    return sendJson(reply, cache.get('groups', () => apiGroupList(table)) ?? Buffer.from('{}'));
  };

  app.get('/api', root(true));
  app.get('/apis', root(false));

  app.get<{ Params: { version: string } }>('/api/:version', async (request, reply) => {
    const v = request.params.version;
    const body = cache.get(`gv//${v}`, () => apiResourceList(table, '', v));
    if (!body) throw notFound({ group: '', resource: 'groupversion' }, v);
    return sendJson(reply, body);
  });

  app.get<{ Params: { group: string } }>('/apis/:group', async (request, reply) => {
    const g = request.params.group;
    const body = cache.get(`g/${g}`, () => apiGroupDocument(table, g));
    if (!body) throw notFound({ group: '', resource: 'group' }, g);
    return sendJson(reply, body);
  });

  app.get<{ Params: { group: string; version: string } }>('/apis/:group/:version', async (request, reply) => {
    const { group, version } = request.params;
    const body = cache.get(`gv/${group}/${version}`, () => apiResourceList(table, group, version));
    if (!body) throw notFound({ group: '', resource: 'groupversion' }, `${group}/${version}`);
    return sendJson(reply, body);
  });
}
