/** @module What every Gemini activity does first: count a retry, and fail fast without a client. */
import { ApplicationFailure, activityInfo } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import { FailureType } from '../core/failure-types.js';
import type { GeminiClient } from '../gemini/gemini-client.js';
import type { Store } from '../store/store.js';

/**
 * Records a retry when this is not the first attempt, and returns the Gemini client.
 * @throws a non-retryable `GeminiNotConfigured` failure when the worker has no GEMINI_API_KEY: the
 * workflow then goes on with the offline extractor (or lexical retrieval) instead.
 */
export async function beginGeminiAttempt(store: Store, gemini: GeminiClient | undefined, usage: { fillId: string; batchId: string }): Promise<GeminiClient> {
  if (activityInfo().attempt > 1) await store.recordUsage({ ...usage, kind: 'retry' });
  if (!gemini) {
    throw ApplicationFailure.create({
      type: FailureType.NotConfigured,
      nonRetryable: true,
      category: ApplicationFailureCategory.BENIGN,
      message: 'GEMINI_API_KEY is not set on the Gemini worker',
    });
  }
  return gemini;
}
