/** @module The Temporal failure each cause becomes: its type, whether Temporal may retry it, and when. As many
 * "must not retry" cases as "retry" ones: a wrong retry costs quota or minutes, a missing one a fill. */
import { describe, expect, it } from 'vitest';
import { MALFORMED_ATTEMPTS, fullJitterDelayMs, toFailure, type FailureCause } from '../../../src/activities/to-failure.js';
import { FailureType, NON_RETRYABLE_FAILURES } from '../../../src/core/failure-types.js';

const ms = (d: unknown) => (typeof d === 'number' ? d : Number.NaN);
const RESET = Date.UTC(2026, 5, 16, 7);

describe('toFailure', () => {
  const retried: [string, FailureCause, number, string][] = [
    ['per-minute 429', { kind: 'rate-limited', quota: 'requests-per-minute', delayMs: 26_437 }, 1, FailureType.RateLimited],
    ['tokens-per-minute 429 without a hint', { kind: 'rate-limited', quota: 'tokens-per-minute' }, 1, FailureType.RateLimited],
    ['a bare 429', { kind: 'rate-limited', quota: 'unspecified' }, 3, FailureType.RateLimited],
    ['503 overloaded', { kind: 'transient', status: 503, message: 'The model is overloaded.' }, 1, FailureType.Transient],
    ['a timeout, late in the retries', { kind: 'transient', message: 'request timed out' }, 7, FailureType.Transient],
    ['a wrong-shaped answer, the first time', { kind: 'malformed', message: 'embedding 0 has 3072 dimensions' }, 1, FailureType.MalformedAnswer],
  ];
  it.each(retried)('retries: %s', (_name, cause, attempt, type) => {
    const f = toFailure(cause, () => 0.5, attempt);
    expect(f).toMatchObject({ type, nonRetryable: false });
    expect(NON_RETRYABLE_FAILURES).not.toContain(f.type);
  });

  const stopped: [string, FailureCause, number, string][] = [
    ['per-day 429 (the workflow parks)', { kind: 'daily-quota', quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier' }, 1, FailureType.QuotaExhausted],
    ['the ledger closed the day (nothing was sent)', { kind: 'day-closed', model: 'm', resetAt: RESET, requestsPerDay: 250 }, 1, FailureType.QuotaExhausted],
    ['a bad key or unknown model', { kind: 'config', message: 'set GEMINI_MODEL' }, 1, FailureType.Config],
    ['a rejected request', { kind: 'bad-request', message: 'HTTP 400' }, 1, FailureType.BadRequest],
    ['a request too large (split instead)', { kind: 'too-large', message: 'exceeds the maximum number of tokens' }, 1, FailureType.SplitBatch],
    ['an answer cut before any field closed', { kind: 'truncated', fields: 30 }, 1, FailureType.SplitBatch],
    ['an answer that is not JSON', { kind: 'unparseable', reason: 'answer is not valid JSON' }, 1, FailureType.SplitBatch],
    ['no GEMINI_API_KEY on the worker', { kind: 'not-configured' }, 1, FailureType.NotConfigured],
    ['an unknown template', { kind: 'invalid-input', message: 'unknown template "t"' }, 1, FailureType.InvalidInput],
    ['a wrong-shaped answer, a second time', { kind: 'malformed', message: 'embedding 0 has 3072 dimensions' }, MALFORMED_ATTEMPTS, FailureType.MalformedAnswer],
    ['a wrong-shaped answer on a later attempt', { kind: 'malformed', message: '2 vectors for 3 texts' }, 5, FailureType.MalformedAnswer],
  ];
  it.each(stopped)('must not retry: %s', (_name, cause, attempt, type) => {
    expect(toFailure(cause, () => 0.5, attempt)).toMatchObject({ type, nonRetryable: true });
  });

  it('per-minute 429: exactly the retryDelay plus jitter that is only ever added', () => {
    const cause: FailureCause = { kind: 'rate-limited', quota: 'requests-per-minute', delayMs: 26_437 };
    expect(ms(toFailure(cause, () => 0).nextRetryDelay)).toBe(26_437);
    expect(ms(toFailure(cause, () => 0.999).nextRetryDelay)).toBeLessThanOrEqual(26_437 + 1_000);
  });

  it('5xx without a hint: full jitter over an exponentially growing ceiling, capped', () => {
    expect(fullJitterDelayMs(1, () => 1)).toBe(2_000);
    expect(fullJitterDelayMs(3, () => 1)).toBe(8_000);
    expect(fullJitterDelayMs(3, () => 0.5)).toBe(4_000);
    expect(fullJitterDelayMs(20, () => 1)).toBe(120_000);
    expect(fullJitterDelayMs(4, () => 0)).toBe(250);
    expect(ms(toFailure({ kind: 'transient', status: 503, message: 'overloaded' }, () => 0.5, 2).nextRetryDelay)).toBe(2_000);
  });

  it('5xx with a hint: the hint', () => {
    expect(ms(toFailure({ kind: 'transient', status: 503, delayMs: 5_000, message: 'x' }, () => 0).nextRetryDelay)).toBe(5_000);
  });

  it('a closed day says when it reopens, and that the ledger closed it', () => {
    const f = toFailure({ kind: 'day-closed', model: 'gemini-3.5-flash', resetAt: RESET, requestsPerDay: 250 });
    expect(f.message).toContain('gemini-3.5-flash');
    expect(f.message).toContain(new Date(RESET).toISOString());
    expect(f.details).toEqual([{ resetAt: RESET, source: 'ledger' }]);
  });

  it('a wrong-shaped answer says so when it is the last try', () => {
    expect(toFailure({ kind: 'malformed', message: 'bad' }, Math.random, 1).message).toBe('bad');
    expect(toFailure({ kind: 'malformed', message: 'bad' }, Math.random, 2).message).toMatch(/not tried again/);
  });
});
