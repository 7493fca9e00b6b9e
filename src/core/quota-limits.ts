/** @module The part of the configured limits the quota ledger enforces. */
import type { QuotaLimits } from './quota-decision.js';

export function quotaLimitsOf(limits: QuotaLimits): QuotaLimits {
  return {
    requestsPerMinute: limits.requestsPerMinute,
    tokensPerMinute: limits.tokensPerMinute,
    requestsPerDay: limits.requestsPerDay,
    minIntervalMs: limits.minIntervalMs,
  };
}
