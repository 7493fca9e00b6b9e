/** @module embedContext: dense vectors for a fill's chunks (RETRIEVAL_DOCUMENT) and its fields' queries
 * (RETRIEVAL_QUERY), on the rate-limited Gemini queue, cached in the store so each text is embedded once. */
import { ApplicationFailure, cancellationSignal, heartbeat } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import { classifyGeminiError } from '../core/classify-gemini-error.js';
import { FailureType } from '../core/failure-types.js';
import type { EmbedContextInput, EmbedContextResult } from '../core/fill-records.js';
import { GeminiCallError, type EmbeddingTask, type GeminiClient } from '../gemini/gemini-client.js';
import { buildFieldQuery } from '../retrieval/build-field-query.js';
import type { EmbeddingSpace } from '../store/embedding-store.js';
import type { Store } from '../store/store.js';
import type { GeminiActivityDeps } from './deps.js';
import { loadFields } from './load-fields.js';
import { beginGeminiAttempt } from './begin-gemini-attempt.js';
import { toFailure } from './to-failure.js';
import { acquirePermit } from './quota-gate.js';
import type { QuotaLimits } from '../core/quota-decision.js';
import { quotaLimitsOf } from '../core/quota-limits.js';
import { estimateTokens } from '../core/tokens.js';
import type { QuotaBucket } from '../store/quota-ledger-store.js';

/**
 * 768 of gemini-embedding-001's 3072 Matryoshka dimensions: one of the sizes Google recommends, a quarter
 * of the storage and scan time, and little retrieval quality lost at the scale of one fill's documents.
 */
export const EMBEDDING_DIMENSIONS = 768;
/** Texts per batchEmbedContents request (Google's documented batch limit is 100). */
const TEXTS_PER_REQUEST = 100;

export function makeEmbedContext({ store, gemini: configuredGemini, config, keyId = 'no-key' }: GeminiActivityDeps) {
  return async function embedContext(input: EmbedContextInput): Promise<EmbedContextResult> {
    const usage = { fillId: input.fillId, batchId: 'embeddings' };
    const gemini = await beginGeminiAttempt(store, configuredGemini, usage);
    const space: EmbeddingSpace = { model: gemini.embeddingModel, dimensions: EMBEDDING_DIMENSIONS };
    // The embedding model has its own bucket in the shared ledger, paced by the same configured limits.
    const gate = { bucket: { keyId, model: gemini.embeddingModel }, limits: quotaLimitsOf(config.limits) };
    const call = (texts: string[], task: EmbeddingTask) => embedRecorded(store, gemini, gate, usage, texts, task, space.dimensions);

    // The store is the checkpoint: a retried attempt embeds only what the last one did not store.
    const missing = await store.chunksWithoutEmbedding(space, input.documentIds);
    for (let i = 0; i < missing.length; i += TEXTS_PER_REQUEST) {
      const group = missing.slice(i, i + TEXTS_PER_REQUEST);
      const vectors = await call(group.map((c) => c.text), 'RETRIEVAL_DOCUMENT');
      await store.putChunkEmbeddings(space, group.map((c, j) => ({ chunkId: c.chunkId, vector: vectors[j]! })));
      heartbeat({ chunksEmbedded: i + group.length });
    }

    const fields = await loadFields(store, input.templateId, input.fieldKeys);
    const queries = [...new Set(fields.map(buildFieldQuery))];
    const cached = await store.getQueryEmbeddings(space, queries);
    const todo = queries.filter((q) => !cached.has(q));
    for (let i = 0; i < todo.length; i += TEXTS_PER_REQUEST) {
      const group = todo.slice(i, i + TEXTS_PER_REQUEST);
      const vectors = await call(group, 'RETRIEVAL_QUERY');
      await store.putQueryEmbeddings(space, group.map((text, j) => ({ text, vector: vectors[j]! })));
    }
    return { ...space, chunksEmbedded: missing.length, queriesEmbedded: todo.length };
  };
}

/** One request, counted where it happens like every other Gemini request; failures classified alike. */
async function embedRecorded(
  store: Store,
  gemini: GeminiClient,
  gate: { bucket: QuotaBucket; limits: QuotaLimits },
  usage: { fillId: string; batchId: string },
  texts: string[],
  task: EmbeddingTask,
  dimensions: number,
): Promise<number[][]> {
  const promptTokens = texts.reduce((n, t) => n + estimateTokens(t), 0);
  const permit = await acquirePermit(store, gate.bucket, gate.limits, promptTokens);
  if (permit.waitedMs > 0) await store.recordUsage({ ...usage, kind: 'quota_wait', detail: String(permit.waitedMs) });
  if (!permit.ok) {
    // The workflow carries on with BM25 alone rather than waiting a day for vectors.
    throw ApplicationFailure.create({
      type: FailureType.QuotaExhausted,
      nonRetryable: true,
      category: ApplicationFailureCategory.BENIGN,
      message: `Gemini daily quota exhausted for ${gemini.embeddingModel}; it resets at ${new Date(permit.resetAt).toISOString()}`,
    });
  }
  try {
    const vectors = await gemini.embed({ texts, task, dimensions, signal: cancellationSignal() });
    // Embedding responses carry no usage metadata: the planner's estimate is what is recorded.
    await store.recordUsage({ ...usage, kind: 'api_call', detail: 'embed', promptTokens, outputTokens: 0, fields: 0 });
    return vectors;
  } catch (err) {
    if (!(err instanceof GeminiCallError)) throw err;
    const cls = classifyGeminiError(err.record);
    await store.recordUsage({ ...usage, kind: 'api_call', detail: 'embed' });
    if (cls.kind === 'rate-limited' || cls.kind === 'daily-quota') {
      await store.recordUsage({ ...usage, kind: 'rate_limited', detail: cls.kind === 'daily-quota' ? 'per-day' : cls.quota });
    } else {
      await store.recordUsage({ ...usage, kind: 'error', detail: cls.kind });
    }
    throw toFailure(cls);
  }
}
