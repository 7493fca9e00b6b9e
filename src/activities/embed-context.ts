/** @module embedContext: dense vectors for a fill's chunks (RETRIEVAL_DOCUMENT) and its fields' queries
 * (RETRIEVAL_QUERY), on the rate-limited Gemini queue, cached in the store so each text is embedded once.
 * Every request is a metered call, like extraction's. */
import { heartbeat } from '@temporalio/activity';
import type { EmbeddingSpace } from '../core/chunk-ref.js';
import type { EmbedContextInput, EmbedContextResult } from '../core/fill-records.js';
import { estimateTokens } from '../core/tokens.js';
import type { EmbeddingTask } from '../gemini/gemini-client.js';
import { buildFieldQuery } from '../retrieval/build-field-query.js';
import type { GeminiActivityDeps } from './deps.js';
import { loadFields } from './load-fields.js';
import { beginMeteredAttempt, type MeteredAttempt } from './metered-call.js';

/**
 * 768 of gemini-embedding-001's 3072 Matryoshka dimensions: one of the sizes Google recommends, a quarter
 * of the storage and scan time, and little retrieval quality lost at the scale of one fill's documents.
 */
export const EMBEDDING_DIMENSIONS = 768;
/** Texts per batchEmbedContents request (Google's documented batch limit is 100). */
const TEXTS_PER_REQUEST = 100;

export function makeEmbedContext(deps: GeminiActivityDeps) {
  const { store } = deps;
  return async function embedContext(input: EmbedContextInput): Promise<EmbedContextResult> {
    // The embedding model has its own bucket in the shared ledger, paced by the same limits.
    const meter = await beginMeteredAttempt(deps, { fillId: input.fillId, batchId: 'embeddings' }, (g) => g.embeddingModel);
    // Vectors are comparable only within one endpoint, model and size: the space names all three.
    const space: EmbeddingSpace = { endpoint: meter.endpoint, model: meter.model, dimensions: EMBEDDING_DIMENSIONS };
    const embed = (texts: string[], task: EmbeddingTask) => embedTexts(meter, texts, task, space.dimensions);

    // The store is the checkpoint: a retried attempt embeds only what the last one did not store.
    const missing = await store.chunksWithoutEmbedding(space, input.documentIds);
    for (let i = 0; i < missing.length; i += TEXTS_PER_REQUEST) {
      const group = missing.slice(i, i + TEXTS_PER_REQUEST);
      const vectors = await embed(group.map((c) => c.text), 'RETRIEVAL_DOCUMENT');
      await store.putChunkEmbeddings(space, group.map((c, j) => ({ chunkId: c.chunkId, vector: vectors[j]! })));
      heartbeat({ chunksEmbedded: i + group.length });
    }

    const fields = await loadFields(store, input.templateId, input.fieldKeys);
    const queries = [...new Set(fields.map(buildFieldQuery))];
    const cached = await store.getQueryEmbeddings(space, queries);
    const todo = queries.filter((q) => !cached.has(q));
    for (let i = 0; i < todo.length; i += TEXTS_PER_REQUEST) {
      const group = todo.slice(i, i + TEXTS_PER_REQUEST);
      const vectors = await embed(group, 'RETRIEVAL_QUERY');
      await store.putQueryEmbeddings(space, group.map((text, j) => ({ text, vector: vectors[j]! })));
    }
    return { ...space, chunksEmbedded: missing.length, queriesEmbedded: todo.length };
  };
}

/**
 * One batchEmbedContents request through the metered path. Embedding answers carry no usage metadata, so the
 * estimate stays in the ledger and is what usage records.
 */
function embedTexts(meter: MeteredAttempt, texts: string[], task: EmbeddingTask, dimensions: number): Promise<number[][]> {
  return meter.call({
    estimatedTokens: texts.reduce((n, t) => n + estimateTokens(t), 0),
    fields: 0,
    detail: 'embed',
    send: (signal) => meter.gemini.embed({ texts, task, dimensions, signal }),
  });
}
