/** @module Turns a classified Gemini error into the Temporal failure that makes the right thing happen. */
import { ApplicationFailure } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import type { GeminiErrorClass } from '../core/classify-gemini-error.js';
import { FailureType } from '../core/failure-types.js';

/**
 * Jitter spreads workers that were told the same delay; it is added, never subtracted, so the server's
 * hint is always honoured in full.
 */
export function jitterMs(delayMs: number, random: () => number = Math.random): number {
  return Math.round(random() * Math.min(1_000, Math.max(100, delayMs * 0.1)));
}

export function toFailure(cls: GeminiErrorClass, random: () => number = Math.random): ApplicationFailure {
  switch (cls.kind) {
    case 'rate-limited':
      return ApplicationFailure.create({
        type: FailureType.RateLimited,
        // Expected under load: logged at debug level, no failure metrics.
        category: ApplicationFailureCategory.BENIGN,
        message: `rate limited by Gemini (${cls.quota}${cls.quotaId ? `, ${cls.quotaId}` : ''})`,
        details: [{ quota: cls.quota, delayMs: cls.delayMs ?? null }],
        // Without a hint the retry policy's exponential backoff applies.
        ...(cls.delayMs !== undefined ? { nextRetryDelay: cls.delayMs + jitterMs(cls.delayMs, random) } : {}),
      });
    case 'daily-quota':
      return ApplicationFailure.create({
        type: FailureType.QuotaExhausted,
        nonRetryable: true,
        category: ApplicationFailureCategory.BENIGN,
        message: `Gemini daily quota exhausted (${cls.quotaId}${cls.limit !== undefined ? `, limit ${cls.limit}` : ''})`,
        details: [{ quotaId: cls.quotaId, limit: cls.limit ?? null }],
      });
    case 'config':
      return ApplicationFailure.create({ type: FailureType.Config, nonRetryable: true, message: cls.message });
    case 'bad-request':
      return ApplicationFailure.create({ type: FailureType.BadRequest, nonRetryable: true, message: cls.message });
    case 'too-large':
      return ApplicationFailure.create({
        type: FailureType.SplitBatch,
        nonRetryable: true,
        category: ApplicationFailureCategory.BENIGN,
        message: `request too large: ${cls.message}`,
      });
    case 'transient':
      return ApplicationFailure.create({
        type: FailureType.Transient,
        message: cls.message,
        ...(cls.delayMs !== undefined ? { nextRetryDelay: cls.delayMs + jitterMs(cls.delayMs, random) } : {}),
      });
  }
}
