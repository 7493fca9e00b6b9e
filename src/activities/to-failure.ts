/** @module The one place a Gemini activity's Temporal failure is built: a classified Gemini error, or a reason the
 * activity stops on its own (no client, a closed day, an answer it cannot use), becomes the failure whose type
 * and retry settings make the workflow do the right thing. */
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

/** Why a Gemini activity stops that is not an error Gemini returned: read by the activity itself. */
export type ActivityStop =
  /** The worker has no GEMINI_API_KEY: no request can be sent. */
  | { kind: 'not-configured' }
  /** The shared ledger says today's requests are spent for this key and model: no request is sent. */
  | { kind: 'day-closed'; model: string; resetAt: number; requestsPerDay: number }
  /** The answer was cut at the output limit before any field was complete. */
  | { kind: 'truncated'; fields: number }
  /** The answer's text is not the JSON object asked for; smaller batches parse where a large one did not. */
  | { kind: 'unparseable'; reason: string }
  /** The input names what the store does not hold (a template, a field): asking again cannot help. */
  | { kind: 'invalid-input'; message: string };

/** Everything the mapper turns into a failure. */
export type FailureCause = GeminiErrorClass | ActivityStop;

/** Attempts a wrong-shaped answer gets in all: the first, and one more in case it was a glitch. */
export const MALFORMED_ATTEMPTS = 2;

/**
 * @param random jitter source (tests pass a constant)
 * @param attempt the activity's attempt number (1 for the first): sets the backoff of a 5xx without a hint,
 *   and whether a wrong-shaped answer may be tried again
 */
export function toFailure(cause: FailureCause, random: () => number = Math.random, attempt = 1): ApplicationFailure {
  switch (cause.kind) {
    case 'rate-limited':
      return ApplicationFailure.create({
        type: FailureType.RateLimited,
        // Expected under load: logged at debug level, no failure metrics.
        category: ApplicationFailureCategory.BENIGN,
        message: `rate limited by Gemini (${cause.quota}${cause.quotaId ? `, ${cause.quotaId}` : ''})`,
        details: [{ quota: cause.quota, delayMs: cause.delayMs ?? null }],
        // Without a hint the retry policy's exponential backoff applies.
        ...(cause.delayMs !== undefined ? { nextRetryDelay: cause.delayMs + jitterMs(cause.delayMs, random) } : {}),
      });
    case 'daily-quota':
      return ApplicationFailure.create({
        type: FailureType.QuotaExhausted,
        nonRetryable: true,
        category: ApplicationFailureCategory.BENIGN,
        message: `Gemini daily quota exhausted (${cause.quotaId}${cause.limit !== undefined ? `, limit ${cause.limit}` : ''})`,
        details: [{ quotaId: cause.quotaId, limit: cause.limit ?? null }],
      });
    case 'config':
      return ApplicationFailure.create({ type: FailureType.Config, nonRetryable: true, message: cause.message });
    case 'bad-request':
      return ApplicationFailure.create({ type: FailureType.BadRequest, nonRetryable: true, message: cause.message });
    case 'too-large':
      return splitBatch(`request too large: ${cause.message}`);
    case 'transient':
      return ApplicationFailure.create({
        type: FailureType.Transient,
        message: cause.message,
        // A server hint is honoured; without one, exponential backoff with full jitter.
        nextRetryDelay: cause.delayMs !== undefined ? cause.delayMs + jitterMs(cause.delayMs, random) : fullJitterDelayMs(attempt, random),
      });
    case 'malformed':
      return malformedAnswer(cause.message, attempt);
    default:
      return stopFailure(cause);
  }
}

/**
 * A wrong-shaped answer is retried once, never more: a second one in a row says the endpoint answers this way
 * (a Gemini-compatible server that ignores the requested size), and eight tries over minutes only delay the
 * fallback the workflow has ready.
 */
function malformedAnswer(message: string, attempt: number): ApplicationFailure {
  const last = attempt >= MALFORMED_ATTEMPTS;
  return ApplicationFailure.create({
    type: FailureType.MalformedAnswer,
    nonRetryable: last,
    message: last ? `${message} (attempt ${attempt}; not tried again)` : message,
  });
}

function stopFailure(stop: ActivityStop): ApplicationFailure {
  switch (stop.kind) {
    case 'not-configured':
      // The workflow goes on with the offline extractor (or lexical retrieval) instead.
      return ApplicationFailure.create({
        type: FailureType.NotConfigured,
        nonRetryable: true,
        category: ApplicationFailureCategory.BENIGN,
        message: 'GEMINI_API_KEY is not set on the Gemini worker',
      });
    case 'day-closed':
      // No request was sent: the day is closed for this key and model until the Pacific midnight.
      return ApplicationFailure.create({
        type: FailureType.QuotaExhausted,
        nonRetryable: true,
        category: ApplicationFailureCategory.BENIGN,
        message:
          `Gemini daily quota exhausted for ${stop.model} (the ledger counted ${stop.requestsPerDay} requests today, ` +
          `or Gemini said so); it resets at ${new Date(stop.resetAt).toISOString()}`,
        details: [{ resetAt: stop.resetAt, source: 'ledger' }],
      });
    case 'truncated':
      return splitBatch(`answer cut at the output limit (MAX_TOKENS) for ${stop.fields} fields`);
    case 'unparseable':
      return splitBatch(`unusable answer: ${stop.reason}`);
    case 'invalid-input':
      return ApplicationFailure.create({ type: FailureType.InvalidInput, nonRetryable: true, message: stop.message });
  }
}

/** Not retried as it is: the workflow splits the batch and asks the halves. */
function splitBatch(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.SplitBatch, nonRetryable: true, category: ApplicationFailureCategory.BENIGN, message });
}
