/** @module gatherContext: retrieves the passages each field of a group needs, as references only, and how far
 * the field's searches agree on the best of them. */
import type { GatherContextInput, GatherContextResult } from '../core/fill-records.js';
import type { ChunkRef } from '../core/chunk-ref.js';
import { endpointIdentity } from '../core/endpoint.js';
import { DEFAULT_MAX_CHUNKS_PER_FIELD, expectedOutputTokens, fieldSpecTokens } from '../core/plan-batches.js';
import { buildFieldQueries } from '../retrieval/build-field-query.js';
import { searchFields } from '../retrieval/search-fields.js';
import type { FillActivityDeps } from './deps.js';
import { loadFields } from './load-fields.js';

/** Passages kept per field: as many as planning may use; it trims further to the token budget. */
const TOP_K = DEFAULT_MAX_CHUNKS_PER_FIELD;

/** Reciprocal rank fusion's damping (src/retrieval/fuse-rankings.ts): rank 1 of one ranking adds 1 / (60 + 1). */
const RRF_K = 60;

export function makeGatherContext({ store, config }: FillActivityDeps) {
  return async function gatherContext(input: GatherContextInput): Promise<GatherContextResult> {
    const fields = await loadFields(store, input.templateId, input.fieldKeys);
    // Only quotes proved by answers from the endpoint this deployment asks: an emulator's never steer Google's.
    const scope = { templateId: input.templateId, endpoint: endpointIdentity(config.gemini.baseUrl) };
    const remembered = config.fieldMemory > 0 ? await store.recallQuotes(scope, input.fieldKeys, input.documentIds, config.fieldMemory) : undefined;
    const hits = await searchFields(store, fields, input.documentIds, {
      topK: TOP_K,
      ...(input.embedding ? { embeddings: input.embedding } : {}),
      ...(remembered ? { remembered } : {}),
    });
    return fields.map((f) => {
      const context = (hits[f.key] ?? []).map((h) => ({ chunkId: h.chunkId, documentId: h.documentId, seq: h.seq, tokens: h.tokens, score: h.score }));
      const rankings = buildFieldQueries(f, remembered?.[f.key]).length + (input.embedding ? 1 : 0);
      const agreement = agreementOf(context, rankings);
      return { key: f.key, specTokens: fieldSpecTokens(f), outputTokens: expectedOutputTokens(f), context, ...(agreement !== undefined ? { agreement } : {}) };
    });
  };
}

/**
 * The share of a field's rankings that put its best passage first, read from the fused score: each ranking
 * adds 1 / (61 + rank) to it, so a passage every one of `rankings` ranks first scores `rankings` / 61. Undefined
 * for a single ranking, whose scores are BM25's own. Rounded to hundredths: it travels in history.
 */
function agreementOf(context: readonly ChunkRef[], rankings: number): number | undefined {
  const best = context[0];
  if (!best || rankings < 2) return undefined;
  return Math.round(Math.min(1, (best.score * (RRF_K + 1)) / rankings) * 100) / 100;
}
