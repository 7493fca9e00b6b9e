/** @module Fills: start one (by template id or with the template inline), follow it, resume or cancel it,
 * and download the filled document. Every input is checked before anything is stored or started. */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { dryRunFill } from '../../activities/dry-run-fill.js';
import type { FillOptions, FillProgress } from '../../core/fill-records.js';
import type { FillResult, TemplateSpec } from '../../core/types.js';
import { resolveFillOptions } from '../../fill-start.js';
import { flattenPdf } from '../../templates/pdf-form-template.js';
import { saveTemplate, TemplateConflictError } from '../../templates/save-template.js';
import { ApiError } from '../api-error.js';
import type { ApiDeps } from '../api-deps.js';
import type { RouteDoc } from '../openapi.js';
import { fillStateSchema, idParams, outputQuery, startFillSchema } from '../schemas.js';
import { checkTemplate } from './templates.js';

interface StartFillBody {
  templateId?: string;
  template?: unknown;
  documentIds: string[];
  options?: Partial<FillOptions>;
  dryRun?: boolean;
}

export function fillRoutes(app: FastifyInstance, deps: ApiDeps, docs: RouteDoc[]): void {
  const { store, fills } = deps;
  docs.push(
    {
      method: 'POST',
      url: '/api/fills',
      operationId: 'startFill',
      tag: 'fills',
      summary: 'Start a fill: { templateId | template, documentIds, options? } → { fillId }',
      body: { 'application/json': startFillSchema },
      responses: {
        202: { description: 'started', schema: { type: 'object', required: ['fillId', 'status'], properties: { fillId: { type: 'string' }, status: { type: 'string' } } } },
        200: { description: 'with `dryRun`: the calls and tokens the fill would spend (FillCostEstimate); nothing started', schema: { type: 'object' } },
        422: { description: 'an unknown template or document (`unknown_template`, `unknown_document`)' },
      },
    },
    {
      method: 'GET',
      url: '/api/fills/:id',
      operationId: 'getFill',
      tag: 'fills',
      summary: 'A fill: { status, progress, result? }',
      params: idParams,
      responses: { 200: { description: 'the fill', schema: fillStateSchema }, 404: { description: 'no such fill (`fill_not_found`)' } },
    },
    {
      method: 'POST',
      url: '/api/fills/:id/resume',
      operationId: 'resumeFill',
      tag: 'fills',
      summary: 'Resume a fill parked on an exhausted daily quota',
      params: idParams,
      responses: {
        202: { description: 'resume signalled', schema: { type: 'object', required: ['fillId', 'status'], properties: { fillId: { type: 'string' }, status: { type: 'string' }, resumed: { type: 'boolean' } } } },
        409: { description: 'the fill is not running (`not_running`)' },
      },
    },
    {
      method: 'POST',
      url: '/api/fills/:id/cancel',
      operationId: 'cancelFill',
      tag: 'fills',
      summary: 'Cancel a running fill',
      params: idParams,
      responses: {
        202: { description: 'cancellation requested', schema: { type: 'object', required: ['fillId', 'status'], properties: { fillId: { type: 'string' }, status: { type: 'string' } } } },
        409: { description: 'the fill is not running (`not_running`)' },
      },
    },
    {
      method: 'GET',
      url: '/api/fills/:id/output',
      operationId: 'getFillOutput',
      tag: 'fills',
      summary: 'The filled document (Markdown, DOCX or PDF; a JSON template gives Markdown)',
      params: idParams,
      query: outputQuery,
      responses: { 200: { description: 'the file', schema: { type: 'string', format: 'binary' }, mediaType: 'application/octet-stream' }, 409: { description: 'the fill has not finished (`not_ready`)' } },
    },
  );

  app.post('/api/fills', { schema: { body: startFillSchema } }, async (req, reply) => {
    const body = req.body as StartFillBody;
    if ((body.templateId === undefined) === (body.template === undefined)) {
      throw new ApiError(400, 'invalid_request', 'give exactly one of "templateId" or "template"', 'templateId');
    }
    let template: TemplateSpec;
    let inline = false;
    if (body.template !== undefined) {
      template = checkTemplate(body.template, 'template');
      inline = true;
    } else {
      const found = await store.getTemplate(body.templateId!);
      if (!found) throw new ApiError(422, 'unknown_template', `no template "${body.templateId}"; create it with POST /api/templates`, 'templateId');
      template = found;
    }
    for (const [i, id] of body.documentIds.entries()) {
      if (!(await store.getDocument(id))) {
        throw new ApiError(422, 'unknown_document', `no document "${id}"; upload it with POST /api/documents`, `documentIds[${i}]`);
      }
    }
    if (inline) {
      try {
        await saveTemplate(store, { format: 'json', spec: template, warnings: [] }, { ifExists: 'reject' });
      } catch (err) {
        if (err instanceof TemplateConflictError) throw new ApiError(409, 'template_conflict', err.message, 'template.id');
        throw err;
      }
    }
    if (body.dryRun) {
      // The plan the fill would run, with the options its start would resolve: no Gemini call, nothing started.
      const options = resolveFillOptions(deps.config, body.options);
      return reply.code(200).send(await dryRunFill({ store, config: deps.config }, { templateId: template.id, documentIds: body.documentIds, options }));
    }
    // The one start path (src/fill-start.ts): the fill service resolves unset options from the server's
    // configuration, as a CLI fill does, records the fill and starts it.
    let fillId: string;
    try {
      ({ fillId } = await fills.startFill({ templateId: template.id, documentIds: body.documentIds, ...(body.options ? { options: body.options } : {}) }));
    } catch (err) {
      throw temporalDown(err);
    }
    return reply.code(202).header('location', `/api/fills/${fillId}`).send({ fillId, status: 'running' });
  });

  app.get('/api/fills/:id', { schema: { params: idParams } }, async (req) => {
    const { id } = req.params as { id: string };
    const state = await fillState(deps, id);
    if (state.status === 'completed' && 'result' in state) {
      const result = state.result as FillResult;
      return {
        fillId: id,
        status: 'completed',
        progress: state.progress ?? finishedProgress(result),
        result,
        ...(result.outputRef ? { outputUrl: `/api/fills/${id}/output` } : {}),
      };
    }
    return { fillId: id, ...state };
  });

  app.post('/api/fills/:id/resume', { schema: { params: idParams } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    await requireRunning(deps, id, 'resume');
    await fills.resume(id).catch((err) => Promise.reject(temporalDown(err)));
    return reply.code(202).send({ fillId: id, status: 'running', resumed: true });
  });

  app.post('/api/fills/:id/cancel', { schema: { params: idParams } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    await requireRunning(deps, id, 'cancel');
    await fills.cancel(id).catch((err) => Promise.reject(temporalDown(err)));
    return reply.code(202).send({ fillId: id, status: 'cancelling' });
  });

  app.get('/api/fills/:id/output', { schema: { params: idParams, querystring: outputQuery } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const { flatten } = req.query as { flatten?: string };
    const output = await store.getOutput(id);
    if (!output) {
      const state = await fillState(deps, id);
      if (state.status === 'running') throw new ApiError(409, 'not_ready', `fill "${id}" is still running; its document is rendered when it completes`, 'id');
      throw new ApiError(404, 'output_not_found', `fill "${id}" has no rendered document (status ${state.status})`, 'id');
    }
    let bytes = output.bytes;
    if (flatten === 'true') {
      if (output.mediaType !== 'application/pdf') throw new ApiError(400, 'invalid_request', 'flatten applies to PDF forms only', 'flatten');
      bytes = await flattenPdf(bytes).catch((err: Error) => {
        // The standard PDF font cannot draw every script; the unflattened form still holds the values.
        throw new ApiError(422, 'cannot_flatten', `the filled form cannot be flattened: ${err.message.slice(0, 200)}; download it without flatten`, 'flatten');
      });
    }
    return reply
      .header('content-type', output.mediaType)
      .header('content-disposition', contentDisposition(output.fileName))
      .header('x-content-type-options', 'nosniff')
      .send(bytes);
  });
}

type AnyState = { status: string; progress?: FillProgress; result?: FillResult; error?: string };

async function fillState(deps: ApiDeps, id: string): Promise<AnyState> {
  try {
    return (await deps.fills.getFill(id)) as AnyState;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || (err as Error)?.name === 'WorkflowNotFoundError') {
      throw new ApiError(404, 'fill_not_found', `no fill "${id}"`, 'id');
    }
    throw temporalDown(err);
  }
}

async function requireRunning(deps: ApiDeps, id: string, action: string): Promise<void> {
  const state = await fillState(deps, id);
  if (state.status !== 'running' && !state.status.startsWith('paused')) {
    throw new ApiError(409, 'not_running', `cannot ${action} fill "${id}": it is ${state.status}`, 'id');
  }
}

function finishedProgress(r: FillResult): Omit<FillProgress, 'notices'> & { notices: string[] } {
  return {
    fillId: r.fillId,
    phase: 'completed',
    fieldsTotal: r.fields.length,
    fieldsDone: r.fields.length,
    batchesTotal: r.usage.batches,
    batchesDone: r.usage.batches,
    splits: 0,
    notices: r.notices ?? [],
  };
}

function temporalDown(err: unknown): ApiError | unknown {
  if (err instanceof ApiError) return err;
  const msg = (err as Error)?.message ?? '';
  if (/UNAVAILABLE|ECONNREFUSED|connect|deadline/i.test(msg)) {
    return new ApiError(503, 'temporal_unavailable', 'the Temporal service is not reachable; try again shortly');
  }
  return err;
}

/** A safe attachment header: ASCII fallback plus RFC 5987 UTF-8 name. */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
