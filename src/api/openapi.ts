/** @module Builds the OpenAPI 3.1 document from the same route table and schemas Fastify validates with
 * (@fastify/swagger is not a dependency, and the table is small enough to walk ourselves). */
import { errorSchema } from './schemas.js';

export interface RouteDoc {
  method: 'GET' | 'POST';
  url: string;
  summary: string;
  params?: { properties: Record<string, unknown>; required?: readonly string[] };
  query?: { properties: Record<string, unknown> };
  /** Request bodies by media type. */
  body?: Record<string, unknown>;
  responses: Record<number, { description: string; schema?: unknown; mediaType?: string }>;
}

export function buildOpenApi(routes: RouteDoc[], opts: { version: string; auth: boolean }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters = [
      ...Object.entries(r.params?.properties ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema })),
      ...Object.entries(r.query?.properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
    ];
    const responses: Record<string, unknown> = {};
    for (const [code, res] of Object.entries(r.responses)) {
      responses[code] = {
        description: res.description,
        ...(res.schema ? { content: { [res.mediaType ?? 'application/json']: { schema: res.schema } } } : {}),
      };
    }
    responses['4XX'] = { description: 'the request was refused; `error.path` names the problem', content: { 'application/json': { schema: errorSchema } } };
    responses['5XX'] = { description: 'a server or Temporal failure, without internals', content: { 'application/json': { schema: errorSchema } } };
    (paths[path] ??= {})[r.method.toLowerCase()] = {
      summary: r.summary,
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
      description: 'Fills document templates from source documents with Gemini, orchestrated by Temporal. Errors are always { error: { code, message, path? } }.',
    },
    paths,
    ...(opts.auth ? { components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } }, security: [{ bearer: [] }] } : {}),
  };
}
