/** @module extractBatch: one metered Gemini call for a batch of fields (or none, from the cache), validated and grounded. */
import type { ExtractBatchInput, ExtractBatchResult } from '../core/fill-records.js';
import { applyProofPolicy, unprovenPolicy } from '../core/proof-policy.js';
import type { GroundingPassage } from '../core/ground-quote.js';
import { parseAnswer, resolveAnswers } from '../core/resolve-answer.js';
import { salvageTruncatedObject } from '../core/salvage-answer.js';
import type { FieldSpec } from '../core/types.js';
import type { GenerateJsonResult } from '../gemini/gemini-client.js';
import { activityMetrics } from '../metrics/activity-metrics.js';
import type { GeminiActivityDeps } from './deps.js';
import { buildBatchRequest } from './batch-request.js';
import { loadTemplate } from './load-fields.js';
import { beginMeteredAttempt } from './metered-call.js';
import { toFailure } from './to-failure.js';

export function makeExtractBatch(deps: GeminiActivityDeps) {
  const answer = answerBatch(deps);
  return async function extractBatch(input: ExtractBatchInput): Promise<ExtractBatchResult> {
    const result = await answer(input);
    // A value no passage proves stays filled (counted as unproven) unless the fill or its template asks for proof.
    const { unproven } = await loadTemplate(deps.store, input.templateId);
    return { ...result, fields: applyProofPolicy(result.fields, unprovenPolicy(input.unproven, unproven)) };
  };
}

/** The batch's fields as Gemini (or the cache) answered them, resolved and grounded. */
function answerBatch(deps: GeminiActivityDeps) {
  const { store } = deps;
  return async (input: ExtractBatchInput): Promise<ExtractBatchResult> => {
    const meter = await beginMeteredAttempt(deps, { fillId: input.fillId, batchId: input.batchId }, (g) => g.model);
    const { fields, passages, prompt, schema, cacheKey, estimatedTokens } = await buildBatchRequest(store, meter, input);

    const cached = await store.cacheGet(cacheKey);
    if (cached) {
      const parsed = parseAnswer(cached.text, input.fieldKeys);
      if (parsed.ok) {
        await meter.record({ kind: 'cache_hit', fields: fields.length });
        activityMetrics().cacheHit();
        return { batchId: input.batchId, fields: resolveAnswers(fields, parsed.answers, passages, 'cache'), cached: true };
      }
    }

    const answer = await meter.call({
      estimatedTokens,
      fields: fields.length,
      ...(input.reopenQuota ? { reopenQuota: true } : {}),
      send: (signal) =>
        meter.gemini.generateJson({
          systemInstruction: prompt.systemInstruction,
          userText: prompt.userText,
          responseJsonSchema: schema,
          maxOutputTokens: input.maxOutputTokens,
          signal,
        }),
      tokensOf: (a) => a.usage,
    });
    const result = readAnswer(input, fields, passages, answer);
    // Only a whole answer is cached: a declined or cut one would answer the next identical request short.
    if (answer.finish !== 'blocked' && answer.finish !== 'truncated') {
      await store.cachePut(cacheKey, {
        text: answer.text ?? '',
        promptTokens: answer.usage.promptTokens,
        outputTokens: answer.usage.outputTokens,
        finishReason: answer.reason ?? 'STOP',
      });
    }
    return result;
  };
}

/**
 * The batch's results from Gemini's answer. A declined answer leaves every field not found; a cut one keeps
 * the fields whose entries closed before the cut and names the rest. @throws SplitBatch (via toFailure) for
 * an answer that is cut before any field closed, or not the JSON object asked for
 */
function readAnswer(input: ExtractBatchInput, fields: FieldSpec[], passages: GroundingPassage[], answer: GenerateJsonResult): ExtractBatchResult {
  const base = { batchId: input.batchId, cached: false };
  if (answer.finish === 'blocked') {
    const reason = `Gemini declined to answer (${answer.reason ?? 'blocked'})`;
    return { ...base, fields: fields.map((f) => ({ key: f.key, value: null, status: 'not_found', method: 'gemini', sources: [], reason })) };
  }
  if (answer.finish === 'truncated') {
    const salvaged = salvageTruncatedObject(answer.text ?? '');
    const partial = salvaged === undefined ? undefined : parseAnswer(salvaged, input.fieldKeys);
    if (partial?.ok && partial.answers.size > 0 && partial.answers.size < fields.length) {
      const done = fields.filter((f) => partial.answers.has(f.key));
      return {
        ...base,
        fields: resolveAnswers(done, partial.answers, passages, 'gemini'),
        missingKeys: fields.filter((f) => !partial.answers.has(f.key)).map((f) => f.key),
      };
    }
    throw toFailure({ kind: 'truncated', fields: fields.length });
  }
  const parsed = parseAnswer(answer.text, input.fieldKeys);
  if (!parsed.ok) throw toFailure({ kind: 'unparseable', reason: parsed.reason });
  return { ...base, fields: resolveAnswers(fields, parsed.answers, passages, 'gemini') };
}
