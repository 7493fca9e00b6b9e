/** @module gatherContext: retrieves the passages each field of a group needs, as references only. */
import type { GatherContextInput, GatherContextResult } from '../core/fill-records.js';
import { endpointIdentity } from '../core/endpoint.js';
import { DEFAULT_MAX_CHUNKS_PER_FIELD, expectedOutputTokens, fieldSpecTokens } from '../core/plan-batches.js';
import { searchFields } from '../retrieval/search-fields.js';
import type { FillActivityDeps } from './deps.js';
import { loadFields } from './load-fields.js';

/** Passages kept per field: as many as planning may use; it trims further to the token budget. */
const TOP_K = DEFAULT_MAX_CHUNKS_PER_FIELD;

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
    return fields.map((f) => ({
      key: f.key,
      specTokens: fieldSpecTokens(f),
      outputTokens: expectedOutputTokens(f),
      context: (hits[f.key] ?? []).map((h) => ({ chunkId: h.chunkId, documentId: h.documentId, seq: h.seq, tokens: h.tokens, score: h.score })),
    }));
  };
}
