/** @module Reads usageMetadata into plain counts; missing numbers are zero. */

export interface CallUsage {
  promptTokens: number;
  /** Answer tokens, thinking included: both are billed as output. */
  outputTokens: number;
  cachedTokens: number;
}

export function convertUsage(meta: unknown): CallUsage {
  const m = (typeof meta === 'object' && meta !== null ? meta : {}) as Record<string, unknown>;
  const n = (k: string) => (typeof m[k] === 'number' && Number.isFinite(m[k]) ? (m[k] as number) : 0);
  return {
    promptTokens: n('promptTokenCount'),
    outputTokens: n('candidatesTokenCount') + n('thoughtsTokenCount'),
    cachedTokens: n('cachedContentTokenCount'),
  };
}
