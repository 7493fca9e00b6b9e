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
import { parseAnswer, resolveAnswers } from '../core/resolve-answer.js';
import { GeminiCallError } from '../gemini/gemini-client.js';
import type { Chunk, Store } from '../store/store.js';
import type { GeminiActivityDeps } from './deps.js';
import { loadFields } from './load-fields.js';
import { toFailure } from './to-failure.js';

/** Must stay well under the heartbeat timeout the workflow sets on extractBatch. */
const HEARTBEAT_MS = 5_000;

export function makeExtractBatch({ store, gemini }: GeminiActivityDeps) {
  return async function extractBatch(input: ExtractBatchInput): Promise<ExtractBatchResult> {
    const usage = { fillId: input.fillId, batchId: input.batchId };
    if (activityInfo().attempt > 1) await store.recordUsage({ ...usage, kind: 'retry' });
    if (!gemini) {
      throw ApplicationFailure.create({
        type: FailureType.NotConfigured,
        nonRetryable: true,
        category: ApplicationFailureCategory.BENIGN,
        message: 'GEMINI_API_KEY is not set on the Gemini worker',
      });
    }
    const fields = await loadFields(store, input.templateId, input.fieldKeys);
    const chunks = await store.getChunks(input.chunkIds);
    const passages = chunks.map(toPassage);
    const prompt = buildPrompt(fields, await promptPassages(store, chunks));
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
      } else {
        await store.recordUsage({ ...usage, kind: 'error', detail: cls.kind });
      }
      throw toFailure(cls);
    } finally {
      clearInterval(beat);
    }
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

export function toPassage(c: Chunk): GroundingPassage {
  return { documentId: c.documentId, start: c.start, text: c.text, ...(c.page !== undefined ? { page: c.page } : {}) };
}

async function promptPassages(store: Store, chunks: Chunk[]) {
  const names = new Map<string, string>();
  for (const c of chunks) {
    if (!names.has(c.documentId)) names.set(c.documentId, (await store.getDocument(c.documentId))?.name ?? c.documentId);
  }
  return chunks.map((c) => ({ documentName: names.get(c.documentId)!, text: c.text }));
}
