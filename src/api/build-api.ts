/** @module The HTTP API (the contract in docs/http-api.md) as a factory: `buildApi(deps)` returns a Fastify
 * app that tests drive with `inject()` and `fillflow dev` puts on a port. One error handler, one 404 handler,
 * and one gate every request passes first: Host, then Origin (with CORS), then the bearer token. */
import multipart from '@fastify/multipart';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { ApiError } from './api-error.js';
import { DEFAULT_API_LIMITS, type ApiDeps, type ApiLimits } from './api-deps.js';
import { bearerAuth } from './auth.js';
import { answerCors, checkHost, checkOrigin, siteRules } from './cross-site.js';
import { buildOpenApi, serverEntry, type RouteDoc } from './openapi.js';
import { bulkRoutes } from './routes/bulks.js';
import { documentRoutes } from './routes/documents.js';
import { fillRoutes } from './routes/fills.js';
import { metricsRoutes } from './routes/metrics.js';
import { statsRoutes } from './routes/stats.js';
import { templateRoutes } from './routes/templates.js';
import { parseStrictJson } from './strict-json.js';
import { validationError, type AjvErrorLike } from './validation-error.js';

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const limits: ApiLimits = { ...DEFAULT_API_LIMITS, ...deps.limits };
  const logError = deps.logError ?? ((message: string, err: unknown) => console.error(message, err));
  const app = Fastify({
    logger: false,
    // A client that stops sending mid-request (slowloris) is cut off rather than holding a socket forever.
    requestTimeout: 5 * 60_000,
    bodyLimit: limits.maxJsonBytes,
    // Fill and template IDs are at most 128 characters; longer segments cannot name anything.
    routerOptions: { maxParamLength: 200 },
    ajv: { customOptions: { allowUnionTypes: true, coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
  });

  // Only JSON and multipart are spoken; text/plain bodies get a 415 instead of a confusing 400.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseStrictJson(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  // preservePath: busboy would strip directories from file names; keeping them lets checkUploadName refuse traversal.
  await app.register(multipart, { preservePath: true, limits: { fileSize: limits.maxDocumentBytes, files: 1, parts: 10 } });

  const authorize = bearerAuth(deps.config.apiToken);
  const site = siteRules(deps.config);
  app.addHook('onRequest', async (req, reply) => {
    // The Host first: a rebinding page's request is refused whatever else it carries. `inject()` has no
    // socket and so no local port; only its Host name is checked.
    checkHost(site, req.headers.host, req.socket.localPort);
    // A preflight carries no Authorization header, so an allowed origin's is answered before the token check.
    if (answerCors(checkOrigin(site, req), req, reply)) return reply;
    authorize(req.headers.authorization);
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const apiError = toApiError(err);
    if (apiError.statusCode >= 500) logError(`${req.method} ${req.url} failed`, err);
    if (apiError.statusCode === 401) reply.header('www-authenticate', 'Bearer');
    return reply.code(apiError.statusCode).type('application/json').send(apiError.toBody());
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!.slice(0, 200);
    const e = new ApiError(404, 'not_found', `no route ${req.method} ${path}; see GET /api/openapi.json`);
    return reply.code(404).send(e.toBody());
  });

  const docs: RouteDoc[] = [];
  documentRoutes(app, deps, limits, docs);
  templateRoutes(app, deps, limits, docs);
  fillRoutes(app, deps, docs);
  statsRoutes(app, deps, docs);
  bulkRoutes(app, deps, docs);
  metricsRoutes(app, deps, docs);
  docs.push({
    method: 'GET',
    url: '/api/health',
    operationId: 'getHealth',
    tag: 'service',
    summary: 'Liveness',
    responses: { 200: { description: 'the API is up', schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', const: 'ok' } } } } },
  });
  app.get('/api/health', async () => ({ status: 'ok' }));
  docs.push({
    method: 'GET',
    url: '/api/openapi.json',
    operationId: 'getOpenApiDocument',
    tag: 'service',
    summary: 'This document',
    responses: { 200: { description: 'the OpenAPI 3.1 description of this API', schema: { type: 'object' } } },
  });
  const openapi = buildOpenApi(docs, { version: '0.1.0', auth: deps.config.apiToken !== undefined });
  // The server entry is the Host the request named, which the Host check has already accepted.
  app.get('/api/openapi.json', async (req) => ({ ...openapi, servers: [serverEntry(req.headers.host!)] }));
  return app;
}

/** Every error becomes an ApiError: ours as they are, Fastify's and the multipart plugin's by code, anything else a 500 without internals. */
export function toApiError(err: FastifyError | Error): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as FastifyError & { validation?: AjvErrorLike[]; validationContext?: string };
  if (e.validation) {
    const context = e.validationContext === 'params' ? '' : e.validationContext === 'querystring' ? '' : '';
    return validationError(e.validation, context);
  }
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'unsupported_media_type', 'send application/json (or multipart/form-data for uploads)');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'body_too_large', 'the request body is too large');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'malformed_json', 'the request body is empty; send a JSON value');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError(400, 'invalid_request', 'the Content-Length does not match the body');
    case 'FST_REQ_FILE_TOO_LARGE':
      return new ApiError(413, 'file_too_large', 'the uploaded file is too large', 'file');
    case 'FST_FILES_LIMIT_ERROR':
    case 'FST_PARTS_LIMIT_ERROR':
    case 'FST_FIELDS_LIMIT_ERROR':
      return new ApiError(413, 'too_many_parts', 'too many parts in the upload; send one file part', 'file');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new ApiError(415, 'unsupported_media_type', 'the upload must be multipart/form-data');
    case 'FST_PROTO_VIOLATION':
      return new ApiError(400, 'forbidden_key', 'the upload uses a forbidden part name');
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    // Fastify's own 4xx messages carry no internals (bad multipart framing, malformed URL, …).
    return new ApiError(status, (e.code ?? 'bad_request').toLowerCase(), e.message.split('\n')[0]!.slice(0, 300));
  }
  return new ApiError(500, 'internal_error', 'the server failed to handle this request; it has been logged');
}
