/** @module GET /api/templates/stats/api-usage: the old system's fields (gemini_api_stats,
 * optimization_info) with the same meaning, and ours beside them. No secret ever appears here. */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../api-deps.js';
import type { RouteDoc } from '../openapi.js';
import { apiUsage } from '../../usage/api-usage.js';

export const apiUsageSchema = {
  type: 'object',
  properties: {
    gemini_api_stats: {
      type: 'object',
      properties: { total_api_calls: { type: 'integer' }, cache_size: { type: 'integer' }, service_available: { type: 'boolean' } },
    },
    optimization_info: {
      type: 'object',
      properties: {
        parallel_processing_enabled: { type: 'boolean' },
        max_concurrent_batches: { type: 'integer' },
        fields_per_api_call_efficiency: { type: 'number' },
      },
    },
    usage: { type: 'object', description: 'Fillflow totals: calls, tokens, cache hits, 429s by quota, retries, errors, time waited for quota' },
    limits: { type: 'object', description: 'the profile, model and limits in force' },
    quota: { type: 'array', description: 'per API-key identity (a short hash, never the key) and model: requests today, quota left' },
    byEndpoint: {
      type: 'array',
      description: 'requests, cache hits and tokens per endpoint ("gemini" for Google\'s API, else the base URL of an emulator or proxy) and model; "unknown" for usage recorded before endpoints were',
      items: {
        type: 'object',
        properties: {
          endpoint: { type: 'string' },
          model: { type: 'string' },
          apiCalls: { type: 'integer' },
          cacheHits: { type: 'integer' },
          promptTokens: { type: 'integer' },
          outputTokens: { type: 'integer' },
        },
      },
    },
  },
} as const;

export function statsRoutes(app: FastifyInstance, deps: ApiDeps, docs: RouteDoc[]): void {
  docs.push({ method: 'GET', url: '/api/templates/stats/api-usage', operationId: 'getApiUsage', tag: 'usage', summary: 'Gemini usage: the seed system’s fields and Fillflow’s', responses: { 200: { description: 'usage', schema: apiUsageSchema } } });
  // The report is the usage module's, shared with `fillflow stats --json`, so the two never disagree.
  app.get('/api/templates/stats/api-usage', async () => apiUsage(deps.store, deps.config));
}
