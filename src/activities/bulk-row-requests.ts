/** @module The requests a row's fill will send, known before it runs: the row planned as fillTemplate plans it
 * (prepareFill's sizing, embedContext's vectors, gatherContext's retrieval, the current planner) and each planned
 * batch's prompt built as extractBatch builds it, under the answer-cache key extractBatch looks up. The flex and
 * batch routes answer these ahead of the fill and cache the answers; the fill then finds each in the cache and
 * sends, through the standard route, only what they could not answer. If planning here and in the fill ever
 * disagreed, the fill would simply send its own requests (a cost, never a wrong answer); the route tests prove
 * they agree by counting the fill's calls. */
import type { FillOptions } from '../core/fill-records.js';
import { CURRENT_PLANNER } from '../core/plan-batches.js';
import { planFill, planOptionsFor, requestOutputTokens } from '../core/plan-fill.js';
import type { BulkRowRef } from '../bulk/bulk-records.js';
import { buildBatchRequest } from './batch-request.js';
import type { GeminiActivityDeps } from './deps.js';
import { makeEmbedContext } from './embed-context.js';
import { makeGatherContext } from './gather-context.js';
import { sizeFill } from './prepare-fill.js';

/** One request of a row's fill, ready to send by any route. */
export interface RowRequest {
  /** extractBatch's answer-cache key for it. */
  key: string;
  fillId: string;
  batchId: string;
  fieldKeys: string[];
  systemInstruction: string;
  userText: string;
  responseJsonSchema: Record<string, unknown>;
  maxOutputTokens: number;
  estimatedTokens: number;
}

/**
 * The row's planned requests. Vectors are made first when the row's fill would make them (through the metered
 * standard route, as the fill's embedContext would: they are stored, so the fill makes none). Must run inside a
 * Gemini activity (the embedding call is metered under it).
 */
export async function rowRequests(deps: GeminiActivityDeps & { gemini: NonNullable<GeminiActivityDeps['gemini']> }, row: BulkRowRef, options: FillOptions): Promise<RowRequest[]> {
  const { store, gemini } = deps;
  const prep = await sizeFill(deps, {
    templateId: row.templateId,
    documentIds: row.documentIds,
    maxInputTokens: options.maxInputTokens,
    ...(options.fairnessKey !== undefined ? { fairnessKey: options.fairnessKey } : {}),
  });
  const planOptions = planOptionsFor(options, prep, CURRENT_PLANNER);
  const gather = makeGatherContext(deps);
  const embed = makeEmbedContext(deps);
  const { plan } = await planFill(prep, planOptions, {
    embed: async () => {
      const space = await embed({ fillId: row.fillId, templateId: row.templateId, documentIds: row.documentIds, fieldKeys: prep.fieldKeys }).catch(() => undefined);
      return space ? { endpoint: space.endpoint, model: space.model, dimensions: space.dimensions } : undefined;
    },
    gather: (embedding) =>
      Promise.all(prep.groups.map((fieldKeys) => gather({ templateId: row.templateId, documentIds: row.documentIds, fieldKeys, ...(embedding ? { embedding } : {}) }))),
  });
  const maxOutputTokens = requestOutputTokens(options, prep, CURRENT_PLANNER);
  const out: RowRequest[] = [];
  for (const batch of plan.batches) {
    // Built by extractBatch's own builder, so the key is the one the row's fill will look up.
    const request = await buildBatchRequest(store, gemini, { templateId: row.templateId, fieldKeys: batch.fieldKeys, chunkIds: batch.chunkIds });
    out.push({
      key: request.cacheKey,
      fillId: row.fillId,
      batchId: batch.id,
      fieldKeys: batch.fieldKeys,
      systemInstruction: request.prompt.systemInstruction,
      userText: request.prompt.userText,
      responseJsonSchema: request.schema,
      maxOutputTokens,
      estimatedTokens: request.estimatedTokens,
    });
  }
  return out;
}
