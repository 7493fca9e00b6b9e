/** @module GET /metrics: this process's Prometheus metrics (the Temporal SDK's, Fillflow's, and the API's own
 * requests by route and status), when it serves them (FILLFLOW_METRICS_ADDRESS). Behind the same gate as every
 * route: with FILLFLOW_API_TOKEN set, a scraper sends the bearer token (docs/metrics.md says why). */
import type { FastifyInstance } from 'fastify';
import { fillflowMetrics } from '../../metrics/fillflow-metrics.js';
import { ApiError } from '../api-error.js';
import type { ApiDeps } from '../api-deps.js';
import type { RouteDoc } from '../openapi.js';

/** Prometheus' text exposition format. */
const EXPOSITION_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function metricsRoutes(app: FastifyInstance, deps: ApiDeps, docs: RouteDoc[]): void {
  const { metrics } = deps;
  docs.push({
    method: 'GET',
    url: '/metrics',
    operationId: 'getMetrics',
    tag: 'service',
    summary: "Prometheus metrics: the Temporal SDK's, Fillflow's and this API's requests",
    description: 'Served when the process has FILLFLOW_METRICS_ADDRESS set (the same metrics as that address serves); see docs/metrics.md.',
    responses: {
      200: { description: "Prometheus' text exposition format", mediaType: 'text/plain', schema: { type: 'string' } },
      404: { description: 'this process serves no metrics (`metrics_off`): set FILLFLOW_METRICS_ADDRESS' },
    },
  });
  if (metrics) {
    // Every answered request, refused ones included; by route pattern (never the raw path, whose IDs are unbounded).
    app.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url ?? 'unmatched';
      fillflowMetrics(metrics.meter()).httpRequest({ method: req.method, route, status: reply.statusCode }, reply.elapsedTime / 1000);
    });
  }
  app.get('/metrics', async (_req, reply) => {
    if (!metrics) throw new ApiError(404, 'metrics_off', 'this process serves no metrics: set FILLFLOW_METRICS_ADDRESS (see docs/metrics.md)');
    return reply.type(EXPOSITION_TYPE).send(await metrics.exposition());
  });
}
