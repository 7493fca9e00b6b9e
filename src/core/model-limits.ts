/** @module What a Gemini model can answer at most: the limit planning keeps each call's expected answer inside. */

/**
 * Output tokens of one answer for the Gemini 2.5 and 3.x models (Flash, Flash-Lite, Pro) and the `-latest`
 * aliases, from Google's model pages: 65,536.
 */
export const CURRENT_MODEL_OUTPUT_TOKENS = 65_536;

/** Older models (1.5, 2.0) and any model we do not know: their answers stop at 8,192 tokens. */
export const FALLBACK_MODEL_OUTPUT_TOKENS = 8_192;

/**
 * The most tokens one answer of `model` may hold. A model we cannot place gets the older, smaller limit, so a
 * plan for it is never cut short by a limit we guessed too high.
 *
 * @example modelOutputTokens('gemini-3.5-flash') // 65536
 */
export function modelOutputTokens(model: string): number {
  const name = model.replace(/^models\//, '').toLowerCase();
  if (/^gemini-(2\.5|[3-9](\.\d+)?)-/.test(name)) return CURRENT_MODEL_OUTPUT_TOKENS;
  if (/^gemini-(flash|flash-lite|pro)-latest$/.test(name)) return CURRENT_MODEL_OUTPUT_TOKENS;
  return FALLBACK_MODEL_OUTPUT_TOKENS;
}
