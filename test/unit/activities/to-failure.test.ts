/** @module The Temporal failure each classified Gemini error becomes: hinted delays exactly, 5xx with full jitter. */
import { describe, expect, it } from 'vitest';
import { fullJitterDelayMs, toFailure } from '../../../src/activities/to-failure.js';
import { FailureType } from '../../../src/core/failure-types.js';

const ms = (d: unknown) => (typeof d === 'number' ? d : Number.NaN);

describe('toFailure', () => {
  it('per-minute 429: exactly the retryDelay plus jitter that is only ever added', () => {
    const f = toFailure({ kind: 'rate-limited', quota: 'requests-per-minute', delayMs: 26_437 }, () => 0);
    expect(f.type).toBe(FailureType.RateLimited);
    expect(ms(f.nextRetryDelay)).toBe(26_437);
    expect(ms(toFailure({ kind: 'rate-limited', quota: 'requests-per-minute', delayMs: 26_437 }, () => 0.999).nextRetryDelay)).toBeLessThanOrEqual(26_437 + 1_000);
  });
  it('per-day 429: not retried by Temporal (the workflow parks)', () => {
    expect(toFailure({ kind: 'daily-quota', quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier' })).toMatchObject({ type: FailureType.QuotaExhausted, nonRetryable: true });
  });
  it('configuration errors fail at once', () => {
    expect(toFailure({ kind: 'config', message: 'set GEMINI_MODEL' })).toMatchObject({ type: FailureType.Config, nonRetryable: true });
  });
  it('5xx without a hint: full jitter over an exponentially growing ceiling, capped', () => {
    expect(fullJitterDelayMs(1, () => 1)).toBe(2_000);
    expect(fullJitterDelayMs(3, () => 1)).toBe(8_000);
    expect(fullJitterDelayMs(3, () => 0.5)).toBe(4_000);
    expect(fullJitterDelayMs(20, () => 1)).toBe(120_000);
    expect(fullJitterDelayMs(4, () => 0)).toBe(250);
    const f = toFailure({ kind: 'transient', status: 503, message: 'overloaded' }, () => 0.5, 2);
    expect(f).toMatchObject({ type: FailureType.Transient, nonRetryable: false });
    expect(ms(f.nextRetryDelay)).toBe(2_000);
  });
  it('5xx with a hint: the hint', () => {
    expect(ms(toFailure({ kind: 'transient', status: 503, delayMs: 5_000, message: 'x' }, () => 0).nextRetryDelay)).toBe(5_000);
  });
});
