/** @module Builds the OpenAPI 3.1 document from the same route table and schemas Fastify validates with
 * (@fastify/swagger is not a dependency, and the table is small enough to walk ourselves). The document is
 * written for the clients services generate from it: every operation has a stable `operationId` (a method
 * name in a generated Python or Go client) and a tag (its API class), errors are one named schema, and the
 * bearer scheme is always declared, so a client generated against a server without a token also works
 * against one with a token. `npx @redocly/cli lint` (recommended rules) passes it clean
 * (test/unit/api/openapi-lint.test.ts). */
import { errorSchema } from './schemas.js';

export type RouteTag = 'documents' | 'templates' | 'fills' | 'bulks' | 'usage' | 'service';

export interface RouteDoc {
  method: 'GET' | 'POST';
  url: string;
  /** camelCase, unique, and never renamed: generated clients name their methods after it. */
  operationId: string;
  tag: RouteTag;
  summary: string;
  description?: string;
  params?: { properties: Record<string, unknown>; required?: readonly string[] };
  query?: { properties: Record<string, unknown> };
  /** Request bodies by media type. */
  body?: Record<string, unknown>;
  responses: Record<number, { description: string; schema?: unknown; mediaType?: string }>;
}

const TAGS: { name: RouteTag; description: string }[] = [
  { name: 'documents', description: 'Source documents: uploaded once, referred to by id' },
  { name: 'templates', description: 'Templates: the fields to fill, from a JSON spec or a Markdown, DOCX or PDF-form file' },
  { name: 'fills', description: 'Fills: start one, follow it, resume or cancel it, download the filled document' },
  { name: 'bulks', description: 'Bulk fills: many rows of one template, inside the quota, by the standard, flex or batch route' },
  { name: 'usage', description: 'Gemini usage and quota' },
  { name: 'service', description: 'Liveness and this description' },
];

const ERROR_REF = { $ref: '#/components/schemas/Error' };

export interface OpenApiOptions {
  version: string;
  /** Whether this server requires the bearer token (FILLFLOW_API_TOKEN is set). */
  auth: boolean;
}

/** The document; its `servers` is left empty for serverEntry to fill per request. */
export function buildOpenApi(routes: RouteDoc[], opts: OpenApiOptions): Record<string, unknown> {
  const ids = new Set<string>();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    if (!/^[a-z][A-Za-z0-9]*$/.test(r.operationId) || ids.has(r.operationId)) {
      throw new Error(`route ${r.method} ${r.url}: operationId "${r.operationId}" must be camelCase and unique`);
    }
    ids.add(r.operationId);
    const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters = [
      ...Object.entries(r.params?.properties ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema })),
      ...Object.entries(r.query?.properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
    ];
    const responses: Record<string, unknown> = {};
    for (const [code, res] of Object.entries(r.responses)) {
      // A documented 4xx carries the error body like every other refusal.
      const schema = res.schema ?? (Number(code) >= 400 ? ERROR_REF : undefined);
      responses[code] = { description: res.description, ...(schema ? { content: { [res.mediaType ?? 'application/json']: { schema } } } : {}) };
    }
    responses['4XX'] = { $ref: '#/components/responses/ClientError' };
    responses['5XX'] = { $ref: '#/components/responses/ServerError' };
    (paths[path] ??= {})[r.method.toLowerCase()] = {
      operationId: r.operationId,
      tags: [r.tag],
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(r.body
        ? { requestBody: { required: true, content: Object.fromEntries(Object.entries(r.body).map(([type, schema]) => [type, { schema }])) } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Fillflow API',
      version: opts.version,
      description:
        'Fills document templates from source documents with Gemini, orchestrated by Temporal. Every error is ' +
        '{ error: { code, message, path? } }. Requests must name this server in Host, and browser requests from ' +
        'pages of other origins are refused unless the server lists the origin (FILLFLOW_API_CORS_ORIGINS).',
      // package.json's "license": "UNLICENSED" (no licence granted). SPDX has no id for that, so the identifier
      // is SPDX's form for a licence without one; change both if the project takes an open licence.
      license: { name: 'UNLICENSED', identifier: 'LicenseRef-UNLICENSED' },
    },
    // Filled in per request by serverEntry; here so it comes where readers look for it.
    servers: [],
    tags: TAGS,
    // With a token configured every operation needs it; without one, a token is accepted and ignored.
    security: opts.auth ? [{ bearerAuth: [] }] : [{ bearerAuth: [] }, {}],
    paths,
    components: {
      schemas: { Error: errorSchema },
      responses: {
        ClientError: {
          description:
            'refused: `error.code` says why (e.g. invalid_request, unauthorized, forbidden_host, forbidden_origin, not_found) and `error.path` names the input at fault',
          content: { 'application/json': { schema: ERROR_REF } },
        },
        ServerError: { description: 'a server or Temporal failure, without internals', content: { 'application/json': { schema: ERROR_REF } } },
      },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'FILLFLOW_API_TOKEN, when the server sets it: Authorization: Bearer <token>' },
      },
    },
  };
}

/** The server entry for a document served under `host` (a Host header that passed the Host check). */
export function serverEntry(host: string): Record<string, unknown> {
  return {
    url: 'http://{host}',
    description: 'this server, as the request for this document reached it (behind a TLS proxy, use the proxy’s https URL)',
    variables: { host: { default: host, description: 'host name and port' } },
  };
}
