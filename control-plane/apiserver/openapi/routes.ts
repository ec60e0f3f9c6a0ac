/**
 * The OpenAPI endpoints, as upstream's kube-openapi handlers serve them:
 * - `GET /openapi/v2`: Swagger 2.0, as gnostic protobuf when Accept asks
 *   for `application/com.github.proto-openapi.spec.v2[@.]v1.0+protobuf`
 *   (kubectl 1.27–1.28), JSON otherwise; `ETag` is the SHA-512 of the
 *   body and `If-None-Match` answers 304. `/swagger-2.0.0.pb-v1` is the
 *   legacy protobuf path.
 * - `GET /openapi/v3`: `{"paths":{"api/v1":{"serverRelativeURL":
 *   "/openapi/v3/api/v1?hash=<etag>"},…}}`.
 * - `GET /openapi/v3/api/v1`, `/openapi/v3/apis/<g>/<v>`: one group-version's
 *   OpenAPI 3.0 JSON. With a matching `?hash=` the answer is
 *   `Cache-Control: public, immutable` with a one-year Expires; a stale
 *   hash is redirected (301) to the current one.
 * Documents are built lazily and cached until the table registers an entry.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, notFound } from '../../api/errors.js';
import type { ResourceTable } from '../../api/resource-table.js';
import type { SchemaGraph } from '../../api/schema/schema-types.js';
import { openApiV3Document, swaggerDocument, v3GroupVersions, type OpenApiSources } from './documents.js';
import { parseGroupVersionPath } from './names.js';
import { defaultSchemaGraph } from './schema-source.js';
import { encodeSwaggerProto } from './v2-proto.js';

export interface OpenApiRouteOptions {
  table: ResourceTable;
  /** info.version of the documents (the served gitVersion). */
  version: string;
  /** The schema graph; proto/k8s by default. */
  graph?: () => SchemaGraph;
  /** Clock for Expires headers. */
  now?: () => Date;
}

export const PROTOBUF_V2 = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const PROTOBUF_V2_ACCEPT = new Set(['application/com.github.proto-openapi.spec.v2@v1.0+protobuf', PROTOBUF_V2]);

interface Cached {
  body: Buffer;
  etag: string;
}

/** Upstream's ETag: the SHA-512 of the served bytes in upper-case hex. */
export function computeETag(body: Buffer): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase();
}

function cached(body: Buffer): Cached {
  return { body, etag: computeETag(body) };
}

/** The media types of an Accept header, in order, without parameters. */
function acceptTypes(accept: string | undefined): string[] {
  if (!accept || accept.trim() === '') return ['*/*'];
  return accept.split(',').map((c) => (c.split(';')[0] ?? '').trim().toLowerCase()).filter(Boolean);
}

function notAcceptable(): ApiError {
  return new ApiError('SKIFF_NOT_ACCEPTABLE', 'only application/json is served for this document');
}

function matchesIfNoneMatch(request: FastifyRequest, etag: string): boolean {
  const inm = request.headers['if-none-match'];
  return typeof inm === 'string' && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === `"${etag}"`);
}

export function registerOpenApiRoutes(app: FastifyInstance, opts: OpenApiRouteOptions): void {
  const cache = new Map<string, Cached | null>();
  opts.table.onRegister(() => cache.clear());
  const sources = (): OpenApiSources => ({ table: opts.table, graph: (opts.graph ?? defaultSchemaGraph)(), version: opts.version });
  const memo = (key: string, build: () => Buffer | undefined): Cached | null => {
    let c = cache.get(key);
    if (c === undefined) {
      const body = build();
      c = body ? cached(body) : null;
      cache.set(key, c);
    }
    return c;
  };
  const swaggerJson = (): Cached => memo('v2/json', () => Buffer.from(JSON.stringify(swaggerDocument(sources()))))!;
  const swaggerPb = (): Cached =>
    memo('v2/pb', () => Buffer.from(encodeSwaggerProto(JSON.parse(swaggerJson().body.toString('utf8')) as Record<string, unknown>)))!;
  const v3 = (group: string, version: string): Cached | null =>
    memo(`v3/${group}/${version}`, () => {
      const doc = openApiV3Document(sources(), group, version);
      return doc ? Buffer.from(JSON.stringify(doc)) : undefined;
    });

  const send = (request: FastifyRequest, reply: FastifyReply, c: Cached, contentType: string): FastifyReply => {
    void reply.header('etag', `"${c.etag}"`).header('vary', 'Accept');
    if (matchesIfNoneMatch(request, c.etag)) return reply.code(304).send();
    return reply.header('content-type', contentType).send(c.body);
  };

  const serveV2 = (forceProto: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    for (const t of forceProto ? [PROTOBUF_V2] : acceptTypes(request.headers.accept)) {
      if (PROTOBUF_V2_ACCEPT.has(t)) return send(request, reply, swaggerPb(), PROTOBUF_V2);
      if (t === 'application/json' || t === 'application/*' || t === '*/*') return send(request, reply, swaggerJson(), 'application/json');
    }
    throw notAcceptable();
  };
  app.get('/openapi/v2', serveV2(false));
  app.get('/swagger-2.0.0.pb-v1', serveV2(true));

  app.get('/openapi/v3', async (request, reply) => {
    const root = memo('v3/root', () => {
      const paths: Record<string, { serverRelativeURL: string }> = {};
      for (const gv of v3GroupVersions(opts.table)) {
        const doc = v3(gv.group, gv.version);
        if (doc) paths[gv.key] = { serverRelativeURL: `/openapi/v3/${gv.key}?hash=${doc.etag}` };
      }
      return Buffer.from(JSON.stringify({ paths }));
    })!;
    return send(request, reply, root, 'application/json');
  });

  app.get<{ Params: { '*': string }; Querystring: { hash?: string } }>('/openapi/v3/*', async (request, reply) => {
    const key = request.params['*'];
    const gv = parseGroupVersionPath(key);
    const doc = gv ? v3(gv.group, gv.version) : null;
    if (!gv || !doc) throw notFound({ group: '', resource: 'openapi' }, key);
    if (!acceptTypes(request.headers.accept).some((t) => t === 'application/json' || t === 'application/*' || t === '*/*')) throw notAcceptable();
    const hash = request.query.hash;
    if (hash !== undefined && hash !== '') {
      if (hash !== doc.etag) return reply.redirect(`/openapi/v3/${key}?hash=${doc.etag}`, 301);
      const expires = new Date((opts.now ?? (() => new Date()))().getTime() + 365 * 24 * 3600 * 1000);
      void reply.header('cache-control', 'public, immutable').header('expires', expires.toUTCString());
    }
    return send(request, reply, doc, 'application/json');
  });
}
