/** @module Maps Gemini's finish and block reasons onto the few outcomes Fillflow acts on. */

export type FinishKind = 'stop' | 'truncated' | 'blocked' | 'other';

/**
 * `truncated` means the JSON is cut and the batch must be split; `blocked` means the model will not
 * answer this prompt (safety, recitation, a blocked prompt) and its fields end `not_found` with the reason.
 * Anything unknown is `other`, never a crash: Google adds reasons over time.
 */
export function mapFinishReason(finishReason: string | undefined, blockReason: string | undefined): FinishKind {
  if (blockReason) return 'blocked';
  switch (finishReason) {
    case 'STOP':
    case undefined:
      return 'stop';
    case 'MAX_TOKENS':
      return 'truncated';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'LANGUAGE':
      return 'blocked';
    default:
      return 'other';
  }
}
