/** @module The 200 bodies of generateContent: a normal answer, a truncated one, a malformed one, a blocked prompt. */
import { CHARS_PER_TOKEN, estimateTokens } from './token-estimate.js';
import type { BlockReason } from './types.js';

/** What every 200 body shares. */
export interface ResponseContext {
  model: string;
  responseId: string;
  promptTokens: number;
}

/** A generateContent body and the numbers the recording keeps. */
export interface ModelAnswer {
  body: Record<string, unknown>;
  finishReason?: string;
  blockReason?: BlockReason;
  outputTokens: number;
}

/**
 * Text not parseable as JSON, not even after stripping a Markdown fence, which is what a lenient
 * parser would try first.
 */
export const MALFORMED_TEXT =
  'I found the following in the documents: the values you asked for are listed above, but I cannot format them as JSON.';

function candidateBody(ctx: ResponseContext, text: string, finishReason: string): ModelAnswer {
  const outputTokens = estimateTokens(text);
  return {
    finishReason,
    outputTokens,
    body: {
      candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason, index: 0 }],
      usageMetadata: {
        promptTokenCount: ctx.promptTokens,
        candidatesTokenCount: outputTokens,
        totalTokenCount: ctx.promptTokens + outputTokens,
      },
      modelVersion: ctx.model,
      responseId: ctx.responseId,
    },
  };
}

/**
 * The answer text as the model would send it. Over `maxOutputTokens` it is cut to that many tokens'
 * worth of characters and finishes with MAX_TOKENS, leaving truncated JSON as the real API does.
 */
export function answerResponse(ctx: ResponseContext, text: string, maxOutputTokens: number | undefined): ModelAnswer {
  if (maxOutputTokens !== undefined && estimateTokens(text) > maxOutputTokens) {
    return candidateBody(ctx, text.slice(0, maxOutputTokens * CHARS_PER_TOKEN), 'MAX_TOKENS');
  }
  return candidateBody(ctx, text, 'STOP');
}

/**
 * The `truncate` fault: MAX_TOKENS with the answer cut half-way, or after `atTokens` tokens' worth of
 * characters, so it never parses whole. An answer no longer than `atTokens` is sent as it is, finished.
 */
export function truncatedResponse(ctx: ResponseContext, text: string, atTokens?: number): ModelAnswer {
  if (atTokens !== undefined) return answerResponse(ctx, text, atTokens);
  return candidateBody(ctx, text.slice(0, Math.max(1, Math.floor(text.length / 2))), 'MAX_TOKENS');
}

/** The `malformed` fault: STOP, and prose where JSON was asked for. */
export function malformedResponse(ctx: ResponseContext): ModelAnswer {
  return candidateBody(ctx, MALFORMED_TEXT, 'STOP');
}

/** The `blocked` fault: promptFeedback.blockReason and no candidates, so `response.text` is undefined. */
export function blockedResponse(ctx: ResponseContext, reason: BlockReason): ModelAnswer {
  return {
    blockReason: reason,
    outputTokens: 0,
    body: {
      promptFeedback: {
        blockReason: reason,
        safetyRatings: [
          { category: 'HARM_CATEGORY_SEXUALLY_EXPLICIT', probability: 'NEGLIGIBLE' },
          { category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'NEGLIGIBLE' },
          { category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' },
          { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: reason === 'SAFETY' ? 'HIGH' : 'NEGLIGIBLE' },
        ],
      },
      usageMetadata: { promptTokenCount: ctx.promptTokens, totalTokenCount: ctx.promptTokens },
      modelVersion: ctx.model,
      responseId: ctx.responseId,
    },
  };
}
