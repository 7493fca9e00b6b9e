/** @module extractBatch: one metered Gemini call for a batch of fields (or none, from the cache), validated and grounded. */
import { createHash } from 'node:crypto';
import { buildPrompt } from '../core/build-prompt.js';
import { buildResponseSchema } from '../core/build-response-schema.js';
import type { ExtractBatchInput, ExtractBatchResult } from '../core/fill-records.js';
import { applyProofPolicy, unprovenPolicy } from '../core/proof-policy.js';
import type { GroundingPassage } from '../core/ground-quote.js';
import { mergePassages, type SourceSpan } from '../core/merge-passages.js';
import { parseAnswer, resolveAnswers } from '../core/resolve-answer.js';
import { salvageTruncatedObject } from '../core/salvage-answer.js';
import { toPassage } from '../core/to-passage.js';
import { estimateTokens } from '../core/tokens.js';
import type { FieldSpec } from '../core/types.js';
import type { GenerateJsonResult } from '../gemini/gemini-client.js';
import type { Chunk, Store } from '../store/store.js';
import type { GeminiActivityDeps } from './deps.js';
import { loadFields, loadTemplate } from './load-fields.js';
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
    const fields = await loadFields(store, input.templateId, input.fieldKeys);
    const chunks = await store.getChunks(input.chunkIds);
    // Touching chunks go as one passage: a clause cut by a chunk boundary reads, and grounds, as one quote.
    const passages = (await mergeTouching(store, chunks)).map(toPassage);
    const prompt = buildPrompt(fields, await promptPassages(store, passages), input.corrections);
    const schema = buildResponseSchema(fields);
    const cacheKey = answerCacheKey(meter.endpoint, meter.model, prompt.systemInstruction, prompt.userText, schema);

    const cached = await store.cacheGet(cacheKey);
    if (cached) {
      const parsed = parseAnswer(cached.text, input.fieldKeys);
      if (parsed.ok) {
        await meter.record({ kind: 'cache_hit', fields: fields.length });
        return { batchId: input.batchId, fields: resolveAnswers(fields, parsed.answers, passages, 'cache'), cached: true };
      }
    }

    const answer = await meter.call({
      estimatedTokens: estimateTokens(prompt.systemInstruction) + estimateTokens(prompt.userText) + estimateTokens(JSON.stringify(schema)),
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

/**
 * The cache key is the request itself, and who it went to: the same endpoint, model, prompt and schema get the
 * same answer. An emulator's answer never serves a request to Google's API, or the reverse.
 */
export function answerCacheKey(endpoint: string, model: string, system: string, user: string, schema: unknown): string {
  return createHash('sha256').update(JSON.stringify([endpoint, model, system, user, schema])).digest('hex');
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
