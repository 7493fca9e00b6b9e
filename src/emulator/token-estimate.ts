/** @module The emulator's token count: ceil(chars / 4), stated once so tests can predict it. */

/**
 * The emulator has no tokenizer. Four characters per token is Google's own rule of thumb for English,
 * and a fixed rule lets a test compute `promptTokenCount` and TPM windows exactly. The prompt count
 * covers every text part of `contents` and `systemInstruction` plus `JSON.stringify` of the response
 * schema; the output count covers the answer text.
 */
export const CHARS_PER_TOKEN = 4;

/** Tokens for a number of characters. */
export function tokensForChars(chars: number): number {
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

/** Tokens for a text. */
export function estimateTokens(text: string): number {
  return tokensForChars(text.length);
}
