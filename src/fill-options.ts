/** @module The per-fill options an edge (CLI, HTTP API) sends with a fill: defaults from the configuration,
 * the caller's overrides on top, and the tenant's fairness key computed here, at the edge, from the key's
 * short hash, so the workflow never sees the key. */
import type { FillflowConfig } from './config.js';
import type { FillOptions } from './core/fill-records.js';
import { apiKeyIdentity } from './gemini/key-identity.js';

/**
 * @example
 * const options = fillOptionsFrom(config, { priority: 'bulk', maxBatchSize: 20 });
 * await client.startFill({ templateId, documentIds, options });
 */
export function fillOptionsFrom(config: Readonly<FillflowConfig>, overrides: Partial<FillOptions> = {}): FillOptions {
  return {
    maxBatchSize: config.limits.maxBatchSize,
    maxInputTokens: config.limits.maxInputTokens,
    maxOutputTokens: config.limits.maxOutputTokens,
    ...(config.fill.priority ? { priority: config.fill.priority } : {}),
    ...(config.fill.onQuotaExhausted ? { onQuotaExhausted: config.fill.onQuotaExhausted } : {}),
    ...(config.fill.maxConcurrentBatches ? { maxConcurrentBatches: config.fill.maxConcurrentBatches } : {}),
    ...(config.gemini.apiKey ? { fairnessKey: apiKeyIdentity(config.gemini.apiKey) } : {}),
    ...overrides,
  };
}
