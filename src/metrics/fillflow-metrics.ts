/** @module Fillflow's own Prometheus metrics, in one table: each name, its tags, what it counts. `fillflowMetrics(meter)`
 * records them on a Temporal MetricMeter, so they leave the process through the same exporter as the SDK's own (see
 * src/runtime/runtime.ts): in an activity the context's meter (which adds namespace, taskQueue and activityType), in
 * workflow code the workflow's meter (which records nothing while replaying), in the API the process's meter. Type
 * imports only, so the workflow bundle may import it. Where each is counted: docs/metrics.md. */
import type { MetricMeter } from '@temporalio/common';

/** The prefix of the Temporal SDK's own metrics on the same exporter (the SDK's default, named because the dashboard relies on it). */
export const SDK_METRIC_PREFIX = 'temporal_';

interface MetricDefinition {
  readonly name: string;
  readonly type: 'counter' | 'histogram';
  /** The tags Fillflow sets; the meter may add its own (namespace, taskQueue, activityType, workflowType). */
  readonly tags: readonly string[];
  readonly help: string;
  /** Histogram bucket bounds, in the metric's unit (the exporter's defaults are for milliseconds). */
  readonly buckets?: readonly number[];
}

export const FILLFLOW_METRICS = {
  geminiCalls: {
    name: 'fillflow_gemini_calls_total',
    type: 'counter',
    tags: ['route', 'request', 'outcome'],
    help: 'Gemini requests sent (each one usage counts as an API call), by route, request kind and outcome',
  },
  gemini429s: {
    name: 'fillflow_gemini_429_total',
    type: 'counter',
    tags: ['kind'],
    help: "Gemini's 429 answers, by the quota they name",
  },
  promptTokens: {
    name: 'fillflow_gemini_prompt_tokens_total',
    type: 'counter',
    tags: ['route', 'request'],
    help: "Input tokens of answered requests, as usage records them (Gemini's count, or the estimate when the answer has none)",
  },
  outputTokens: {
    name: 'fillflow_gemini_output_tokens_total',
    type: 'counter',
    tags: ['route', 'request'],
    help: 'Output tokens of answered requests, as usage records them',
  },
  cacheHits: {
    name: 'fillflow_cache_hits_total',
    type: 'counter',
    tags: [],
    help: 'Batches answered from the answer cache, with no Gemini request',
  },
  ledgerWait: {
    name: 'fillflow_ledger_wait_seconds',
    type: 'histogram',
    tags: ['result'],
    help: 'Time a Gemini request waited for the quota ledger to grant it, by result',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  },
  fills: {
    name: 'fillflow_fills_total',
    type: 'counter',
    tags: ['status'],
    help: 'Fills that ended, by status',
  },
  fillParks: {
    name: 'fillflow_fills_parked_total',
    type: 'counter',
    tags: [],
    help: "Times a fill parked on an exhausted daily quota (until the Pacific midnight or a resume)",
  },
  bulkRows: {
    name: 'fillflow_bulk_rows_total',
    type: 'counter',
    tags: ['outcome'],
    help: "Bulk rows whose outcome was recorded, by outcome",
  },
  httpRequests: {
    name: 'fillflow_http_requests_total',
    type: 'counter',
    tags: ['method', 'route', 'status'],
    help: 'HTTP API requests answered, by method, route pattern and status code',
  },
  httpDuration: {
    name: 'fillflow_http_request_duration_seconds',
    type: 'histogram',
    tags: ['method', 'route'],
    help: 'Time the HTTP API took to answer, by method and route pattern',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  },
} as const satisfies Record<string, MetricDefinition>;

/** How a request reached Gemini: a fill's own call, a bulk row's flex call, or an item of a Batch Mode job. */
export type GeminiRoute = 'standard' | 'flex' | 'batch';
/** What the request asked for: an answer (generateContent) or vectors (batchEmbedContents). */
export type GeminiRequestKind = 'generate' | 'embed';
/**
 * `ok` for an answer (even one cut short or declined: Gemini answered), `rate_limited` for any 429 read as a quota
 * (its kind in fillflow_gemini_429_total), else the failure's class (src/core/classify-gemini-error.ts); `error` for
 * a Batch Mode item that failed, which comes with no class.
 */
export type GeminiOutcome = 'ok' | 'rate_limited' | 'transient' | 'too_large' | 'bad_request' | 'config' | 'malformed' | 'error';
/** The quota a 429 named: per minute (requests or tokens), per day, or none that could be read. */
export type Gemini429Kind = 'requests_per_minute' | 'tokens_per_minute' | 'per_day' | 'unknown';
export type FillEndStatus = 'completed' | 'failed' | 'cancelled';
export type BulkRowOutcome = 'completed' | 'failed' | 'cancelled';
/** `granted`, or `day_closed` when the wait ended on a closed daily quota. */
export type LedgerWaitResult = 'granted' | 'day_closed';

export interface GeminiCallTags {
  route: GeminiRoute;
  request: GeminiRequestKind;
}

/** Fillflow's metrics on `meter`. Instruments are made when first used: a meter outside a worker is a no-op one. */
export function fillflowMetrics(meter: MetricMeter) {
  const counter = (d: MetricDefinition) => meter.createCounter(d.name, undefined, d.help);
  const histogram = (d: MetricDefinition) => meter.createHistogram(d.name, 'float', undefined, d.help);
  const m = FILLFLOW_METRICS;
  return {
    /** One request sent; its tokens when usage records some. */
    geminiCall(call: GeminiCallTags, outcome: GeminiOutcome, tokens?: { promptTokens: number; outputTokens: number }): void {
      counter(m.geminiCalls).add(1, { route: call.route, request: call.request, outcome });
      if (tokens === undefined) return;
      const tags = { route: call.route, request: call.request };
      if (tokens.promptTokens > 0) counter(m.promptTokens).add(tokens.promptTokens, tags);
      if (tokens.outputTokens > 0) counter(m.outputTokens).add(tokens.outputTokens, tags);
    },
    gemini429(kind: Gemini429Kind): void {
      counter(m.gemini429s).add(1, { kind });
    },
    cacheHit(): void {
      counter(m.cacheHits).add(1);
    },
    ledgerWait(waitedMs: number, result: LedgerWaitResult): void {
      histogram(m.ledgerWait).record(Math.max(0, waitedMs) / 1000, { result });
    },
    fillEnded(status: FillEndStatus): void {
      counter(m.fills).add(1, { status });
    },
    fillParked(): void {
      counter(m.fillParks).add(1);
    },
    bulkRows(outcome: BulkRowOutcome, rows: number): void {
      if (rows > 0) counter(m.bulkRows).add(rows, { outcome });
    },
    httpRequest(req: { method: string; route: string; status: number }, seconds: number): void {
      counter(m.httpRequests).add(1, { method: req.method, route: req.route, status: String(req.status) });
      histogram(m.httpDuration).record(Math.max(0, seconds), { method: req.method, route: req.route });
    },
  };
}

export type FillflowMetrics = ReturnType<typeof fillflowMetrics>;

/** Bucket bounds by metric name, for the exporter (its defaults suit milliseconds, not seconds). */
export function histogramBuckets(): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const d of Object.values(FILLFLOW_METRICS) as MetricDefinition[]) if (d.buckets) out[d.name] = [...d.buckets];
  return out;
}
