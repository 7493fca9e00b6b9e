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

/** Server errors back off exponentially from this base ... */
export const BACKOFF_BASE_MS = 2_000;
/** ... up to this cap ... */
export const BACKOFF_CAP_MS = 120_000;
/** ... and never retry sooner than this. */
const BACKOFF_FLOOR_MS = 250;

/**
 * Exponential backoff with full jitter (uniform over [0, base·2^(attempt−1)], capped): workers that failed
 * together on an overloaded model do not come back together. Temporal's own backoff has no jitter.
 */
export function fullJitterDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.max(BACKOFF_FLOOR_MS, Math.round(random() * ceiling));
}

/**
 * @param attempt the activity's attempt number (1 for the first): sets the backoff of a 5xx without a hint
 */
export function toFailure(cls: GeminiErrorClass, random: () => number = Math.random, attempt = 1): ApplicationFailure {
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
        // A server hint is honoured; without one, exponential backoff with full jitter.
        nextRetryDelay: cls.delayMs !== undefined ? cls.delayMs + jitterMs(cls.delayMs, random) : fullJitterDelayMs(attempt, random),
      });
  }
}
