/** @module The rows the usage part of every store sums events into, and how they become the store's records:
 * one mapping for SQLite and Postgres, whose queries name their columns alike. */
import type { EndpointUsage, UsageTotals } from './store.js';

/**
 * What usageByEndpoint names the endpoint (and the model) of events recorded without one: those from before
 * endpoints were recorded. Grouped rather than skipped, so the rows still add up to the totals.
 */
export const UNKNOWN_ENDPOINT = 'unknown';

/** One fill's (or every fill's) events summed, as the totals query returns them. */
export interface TotalsRow {
  api_calls: number;
  cache_hits: number;
  prompt_tokens: number;
  output_tokens: number;
  rate_limited: number;
  retries: number;
  errors: number;
  fields_asked: number;
  quota_wait_ms: number;
  parked_ms: number;
  unproven: number;
}

/** One endpoint and model's requests and tokens, as the by-endpoint query returns them. */
export interface EndpointRow {
  endpoint: string;
  model: string;
  api_calls: number;
  cache_hits: number;
  prompt_tokens: number;
  output_tokens: number;
}

/** The totals of a query row (absent: no events), with the 429s by kind counted apart. */
export function toTotals(row: TotalsRow | undefined, rateLimitedByKind: Record<string, number>): UsageTotals {
  return {
    apiCalls: row?.api_calls ?? 0,
    cacheHits: row?.cache_hits ?? 0,
    promptTokens: row?.prompt_tokens ?? 0,
    outputTokens: row?.output_tokens ?? 0,
    rateLimited: row?.rate_limited ?? 0,
    rateLimitedByKind,
    retries: row?.retries ?? 0,
    errors: row?.errors ?? 0,
    fieldsAsked: row?.fields_asked ?? 0,
    quotaWaitMs: row?.quota_wait_ms ?? 0,
    parkedMs: row?.parked_ms ?? 0,
    unproven: row?.unproven ?? 0,
  };
}

export function toEndpointUsage(r: EndpointRow): EndpointUsage {
  return { endpoint: r.endpoint, model: r.model, apiCalls: r.api_calls, cacheHits: r.cache_hits, promptTokens: r.prompt_tokens, outputTokens: r.output_tokens };
}
