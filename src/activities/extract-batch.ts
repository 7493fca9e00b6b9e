/** @module extractBatch: one Gemini call for a batch of fields (or none, from the cache), validated and grounded. */
import { createHash } from 'node:crypto';
import { ApplicationFailure, activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import { buildPrompt } from '../core/build-prompt.js';
import { buildResponseSchema } from '../core/build-response-schema.js';
import { classifyGeminiError } from '../core/classify-gemini-error.js';
import { FailureType } from '../core/failure-types.js';
import type { ExtractBatchInput, ExtractBatchResult } from '../core/fill-records.js';
import type { GroundingPassage } from '../core/ground-quote.js';
import { mergePassages, type SourceSpan } from '../core/merge-passages.js';
import { parseAnswer, resolveAnswers } from '../core/resolve-answer.js';
import { salvageTruncatedObject } from '../core/salvage-answer.js';
import { GeminiCallError } from '../gemini/gemini-client.js';
import type { Chunk, Store } from '../store/store.js';
import type { GeminiActivityDeps } from './deps.js';
import { loadFields } from './load-fields.js';
import { beginGeminiAttempt } from './begin-gemini-attempt.js';
import { toFailure } from './to-failure.js';
import { acquirePermit } from './quota-gate.js';
import { estimateTokens } from '../core/tokens.js';
import { quotaLimitsOf } from '../core/quota-limits.js';

/** Must stay well under the heartbeat timeout the workflow sets on extractBatch. */
const HEARTBEAT_MS = 5_000;

export function makeExtractBatch({ store, gemini: configuredGemini, config, keyId = 'no-key' }: GeminiActivityDeps) {
  return async function extractBatch(input: ExtractBatchInput): Promise<ExtractBatchResult> {
    const usage = { fillId: input.fillId, batchId: input.batchId };
    const gemini = await beginGeminiAttempt(store, configuredGemini, usage);
    const fields = await loadFields(store, input.templateId, input.fieldKeys);
    const chunks = await store.getChunks(input.chunkIds);
    // Touching chunks go as one passage: a clause cut by a chunk boundary reads, and grounds, as one quote.
    const passages = (await mergeTouching(store, chunks)).map(toPassage);
    const prompt = buildPrompt(fields, await promptPassages(store, passages), input.corrections);
    const schema = buildResponseSchema(fields);
    const cacheKey = answerCacheKey(gemini.model, prompt.systemInstruction, prompt.userText, schema);

    const cached = await store.cacheGet(cacheKey);
    if (cached) {
      const parsed = parseAnswer(cached.text, input.fieldKeys);
      if (parsed.ok) {
        await store.recordUsage({ ...usage, kind: 'cache_hit', fields: fields.length });
        return { batchId: input.batchId, fields: resolveAnswers(fields, parsed.answers, passages, 'cache'), cached: true };
      }
    }

    // The shared ledger grants the call first: a call waits for room in the minute instead of meeting a 429.
    const bucket = { keyId, model: gemini.model };
    if (input.reopenQuota) await store.quotaReopen(bucket);
    const estimate = estimateTokens(prompt.systemInstruction) + estimateTokens(prompt.userText) + estimateTokens(JSON.stringify(schema));
    // Limits applied at run time (`fillflow limits apply`) win over this worker's configured ones.
    const limits = { ...quotaLimitsOf(config.limits), ...(await store.quotaLimitOverrides()) };
    const permit = await acquirePermit(store, bucket, limits, estimate);
    if (permit.waitedMs >= 50) await store.recordUsage({ ...usage, kind: 'quota_wait', detail: String(permit.waitedMs) });
    if (!permit.ok) {
      // No request is sent: the day is closed for this key and model until the Pacific midnight.
      throw ApplicationFailure.create({
        type: FailureType.QuotaExhausted,
        nonRetryable: true,
        category: ApplicationFailureCategory.BENIGN,
        message: `Gemini daily quota exhausted for ${gemini.model} (the ledger counted ${limits.requestsPerDay} requests today, or Gemini said so); it resets at ${new Date(permit.resetAt).toISOString()}`,
        details: [{ resetAt: permit.resetAt, source: 'ledger' }],
      });
    }

    let answer;
    // A long call keeps telling the server this worker is alive, so a crashed worker's batch is
    // retried after the heartbeat timeout rather than the whole start-to-close timeout.
    const beat = setInterval(() => heartbeat(), HEARTBEAT_MS);
    try {
      answer = await gemini.generateJson({
        systemInstruction: prompt.systemInstruction,
        userText: prompt.userText,
        responseJsonSchema: schema,
        maxOutputTokens: input.maxOutputTokens,
        signal: cancellationSignal(),
      });
    } catch (err) {
      if (!(err instanceof GeminiCallError)) throw err;
      const cls = classifyGeminiError(err.record);
      await store.recordUsage({ ...usage, kind: 'api_call' });
      if (cls.kind === 'rate-limited' || cls.kind === 'daily-quota') {
        await store.recordUsage({ ...usage, kind: 'rate_limited', detail: cls.kind === 'daily-quota' ? 'per-day' : cls.quota });
        await store.quotaRecord429(bucket, cls.kind === 'daily-quota' ? 'per-day' : cls.quota === 'tokens-per-minute' ? 'tokens-per-minute' : 'per-minute');
        // A refused request used no input tokens; it still counts as a request (Google counts failed ones).
        await store.quotaReconcile(permit.reservationId, 0);
      } else {
        await store.recordUsage({ ...usage, kind: 'error', detail: cls.kind });
      }
      throw toFailure(cls, Math.random, activityInfo().attempt);
    } finally {
      clearInterval(beat);
    }
    // The estimate made room in the token window; Gemini's own count replaces it.
    if (answer.usage.promptTokens > 0) await store.quotaReconcile(permit.reservationId, answer.usage.promptTokens);
    await store.recordUsage({
      ...usage,
      kind: 'api_call',
      promptTokens: answer.usage.promptTokens,
      outputTokens: answer.usage.outputTokens,
      fields: fields.length,
    });

    if (answer.finish === 'blocked') {
      return {
        batchId: input.batchId,
        cached: false,
        fields: fields.map((f) => ({
          key: f.key,
          value: null,
          status: 'not_found',
          method: 'gemini',
          sources: [],
          reason: `Gemini declined to answer (${answer.reason ?? 'blocked'})`,
        })),
      };
    }
    if (answer.finish === 'truncated') {
      // Fields whose entries closed before the cut are answered; only the rest is asked again.
      const salvaged = salvageTruncatedObject(answer.text ?? '');
      const partial = salvaged === undefined ? undefined : parseAnswer(salvaged, input.fieldKeys);
      if (partial?.ok && partial.answers.size > 0 && partial.answers.size < fields.length) {
        const done = fields.filter((f) => partial.answers.has(f.key));
        return {
          batchId: input.batchId,
          cached: false,
          fields: resolveAnswers(done, partial.answers, passages, 'gemini'),
          missingKeys: fields.filter((f) => !partial.answers.has(f.key)).map((f) => f.key),
        };
      }
      throw ApplicationFailure.create({
        type: FailureType.SplitBatch,
        nonRetryable: true,
        category: ApplicationFailureCategory.BENIGN,
        message: `answer cut at the output limit (MAX_TOKENS) for ${fields.length} fields`,
      });
    }
    const parsed = parseAnswer(answer.text, input.fieldKeys);
    if (!parsed.ok) {
      throw ApplicationFailure.create({
        type: FailureType.SplitBatch,
        nonRetryable: true,
        category: ApplicationFailureCategory.BENIGN,
        message: `unusable answer: ${parsed.reason}`,
      });
    }
    await store.cachePut(cacheKey, {
      text: answer.text ?? '',
      promptTokens: answer.usage.promptTokens,
      outputTokens: answer.usage.outputTokens,
      finishReason: answer.reason ?? 'STOP',
    });
    return { batchId: input.batchId, fields: resolveAnswers(fields, parsed.answers, passages, 'gemini'), cached: false };
  };
}

/** The cache key is the request itself: the same model, prompt and schema get the same answer. */
export function answerCacheKey(model: string, system: string, user: string, schema: unknown): string {
  return createHash('sha256').update(JSON.stringify([model, system, user, schema])).digest('hex');
}

export function toPassage(c: SourceSpan): GroundingPassage {
  return { documentId: c.documentId, start: c.start, text: c.text, ...(c.page !== undefined ? { page: c.page } : {}) };
}

/** The batch's chunks with those that touch in their document (overlap, or only whitespace between) merged. */
async function mergeTouching(store: Store, chunks: Chunk[]): Promise<SourceSpan[]> {
  const texts = new Map<string, string | undefined>();
  for (const c of chunks) if (!texts.has(c.documentId)) texts.set(c.documentId, await store.getDocumentText(c.documentId));
  return mergePassages(chunks, (id) => texts.get(id));
}

async function promptPassages(store: Store, chunks: readonly { documentId: string; text: string }[]) {
  const names = new Map<string, string>();
  for (const c of chunks) {
    if (!names.has(c.documentId)) names.set(c.documentId, (await store.getDocument(c.documentId))?.name ?? c.documentId);
  }
  return chunks.map((c) => ({ documentName: names.get(c.documentId)!, text: c.text }));
}
