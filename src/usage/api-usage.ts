/** @module The Gemini usage report: what `fillflow stats --json` prints and GET /api/templates/stats/api-usage
 * serves. The old system's `gemini_api_stats` and `optimization_info` keep their names; ours follow. No secret
 * ever appears: buckets are named by the key's short hash. */
import type { FillflowConfig } from '../config.js';
import { quotaLimitsOf } from '../core/quota-limits.js';
import { geminiQueueRate } from '../core/task-queue-rate.js';
import { apiKeyIdentity } from '../gemini/key-identity.js';
import type { QuotaSnapshot } from '../store/quota-ledger-store.js';
import type { EndpointUsage, Store } from '../store/store.js';

export interface ApiUsageReport {
  /** The old system's block, same names. */
  gemini_api_stats: { total_api_calls: number; cache_size: number; service_available: boolean };
  /** The old system's block, same names. */
  optimization_info: { parallel_processing_enabled: boolean; max_concurrent_batches: number; fields_per_api_call_efficiency: number };
  /** Counted where it happened; over every fill, or one fill's when asked for one. */
  usage: {
    fillId?: string;
    apiCalls: number;
    rateLimited: number;
    /** 429s by quota: per-minute kinds (requests-per-minute, tokens-per-minute, unspecified) and per-day. */
    rateLimitedByKind: Record<string, number>;
    retries: number;
    errors: number;
    promptTokens: number;
    outputTokens: number;
    cacheHits: number;
    fieldsPerCall: number;
    /** Time calls waited for the quota ledger instead of meeting a 429 (ms). */
    quotaWaitMs: number;
    /** Time fills spent parked on an exhausted daily quota (ms). */
    parkedMs: number;
    /** Filled values no passage proves (grounding "none"), over the fills reported: review them before trusting them. */
    unproven: number;
  };
  /**
   * The same requests, cache hits and tokens per endpoint (`gemini`, or the base URL of an emulator or proxy)
   * and model, busiest first; over every fill, or the one fill's. Events from before endpoints were recorded
   * count under `unknown`.
   */
  byEndpoint: EndpointUsage[];
  /** The limits in force on this configuration. */
  limits: {
    profile: string;
    model: string;
    queueRate: FillflowConfig['queueRate'];
    /** The `fillflow-gemini` task queue's server-side limit every worker sends (per second). */
    taskQueueActivitiesPerSecond: number;
    concurrency: number;
    requestsPerMinute: number;
    tokensPerMinute: number;
    requestsPerDay: number;
    minIntervalMs: number;
    maxBatchSize: number;
    maxInputTokens: number;
  };
  /** The ledger's view, per (key identity, model): today's count, what is left, the rate after 429s. */
  quota: Array<QuotaSnapshot & { dailyQuotaLeft: number }>;
}

/**
 * @param opts.fillId one fill's usage instead of the totals
 * @example
 * app.get('/api/templates/stats/api-usage', async () => apiUsage(store, config));
 */
export async function apiUsage(store: Store, config: Readonly<FillflowConfig>, opts: { fillId?: string; now?: number } = {}): Promise<ApiUsageReport> {
  const totals = await store.usageTotals(opts.fillId);
  const answered = totals.apiCalls - totals.rateLimited - totals.errors;
  const fieldsPerCall = answered > 0 ? Math.round((totals.fieldsAsked / answered) * 100) / 100 : 0;
  const limits = quotaLimitsOf(config.limits);
  const mine = config.gemini.apiKey ? { keyId: apiKeyIdentity(config.gemini.apiKey), model: config.gemini.model } : undefined;
  const snapshots = await store.quotaSnapshots(mine, opts.now);
  return {
    gemini_api_stats: {
      total_api_calls: totals.apiCalls,
      cache_size: await store.cacheSize(),
      service_available: config.gemini.apiKey !== undefined,
    },
    optimization_info: {
      parallel_processing_enabled: config.limits.concurrency > 1,
      max_concurrent_batches: config.limits.concurrency,
      fields_per_api_call_efficiency: fieldsPerCall,
    },
    usage: {
      ...(opts.fillId !== undefined ? { fillId: opts.fillId } : {}),
      apiCalls: totals.apiCalls,
      rateLimited: totals.rateLimited,
      rateLimitedByKind: totals.rateLimitedByKind,
      retries: totals.retries,
      errors: totals.errors,
      promptTokens: totals.promptTokens,
      outputTokens: totals.outputTokens,
      cacheHits: totals.cacheHits,
      fieldsPerCall,
      quotaWaitMs: totals.quotaWaitMs,
      parkedMs: totals.parkedMs,
      unproven: totals.unproven,
    },
    byEndpoint: await store.usageByEndpoint(opts.fillId),
    limits: {
      profile: config.profile,
      model: config.gemini.model,
      queueRate: config.queueRate,
      taskQueueActivitiesPerSecond: Math.round(geminiQueueRate(config.queueRate, config.limits.requestsPerMinute) * 1000) / 1000,
      concurrency: config.limits.concurrency,
      ...limits,
      maxBatchSize: config.limits.maxBatchSize,
      maxInputTokens: config.limits.maxInputTokens,
    },
    quota: snapshots.map((s) => ({ ...s, dailyQuotaLeft: Math.max(0, limits.requestsPerDay - s.requestsToday) })),
  };
}
