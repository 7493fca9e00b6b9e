/** @module The stable `ApplicationFailure.type` strings that cross the activity/workflow boundary.
 * Workflows branch on these strings, never on `instanceof` (the sandbox is another realm). */

export const FailureType = {
  /** Per-minute quota (requests or tokens): retried after the server's RetryInfo delay. */
  RateLimited: 'GeminiRateLimited',
  /** Per-day quota exhausted: not retried by Temporal; the workflow decides (fallback now, pause later). */
  QuotaExhausted: 'GeminiQuotaExhausted',
  /** 5xx, timeouts and network failures: exponential backoff. */
  Transient: 'GeminiTransient',
  /** The setup is wrong (bad key, unknown model, `limit: 0`): fail at once with what to change. */
  Config: 'GeminiConfigError',
  /** The request itself was rejected (400): retrying the same request cannot help. */
  BadRequest: 'GeminiBadRequest',
  /** The answer was cut (MAX_TOKENS) or unparseable, or the request too large: split the batch and re-ask. */
  SplitBatch: 'GeminiSplitBatch',
  /**
   * The answer came back in the wrong shape (embeddings of another size, or not one per text): tried once more,
   * since a glitch passes; a second such answer means the endpoint answers this way, and it is not retried.
   * Not in {@link NON_RETRYABLE_FAILURES}: the failure itself says whether it may be retried.
   */
  MalformedAnswer: 'GeminiMalformedAnswer',
  /** This worker has no GEMINI_API_KEY: the fill goes on with the offline extractor. */
  NotConfigured: 'GeminiNotConfigured',
  /** Input that cannot be processed (unknown template or document): failing again will not help. */
  InvalidInput: 'FillflowInvalidInput',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Failure types Temporal must never retry; the retry policy of Gemini activities lists them. */
export const NON_RETRYABLE_FAILURES: readonly string[] = [
  FailureType.QuotaExhausted,
  FailureType.Config,
  FailureType.BadRequest,
  FailureType.SplitBatch,
  FailureType.NotConfigured,
  FailureType.InvalidInput,
];
