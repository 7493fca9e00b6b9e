/** @module A bulk's forecast, before anything starts: each distinct row planned exactly as its fill would plan
 * it (the fill's own dry run, planFillInProcess: prepareFill's sizing, gatherContext's retrieval and the
 * workflow's planner, run in process, with no Gemini call), summed into calls and tokens, priced per route, and timed at the quota in force. Rows equal to
 * an earlier one (same template and documents) cost nothing: the answer cache serves them. */
import { planFillInProcess } from '../activities/dry-run-fill.js';
import type { FillflowConfig } from '../config.js';
import type { FillOptions } from '../core/fill-records.js';
import type { NewBulkRow } from '../store/bulk-store.js';
import type { Store } from '../store/store.js';
import { costOf, priceTable, type PriceTable } from './price-table.js';
import { defaultWindow } from './window-size.js';

/** Distinct rows planned one by one; beyond this many, an even sample of them stands for the rest. */
export const PLANNED_ROWS = 200;
/** Texts per embedding request (as embedContext sends them). */
const TEXTS_PER_EMBED_REQUEST = 100;

export interface BulkForecast {
  rows: number;
  /** Rows whose template and documents no earlier row has: only these call Gemini. */
  distinctRows: number;
  /** Distinct rows planned one by one (all of them, or a sample when there are more than {@link PLANNED_ROWS}). */
  plannedRows: number;
  model: string;
  /** Generation requests (planned batches), embedding requests included in `calls` too. */
  calls: number;
  embeddingCalls: number;
  promptTokens: number;
  /** The planner's expected answers: generous (a short value with its quote is costed at 95 tokens). */
  outputTokens: number;
  /** What one distinct row sends, on average. */
  perRow: { calls: number; promptTokens: number; outputTokens: number };
  /** USD by route at the table's prices; absent when the table has no price for the model. */
  cost?: { standard: number; flex: number; batch: number };
  pricesAsOf: string;
  /** The least time the quota in force allows for these calls (standard and flex routes). */
  quota: { requestsPerMinute: number; tokensPerMinute: number; requestsPerDay: number; seconds: number };
  /** Rows in flight by default: one minute of the quota's worth. */
  window: number;
}

/**
 * Plans the rows without calling Gemini.
 * @param options the rows' fill options, resolved as their fills will be
 */
export async function forecastBulk(
  deps: { store: Store; config: Readonly<FillflowConfig> },
  rows: readonly NewBulkRow[],
  options: FillOptions,
  prices: PriceTable = priceTable(),
): Promise<BulkForecast> {
  const distinct = [...new Map(rows.map((r) => [sameRowKey(r), r])).values()];
  const step = Math.max(1, distinct.length / PLANNED_ROWS);
  const sample = Array.from({ length: Math.min(distinct.length, PLANNED_ROWS) }, (_, k) => distinct[Math.floor(k * step)]!);
  let calls = 0;
  let promptTokens = 0;
  let outputTokens = 0;
  const embeddedDocuments = new Set<string>();
  const embeddedTemplates = new Set<string>();
  let embeddingCalls = 0;
  let embeddingTokens = 0;
  for (const row of sample) {
    // The fill's own dry run (src/activities/dry-run-fill.ts): its plan, computed as the workflow computes it.
    const { prep, planned, toEmbed } = await planFillInProcess(deps, { templateId: row.templateId, documentIds: row.documentIds, options });
    const { plan } = planned;
    calls += plan.batches.length;
    for (const b of plan.batches) {
      promptTokens += b.inputTokens;
      outputTokens += b.outputTokens;
    }
    if (toEmbed) {
      // Vectors are stored per chunk and per field query: documents and templates shared by rows are embedded once.
      const chunks = await deps.store.listChunks(row.documentIds.filter((d) => !embeddedDocuments.has(d)));
      for (const d of row.documentIds) embeddedDocuments.add(d);
      embeddingCalls += Math.ceil(chunks.length / TEXTS_PER_EMBED_REQUEST);
      embeddingTokens += chunks.reduce((s, c) => s + c.tokens, 0);
      if (!embeddedTemplates.has(row.templateId)) {
        embeddedTemplates.add(row.templateId);
        embeddingCalls += Math.ceil(prep.fieldKeys.length / TEXTS_PER_EMBED_REQUEST);
      }
    }
  }
  // A sample stands for the distinct rows it was drawn from.
  const scale = sample.length > 0 ? distinct.length / sample.length : 0;
  const total = {
    calls: Math.round((calls + embeddingCalls) * scale),
    embeddingCalls: Math.round(embeddingCalls * scale),
    promptTokens: Math.round(promptTokens * scale),
    outputTokens: Math.round(outputTokens * scale),
  };
  const perRow = {
    calls: sample.length > 0 ? (calls + embeddingCalls) / sample.length : 0,
    promptTokens: sample.length > 0 ? Math.round(promptTokens / sample.length) : 0,
    outputTokens: sample.length > 0 ? Math.round(outputTokens / sample.length) : 0,
  };
  const model = deps.config.gemini.model;
  const generation = { promptTokens: Math.round(promptTokens * scale), outputTokens: total.outputTokens };
  const embedding = { promptTokens: Math.round(embeddingTokens * scale), outputTokens: 0 };
  const price = (route: 'standard' | 'flex' | 'batch') => {
    const g = costOf(prices, model, route, generation);
    if (g === undefined) return undefined;
    return round6(g + (costOf(prices, 'gemini-embedding-001', route, embedding) ?? 0));
  };
  const [standard, flex, batch] = [price('standard'), price('flex'), price('batch')];
  const { limits } = deps.config;
  return {
    rows: rows.length,
    distinctRows: distinct.length,
    plannedRows: sample.length,
    model,
    ...total,
    perRow,
    ...(standard !== undefined && flex !== undefined && batch !== undefined ? { cost: { standard, flex, batch } } : {}),
    pricesAsOf: prices.asOf,
    quota: {
      requestsPerMinute: limits.requestsPerMinute,
      tokensPerMinute: limits.tokensPerMinute,
      requestsPerDay: limits.requestsPerDay,
      seconds: quotaSeconds(limits, total.calls, total.promptTokens),
    },
    window: defaultWindow(limits, perRow),
  };
}

/** Rows with the same template and documents (in any order) send the same requests. */
export function sameRowKey(row: Pick<NewBulkRow, 'templateId' | 'documentIds'>): string {
  return JSON.stringify([row.templateId, [...new Set(row.documentIds)].sort()]);
}

/**
 * The least time these calls take under the limits: the busier of the request and token minutes, and whole days
 * beyond the daily request limit (each further day starts at the Pacific midnight).
 */
export function quotaSeconds(limits: { requestsPerMinute: number; tokensPerMinute: number; requestsPerDay: number }, calls: number, promptTokens: number): number {
  if (calls === 0) return 0;
  const days = Math.ceil(calls / limits.requestsPerDay) - 1;
  const lastDay = calls - days * limits.requestsPerDay;
  const tokensLastDay = promptTokens * (lastDay / calls);
  // A window's burst goes at once: N calls at R per minute need ⌈N/R⌉ − 1 full minutes.
  const minutes = Math.max(Math.ceil(lastDay / limits.requestsPerMinute) - 1, Math.ceil(tokensLastDay / limits.tokensPerMinute) - 1, 0);
  return days * 86_400 + minutes * 60;
}

function round6(n: number): number {
  return Math.round(n * 1_000_000) / 1_000_000;
}

/** The forecast as lines for a terminal. */
export function formatForecast(f: BulkForecast): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  const usd = (x: number) => `$${x < 1 ? x.toFixed(4) : x.toFixed(2)}`;
  return [
    `forecast: ${n(f.rows)} rows (${n(f.distinctRows)} distinct${f.plannedRows < f.distinctRows ? `, ${n(f.plannedRows)} planned as a sample` : ''}); ` +
      `${n(f.calls)} Gemini calls (${f.perRow.calls.toFixed(1)} per row${f.embeddingCalls > 0 ? `, ${n(f.embeddingCalls)} of them embeddings` : ''}), ` +
      `${n(f.promptTokens)} prompt tokens, ${n(f.outputTokens)} output tokens at most`,
    f.cost
      ? `cost at most (${f.model}, prices of ${f.pricesAsOf}): standard ${usd(f.cost.standard)}, flex ${usd(f.cost.flex)}, batch ${usd(f.cost.batch)}`
      : `cost: no price for ${f.model} in the price table (prices of ${f.pricesAsOf}); add it under "bulk": { "prices": { "models": { … } } } in fillflow.config.json`,
    `time at the quota (${n(f.quota.requestsPerMinute)} requests/min, ${n(f.quota.tokensPerMinute)} tokens/min, ${n(f.quota.requestsPerDay)} requests/day): ` +
      `${f.quota.seconds === 0 ? 'within the first minute' : `at least ${formatDuration(f.quota.seconds)}`} on the standard and flex routes; batch: up to 24 h`,
    `window: ${f.window} rows in flight`,
  ];
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const m = Math.round(seconds / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
