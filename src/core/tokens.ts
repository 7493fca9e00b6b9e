/** @module Token estimates for planning, before Gemini's own count is known. */

/**
 * Gemini's tokenizer averages about four characters of English per token; planning needs a cheap,
 * deterministic estimate that errs a little high, so budgets hold when the real count comes back.
 */
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  return Math.ceil(text.length / 3.6);
}
