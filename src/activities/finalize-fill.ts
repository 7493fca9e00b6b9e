/** @module finalizeFill: totals the fill's usage from the events recorded where they happened, stores the result. */
import type { FinalizeFillInput, FinalizeFillResult } from '../core/fill-records.js';
import type { FieldResult, FillResult, Usage } from '../core/types.js';
import type { RememberedQuote } from '../store/field-memory-store.js';
import type { FillActivityDeps } from './deps.js';

/** Longest quote field memory keeps: a clause, not a page. */
const MAX_REMEMBERED_QUOTE = 1_000;

/**
 * The quotes of a fill worth searching with in later fills of its template: Gemini's (or the cache's) values
 * whose quote was found in the document as written or up to case and spacing. Fuzzy and ungrounded quotes,
 * offline guesses and fallbacks teach nothing trustworthy.
 */
export function provenQuotes(fields: readonly FieldResult[]): RememberedQuote[] {
  return fields.flatMap((f) =>
    f.status === 'filled' && f.method !== 'offline' && (f.grounding === 'exact' || f.grounding === 'normalized')
      ? f.sources
          .filter((s) => s.quote.trim().length > 1 && s.quote.length <= MAX_REMEMBERED_QUOTE)
          .map((s) => ({ fieldKey: f.key, documentId: s.documentId, quote: s.quote }))
      : [],
  );
}

export function makeFinalizeFill({ store, config }: FillActivityDeps) {
  return async function finalizeFill(input: FinalizeFillInput): Promise<FinalizeFillResult> {
    // Parked time is counted here, once per fill, so totals over all fills include it.
    if (input.pausedMs && (await store.usageTotals(input.fillId)).parkedMs === 0) {
      await store.recordUsage({ fillId: input.fillId, batchId: '-', kind: 'parked', detail: String(input.pausedMs) });
    }
    const totals = await store.usageTotals(input.fillId);
    // Requests that got an answer: 429s and errors were sent but asked nothing of the model.
    const answered = totals.apiCalls - totals.rateLimited - totals.errors;
    const usage: Usage = {
      apiCalls: totals.apiCalls,
      cacheHits: totals.cacheHits,
      promptTokens: totals.promptTokens,
      outputTokens: totals.outputTokens,
      rateLimited: totals.rateLimited,
      retries: totals.retries,
      fieldsPerCall: answered > 0 ? round2(totals.fieldsAsked / answered) : 0,
      batches: input.batches,
      durationMs: input.durationMs,
      ...(input.pausedMs ? { pausedMs: input.pausedMs } : {}),
      ...(totals.quotaWaitMs > 0 ? { quotaWaitMs: totals.quotaWaitMs } : {}),
    };
    const result: FillResult = {
      fillId: input.fillId,
      templateId: input.templateId,
      status: 'completed',
      fields: input.fields,
      usage,
      ...(input.notices.length > 0 ? { notices: input.notices } : {}),
    };
    await store.updateFill(input.fillId, { status: 'completed', result });
    if (config.fieldMemory > 0) await store.rememberQuotes(input.templateId, provenQuotes(input.fields));
    return result;
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
