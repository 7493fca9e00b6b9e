/** @module Bulks over HTTP: start one (`{ templateId | template, rows: [{ row, documentIds }], options? }`, or a
 * dry run that returns the forecast), follow it, stream its results as JSONL, cancel or resume it. Bulks start
 * through the one start path (src/bulk/start-bulk.ts) with the server's configuration, as `fillflow bulk` does. */
import { Readable } from 'node:stream';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { BulkClient } from '../../bulk-client.js';
import { MAX_WINDOW, type BulkRoute } from '../../bulk/bulk-records.js';
import { forecastBulk } from '../../bulk/forecast.js';
import { ROW_ID_PATTERN } from '../../bulk/manifest.js';
import { priceTable } from '../../bulk/price-table.js';
import { bulkResultLines } from '../../bulk/results.js';
import { resolveBulkOptions, resolveWindow } from '../../bulk/start-bulk.js';
import type { FillOptions } from '../../core/fill-records.js';
import type { TemplateSpec } from '../../core/types.js';
import { saveTemplate, TemplateConflictError } from '../../templates/save-template.js';
import { ApiError } from '../api-error.js';
import type { ApiDeps } from '../api-deps.js';
import type { RouteDoc } from '../openapi.js';
import { fillOptionsSchema, idParams, templateSchema } from '../schemas.js';
import { checkTemplate } from './templates.js';

const DOC_ID = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$';

export const startBulkSchema = {
  type: 'object',
  required: ['rows'],
  additionalProperties: false,
  properties: {
    templateId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' },
    template: templateSchema,
    rows: {
      type: 'array',
      minItems: 1,
      maxItems: 20_000,
      items: {
        type: 'object',
        required: ['row', 'documentIds'],
        additionalProperties: false,
        properties: {
          row: { type: 'string', pattern: ROW_ID_PATTERN.source, description: 'unique in the bulk; the row\'s fill ID is `<bulkId>/<row>`' },
          documentIds: { type: 'array', minItems: 1, maxItems: 200, uniqueItems: true, items: { type: 'string', pattern: DOC_ID } },
        },
      },
    },
    options: fillOptionsSchema,
    window: { type: 'integer', minimum: 1, maximum: MAX_WINDOW, description: 'rows in flight at once; default one minute of the quota' },
    route: { type: 'string', enum: ['standard', 'flex', 'batch', 'auto'], description: 'how rows reach Gemini: standard, flex (half price, slower), batch (Batch Mode: half price, up to a day), auto (batch when the deadline allows)' },
    deadline: { type: 'string', maxLength: 40, description: 'when the bulk should be done (ISO 8601 date-time)' },
    dryRun: { type: 'boolean', description: 'return the forecast (calls, tokens, cost by route, time at the quota) and start nothing' },
  },
} as const;

const bulkStateSchema = {
  type: 'object',
  required: ['bulkId', 'status', 'progress', 'usage'],
  properties: {
    bulkId: { type: 'string' },
    status: { type: 'string', description: 'running | paused-quota | completed | cancelled | failed | terminated | timed_out' },
    progress: {
      type: 'object',
      properties: Object.fromEntries(['rows', 'completed', 'failed', 'cancelled', 'running', 'parked', 'pending'].map((k) => [k, { type: 'integer' }])),
    },
    usage: { type: 'object', properties: Object.fromEntries(['apiCalls', 'cacheHits', 'promptTokens', 'outputTokens', 'rateLimited'].map((k) => [k, { type: 'integer' }])) },
    resumeAt: { type: 'string' },
    etaSeconds: { type: 'integer' },
    error: { type: 'string' },
  },
} as const;

interface StartBulkBody {
  templateId?: string;
  template?: unknown;
  rows: { row: string; documentIds: string[] }[];
  options?: Partial<FillOptions>;
  window?: number;
  route?: BulkRoute;
  deadline?: string;
  dryRun?: boolean;
}

export function bulkRoutes(app: FastifyInstance, deps: ApiDeps, docs: RouteDoc[]): void {
  const { store, config } = deps;
  // The fill service is the TypeScript client on `fillflow dev` and `fillflow api`: bulks share its Temporal client.
  const temporal = (deps.fills as { temporal?: Client }).temporal;
  const bulks = temporal ? new BulkClient(temporal, { config, store }) : undefined;
  const service = (): BulkClient => {
    if (!bulks) throw new ApiError(503, 'bulks_unavailable', 'this server has no Temporal client for bulks');
    return bulks;
  };
  const idResponse = { type: 'object', required: ['bulkId', 'status'], properties: { bulkId: { type: 'string' }, status: { type: 'string' } } };
  docs.push(
    {
      method: 'POST',
      url: '/api/bulks',
      operationId: 'startBulk',
      tag: 'bulks',
      summary: 'Start a bulk: { templateId | template, rows: [{ row, documentIds }], options? } → { bulkId }; with dryRun, the forecast',
      body: { 'application/json': startBulkSchema },
      responses: {
        200: { description: 'the forecast (dryRun): nothing was started', schema: { type: 'object' } },
        202: { description: 'started', schema: idResponse },
        422: { description: 'an unknown template or document (`unknown_template`, `unknown_document`)' },
      },
    },
    {
      method: 'GET',
      url: '/api/bulks/:id',
      operationId: 'getBulk',
      tag: 'bulks',
      summary: 'A bulk: { status, progress: { rows, completed, failed, running, parked }, usage }',
      params: idParams,
      responses: { 200: { description: 'the bulk', schema: bulkStateSchema }, 404: { description: 'no such bulk (`bulk_not_found`)' } },
    },
    {
      method: 'GET',
      url: '/api/bulks/:id/results',
      operationId: 'getBulkResults',
      tag: 'bulks',
      summary: 'Every ended row, in order: a FillResult with its `row`, or a failed row with its `error` (JSONL; partial while running)',
      params: idParams,
      responses: { 200: { description: 'one JSON object a line', schema: { type: 'string' }, mediaType: 'application/x-ndjson' }, 404: { description: 'no such bulk (`bulk_not_found`)' } },
    },
    {
      method: 'POST',
      url: '/api/bulks/:id/cancel',
      operationId: 'cancelBulk',
      tag: 'bulks',
      summary: 'Cancel a bulk and its rows in flight',
      params: idParams,
      responses: { 202: { description: 'cancellation requested', schema: idResponse }, 409: { description: 'the bulk is not running (`not_running`)' } },
    },
    {
      method: 'POST',
      url: '/api/bulks/:id/resume',
      operationId: 'resumeBulk',
      tag: 'bulks',
      summary: 'Resume a bulk parked on an exhausted daily quota, and its parked rows',
      params: idParams,
      responses: { 202: { description: 'resume signalled', schema: idResponse }, 409: { description: 'the bulk is not running (`not_running`)' } },
    },
  );

  app.post('/api/bulks', { schema: { body: startBulkSchema } }, async (req, reply) => {
    const body = req.body as StartBulkBody;
    if ((body.templateId === undefined) === (body.template === undefined)) {
      throw new ApiError(400, 'invalid_request', 'give exactly one of "templateId" or "template"', 'templateId');
    }
    const seen = new Map<string, number>();
    for (const [i, r] of body.rows.entries()) {
      const first = seen.get(r.row);
      if (first !== undefined) throw new ApiError(400, 'duplicate_row', `row "${r.row}" is also rows[${first}]; row IDs are unique in a bulk`, `rows[${i}].row`);
      seen.set(r.row, i);
    }
    let template: TemplateSpec;
    if (body.template !== undefined) template = checkTemplate(body.template, 'template');
    else {
      const found = await store.getTemplate(body.templateId!);
      if (!found) throw new ApiError(422, 'unknown_template', `no template "${body.templateId}"; create it with POST /api/templates`, 'templateId');
      template = found;
    }
    const known = new Set<string>();
    for (const [i, r] of body.rows.entries()) {
      for (const [j, id] of r.documentIds.entries()) {
        if (known.has(id)) continue;
        if (!(await store.getDocument(id))) throw new ApiError(422, 'unknown_document', `no document "${id}"; upload it with POST /api/documents`, `rows[${i}].documentIds[${j}]`);
        known.add(id);
      }
    }
    if (body.deadline !== undefined && Number.isNaN(Date.parse(body.deadline))) throw new ApiError(400, 'invalid_request', 'deadline must be an ISO 8601 date-time', 'deadline');
    if (body.template !== undefined) {
      try {
        await saveTemplate(store, { format: 'json', spec: template, warnings: [] }, { ifExists: 'reject' });
      } catch (err) {
        if (err instanceof TemplateConflictError) throw new ApiError(409, 'template_conflict', err.message, 'template.id');
        throw err;
      }
    }
    const rows = body.rows.map((r) => ({ row: r.row, templateId: template.id, documentIds: r.documentIds }));
    const forecast = await forecastBulk({ store, config }, rows, resolveBulkOptions(config, body.options), priceTable(config.bulk.prices));
    if (body.dryRun) return reply.code(200).send({ ...forecast, window: resolveWindow(config, { window: body.window, rowCost: forecast.perRow }) });
    let bulkId: string;
    try {
      ({ bulkId } = await service().startBulk({
        rows,
        rowCost: forecast.perRow,
        meta: { forecast },
        ...(body.options ? { options: body.options } : {}),
        ...(body.window !== undefined ? { window: body.window } : {}),
        ...(body.route !== undefined ? { route: body.route } : {}),
        ...(body.deadline !== undefined ? { deadline: new Date(body.deadline).toISOString() } : {}),
      }));
    } catch (err) {
      throw temporalDown(err);
    }
    return reply.code(202).header('location', `/api/bulks/${bulkId}`).send({ bulkId, status: 'running' });
  });

  app.get('/api/bulks/:id', { schema: { params: idParams } }, async (req) => {
    const { id } = req.params as { id: string };
    await requireBulk(deps, id);
    const state = await bulkState(service(), id, { countParked: true });
    return { ...state, detail: undefined };
  });

  app.get('/api/bulks/:id/results', { schema: { params: idParams } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    await requireBulk(deps, id);
    const lines = async function* () {
      for await (const line of bulkResultLines(store, id)) yield `${JSON.stringify(line)}\n`;
    };
    return reply.header('content-type', 'application/x-ndjson; charset=utf-8').send(Readable.from(lines()));
  });

  app.post('/api/bulks/:id/cancel', { schema: { params: idParams } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    await requireRunning(deps, service(), id, 'cancel');
    const state = await service().cancel(id, { wait: false }).catch((err) => Promise.reject(temporalDown(err)));
    return reply.code(202).send({ bulkId: id, status: 'cancelling', progress: state.progress });
  });

  app.post('/api/bulks/:id/resume', { schema: { params: idParams } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    await requireRunning(deps, service(), id, 'resume');
    await service().resume(id).catch((err) => Promise.reject(temporalDown(err)));
    return reply.code(202).send({ bulkId: id, status: 'running', resumed: true });
  });
}

async function requireBulk(deps: ApiDeps, id: string): Promise<void> {
  if (!(await deps.store.getBulk(id))) throw new ApiError(404, 'bulk_not_found', `no bulk "${id}"`, 'id');
}

async function bulkState(bulks: BulkClient, id: string, opts: { countParked?: boolean } = {}) {
  try {
    return await bulks.getBulk(id, opts);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || (err as Error)?.name === 'WorkflowNotFoundError') throw new ApiError(404, 'bulk_not_found', `no bulk "${id}"`, 'id');
    throw temporalDown(err);
  }
}

async function requireRunning(deps: ApiDeps, bulks: BulkClient, id: string, action: string): Promise<void> {
  await requireBulk(deps, id);
  const { status } = await bulkState(bulks, id);
  if (status !== 'running' && status !== 'paused-quota') throw new ApiError(409, 'not_running', `cannot ${action} bulk "${id}": it is ${status}`, 'id');
}

function temporalDown(err: unknown): ApiError | unknown {
  if (err instanceof ApiError) return err;
  const msg = (err as Error)?.message ?? '';
  if (/UNAVAILABLE|ECONNREFUSED|connect|deadline/i.test(msg)) return new ApiError(503, 'temporal_unavailable', 'the Temporal service is not reachable; try again shortly');
  return err;
}
