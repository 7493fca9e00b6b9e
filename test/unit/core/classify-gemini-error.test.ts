import { describe, expect, it } from 'vitest';
import { classifyGeminiError, type GeminiErrorRecord } from '../../../src/core/classify-gemini-error.js';

const http = (status: number, over: Partial<Extract<GeminiErrorRecord, { kind: 'http' }>> = {}): GeminiErrorRecord => ({
  kind: 'http',
  status,
  message: over.message ?? 'error',
  violations: over.violations ?? [],
  reasons: over.reasons ?? [],
  ...(over.apiStatus ? { apiStatus: over.apiStatus } : {}),
  ...(over.retryDelayMs !== undefined ? { retryDelayMs: over.retryDelayMs } : {}),
});

type Expect = { kind: string; delayMs?: number; quota?: string };

// Retry with a hint, retry with backoff, and must-not-retry cases, named.
const cases: [string, GeminiErrorRecord, Expect][] = [
  ['per-minute requests with fractional delay', http(429, { violations: [{ quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier', quotaValue: '10' }], retryDelayMs: 26_437 }), { kind: 'rate-limited', quota: 'requests-per-minute', delayMs: 26_437 }],
  ['per-minute input tokens', http(429, { violations: [{ quotaId: 'GenerateContentInputTokensPerModelPerMinute-FreeTier', quotaValue: '250000' }], retryDelayMs: 3_000 }), { kind: 'rate-limited', quota: 'tokens-per-minute', delayMs: 3_000 }],
  ['paid-tier tokens per minute', http(429, { violations: [{ quotaId: 'GenerateContentPaidTierInputTokensPerModelPerMinute' }], retryDelayMs: 1_500 }), { kind: 'rate-limited', quota: 'tokens-per-minute', delayMs: 1_500 }],
  ['429 with no details at all', http(429, { message: 'Resource has been exhausted (e.g. check quota).' }), { kind: 'rate-limited', quota: 'unspecified' }],
  ['503 overloaded', http(503, { message: 'The model is overloaded. Please try again later.' }), { kind: 'transient' }],
  ['500 internal', http(500), { kind: 'transient' }],
  ['504 deadline', http(504), { kind: 'transient' }],
  ['499 cancelled', http(499), { kind: 'transient' }],
  ['client timeout', { kind: 'timeout', message: 'aborted' }, { kind: 'transient' }],
  ['connection refused', { kind: 'network', message: 'fetch failed' }, { kind: 'transient' }],
  // A wrong-shaped answer (e.g. embeddings of the wrong size): classified, retried at most once by the mapper.
  ['embeddings of the wrong size', { kind: 'malformed', message: '3 vectors of 3072 values, expected 768' }, { kind: 'malformed' }],
  // Must not be retried as if they would pass.
  ['per-day with a short misleading retryDelay', http(429, { violations: [{ quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier', quotaValue: '250' }], retryDelayMs: 36_000 }), { kind: 'daily-quota' }],
  ['paid per-day', http(429, { violations: [{ quotaId: 'GenerateRequestsPerDayPerProjectPerModel' }] }), { kind: 'daily-quota' }],
  ['day listed after minute in one answer', http(429, { violations: [{ quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' }, { quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier' }], retryDelayMs: 20_000 }), { kind: 'daily-quota' }],
  ['limit: 0 in the message', http(429, { message: 'Quota exceeded for metric: x, limit: 0, model: gemini-2.5-pro', violations: [{ quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' }], retryDelayMs: 10_000 }), { kind: 'config' }],
  ['quotaValue "0"', http(429, { violations: [{ quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier', quotaValue: '0' }] }), { kind: 'config' }],
  ['bad API key (400 API_KEY_INVALID)', http(400, { apiStatus: 'INVALID_ARGUMENT', reasons: ['API_KEY_INVALID'] }), { kind: 'config' }],
  ['permission denied', http(403, { apiStatus: 'PERMISSION_DENIED' }), { kind: 'config' }],
  ['unknown model', http(404, { apiStatus: 'NOT_FOUND', message: 'models/gemini-0 is not found for API version v1beta' }), { kind: 'config' }],
  ['free tier not in this country', http(400, { apiStatus: 'FAILED_PRECONDITION' }), { kind: 'config' }],
  ['unsupported schema', http(400, { apiStatus: 'INVALID_ARGUMENT', message: 'The specified schema produces a constraint that has too many states for serving.' }), { kind: 'bad-request' }],
  ['prompt over the context window', http(400, { apiStatus: 'INVALID_ARGUMENT', message: 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).' }), { kind: 'too-large' }],
];

describe('classifyGeminiError', () => {
  it.each(cases)('%s', (_name, record, expected) => {
    expect(classifyGeminiError(record)).toMatchObject(expected);
  });

  it('has as many must-not-retry cases as retry cases', () => {
    const retry = cases.filter(([, , e]) => e.kind === 'rate-limited' || e.kind === 'transient').length;
    expect(cases.length - retry).toBeGreaterThanOrEqual(retry);
  });

  it('says what to change in configuration errors', () => {
    const model = classifyGeminiError(http(404));
    expect(model.kind === 'config' && model.message).toMatch(/GEMINI_MODEL/);
    const key = classifyGeminiError(http(400, { reasons: ['API_KEY_INVALID'] }));
    expect(key.kind === 'config' && key.message).toMatch(/GEMINI_API_KEY/);
  });
});
