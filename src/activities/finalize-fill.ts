/** @module finalizeFill: totals the fill's usage from the events recorded where they happened, names the endpoint
 * and model that answered, stores the result once, and teaches field memory what the fill proved. */
import { OFFLINE_ANSWERED_BY } from '../core/endpoint.js';
import type { FinalizeFillInput, FinalizeFillResult } from '../core/fill-records.js';
import { countUnproven } from '../core/proof-policy.js';
import { provenQuotes } from '../core/proven-quotes.js';
import type { FillResult, Usage } from '../core/types.js';
import type { UsageTotals } from '../store/store.js';
import type { FillActivityDeps } from './deps.js';

export function makeFinalizeFill({ store, config }: FillActivityDeps) {
  return async function finalizeFill(input: FinalizeFillInput): Promise<FinalizeFillResult> {
    // Parked time is counted here, once per fill, so totals over all fills include it.
    if (input.pausedMs && (await store.usageTotals(input.fillId)).parkedMs === 0) {
      await store.recordUsage({ fillId: input.fillId, batchId: '-', kind: 'parked', detail: String(input.pausedMs) });
    }
    // Unproven values are counted once per fill too, so the stats over all fills can say how many there were.
    const unproven = countUnproven(input.fields);
    if (unproven > 0 && (await store.usageTotals(input.fillId)).unproven === 0) {
      await store.recordUsage({ fillId: input.fillId, batchId: '-', kind: 'unproven', fields: unproven });
    }
    // The endpoint and model that answered most fields, from the usage events every Gemini request recorded.
    const answeredBy = (await store.usageAnsweredBy(input.fillId)) ?? OFFLINE_ANSWERED_BY;
    const result: FillResult = {
      fillId: input.fillId,
      templateId: input.templateId,
      status: 'completed',
      fields: input.fields,
      answeredBy,
      usage: fillUsage(input, await store.usageTotals(input.fillId)),
      ...(input.notices.length > 0 ? { notices: input.notices } : {}),
    };
    // Write-once: a retried finalizeFill returns what the first attempt stored.
    const stored = await store.putFillResult(input.fillId, result);
    // Memory is scoped to the endpoint that proved the quotes: an emulator's answers never steer Google's.
    if (config.fieldMemory > 0 && answeredBy.endpoint !== OFFLINE_ANSWERED_BY.endpoint) {
      await store.rememberQuotes({ templateId: input.templateId, endpoint: answeredBy.endpoint }, provenQuotes(input.fields));
    }
    return stored;
  };
}

function fillUsage(input: FinalizeFillInput, totals: UsageTotals): Usage {
  // Requests that got an answer: 429s and errors were sent but asked nothing of the model.
  const answered = totals.apiCalls - totals.rateLimited - totals.errors;
  return {
    apiCalls: totals.apiCalls,
    cacheHits: totals.cacheHits,
    promptTokens: totals.promptTokens,
    outputTokens: totals.outputTokens,
    rateLimited: totals.rateLimited,
    retries: totals.retries,
    unproven: totals.unproven,
    fieldsPerCall: answered > 0 ? round2(totals.fieldsAsked / answered) : 0,
    batches: input.batches,
    durationMs: input.durationMs,
    ...(input.pausedMs ? { pausedMs: input.pausedMs } : {}),
    ...(totals.quotaWaitMs > 0 ? { quotaWaitMs: totals.quotaWaitMs } : {}),
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
