/** @module Table tests of the quota ledger's pure decision: sliding windows with their burst, spacing,
 * the Pacific day, and the rate lowered by 429s and creeping back. */
import { describe, expect, it } from 'vitest';
import { nextPacificMidnight } from '../../../src/core/pacific-day.js';
import {
  decideReservation,
  effectiveFactor,
  effectiveLimits,
  factorAfter429,
  SEND_MARGIN_MS,
  type BucketState,
  type QuotaLimits,
} from '../../../src/core/quota-decision.js';
import { requestWindowDelay, tokenWindowDelay } from '../../../src/core/quota-window.js';
import { quotaResumeAt, RESET_STAGGER_MS, stableShare } from '../../../src/core/quota-reset.js';

const T = Date.UTC(2026, 5, 15, 20); // 13:00 in Los Angeles
const LIMITS: QuotaLimits = { requestsPerMinute: 3, tokensPerMinute: 1_000, requestsPerDay: 10, minIntervalMs: 0 };
const empty: BucketState = { window: [], requestsToday: 0, rateFactor: 1 };
const calls = (...ats: number[]) => ats.map((at) => ({ at, tokens: 100 }));

describe('requestWindowDelay', () => {
  const cases = [
    { name: 'room left', ts: [T - 10_000], limit: 2, want: 0 },
    { name: 'full: waits for the oldest to age out', ts: [T - 50_000, T - 10_000], limit: 2, want: 10_000 },
    { name: 'full with more than the limit: the entry that brings it under', ts: [T - 50_000, T - 40_000, T - 10_000], limit: 2, want: 20_000 },
    { name: 'empty window, limit 1', ts: [], limit: 1, want: 0 },
    { name: 'limit 0 never has room', ts: [], limit: 0, want: 60_000 },
  ];
  for (const c of cases) it(c.name, () => expect(requestWindowDelay(c.ts, c.limit, T)).toBe(c.want));
});

describe('tokenWindowDelay', () => {
  const cases = [
    { name: 'fits', e: [{ at: T - 1_000, tokens: 400 }], tokens: 600, limit: 1_000, want: 0 },
    { name: 'waits for enough tokens to age out', e: [{ at: T - 50_000, tokens: 400 }, { at: T - 5_000, tokens: 400 }], tokens: 300, limit: 1_000, want: 10_000 },
    { name: 'larger than the limit goes once the window is empty', e: [], tokens: 5_000, limit: 1_000, want: 0 },
    { name: 'larger than the limit waits for the window to empty', e: [{ at: T - 30_000, tokens: 10 }], tokens: 5_000, limit: 1_000, want: 30_000 },
  ];
  for (const c of cases) it(c.name, () => expect(tokenWindowDelay(c.e, c.tokens, c.limit, T)).toBe(c.want));
});

describe('decideReservation', () => {
  const cases: Array<{ name: string; state: BucketState; limits?: Partial<QuotaLimits>; tokens?: number; want: unknown }> = [
    { name: 'an empty bucket lets a call go', state: empty, want: { ok: true } },
    { name: "a quiet window's whole burst goes at once (3 in the same second)", state: { ...empty, window: calls(T, T) }, want: { ok: true } },
    { name: 'the 4th call in a minute waits for the first to age out, plus the send margin', state: { ...empty, window: calls(T - 59_000, T - 1, T) }, want: { ok: false, reason: 'per-minute', waitMs: 1_000 + SEND_MARGIN_MS } },
    { name: 'calls older than a minute and the margin do not count', state: { ...empty, window: calls(T - 61_000, T - 61_001, T - 70_000) }, want: { ok: true } },
    { name: 'a call a minute old still counts during the send margin', state: { ...empty, window: calls(T - 60_500, T - 1, T) }, want: { ok: false, reason: 'per-minute', waitMs: 500 } },
    { name: 'tokens: waits when the estimate does not fit', state: { ...empty, window: [{ at: T - 30_000, tokens: 900 }] }, tokens: 200, want: { ok: false, reason: 'tokens-per-minute', waitMs: 31_000 } },
    { name: 'spacing: 2 s between starts', state: { ...empty, window: calls(T - 500), lastStartAt: T - 500 }, limits: { minIntervalMs: 2_000 }, want: { ok: false, reason: 'min-interval', waitMs: 1_500 } },
    { name: 'spacing satisfied', state: { ...empty, window: calls(T - 2_000), lastStartAt: T - 2_000 }, limits: { minIntervalMs: 2_000 }, want: { ok: true } },
    { name: 'the day count reached: closed until the Pacific midnight', state: { ...empty, requestsToday: 10 }, want: { ok: false, reason: 'per-day', resetAt: nextPacificMidnight(T) } },
    { name: 'a per-day 429 closed today', state: { ...empty, exhaustedDay: '2026-06-15' }, want: { ok: false, reason: 'per-day', resetAt: nextPacificMidnight(T) } },
    { name: 'a per-day 429 of yesterday does not close today', state: { ...empty, exhaustedDay: '2026-06-14' }, want: { ok: true } },
    { name: 'an operator resumed today: our own count no longer blocks', state: { ...empty, requestsToday: 10, resumedDay: '2026-06-15' }, want: { ok: true } },
    { name: 'a lowered rate (1 of 3 per minute) makes the 2nd call wait', state: { ...empty, window: calls(T - 10_000), rateFactor: 0.34, lastLimitedAt: T - 20_000 }, want: { ok: false, reason: 'per-minute', waitMs: 51_000 } },
  ];
  for (const c of cases) {
    it(c.name, () => expect(decideReservation({ ...LIMITS, ...c.limits }, c.state, c.tokens ?? 100, T)).toEqual(c.want));
  }
});

describe('rate after 429s', () => {
  it('drops by 30% per 429, never below a quarter', () => {
    let s = { rateFactor: 1, lastLimitedAt: undefined as number | undefined };
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      s = { rateFactor: factorAfter429(s, T), lastLimitedAt: T };
      seen.push(Math.round(s.rateFactor * 1000) / 1000);
    }
    expect(seen).toEqual([0.7, 0.49, 0.343, 0.25, 0.25, 0.25]);
  });
  it('creeps back a tenth per clean minute, up to all of it', () => {
    const s = { rateFactor: 0.5, lastLimitedAt: T };
    expect(effectiveFactor(s, T + 59_999)).toBe(0.5);
    expect(effectiveFactor(s, T + 60_000)).toBeCloseTo(0.6);
    expect(effectiveFactor(s, T + 3 * 60_000)).toBeCloseTo(0.8);
    expect(effectiveFactor(s, T + 60 * 60_000)).toBe(1);
  });
  it('lowers requests and tokens per minute alike, never to 0', () => {
    expect(effectiveLimits({ ...LIMITS, requestsPerMinute: 15, tokensPerMinute: 250_000 }, { rateFactor: 0.5, lastLimitedAt: T }, T)).toMatchObject({ requestsPerMinute: 7, tokensPerMinute: 125_000 });
    expect(effectiveLimits({ ...LIMITS, requestsPerMinute: 1 }, { rateFactor: 0.25, lastLimitedAt: T }, T).requestsPerMinute).toBe(1);
  });
});

describe('quotaResumeAt', () => {
  it('is the next Pacific midnight plus a stagger under 10 minutes, the same for the same fill', () => {
    const at = quotaResumeAt('fill-a', T);
    expect(at - nextPacificMidnight(T)).toBeGreaterThanOrEqual(0);
    expect(at - nextPacificMidnight(T)).toBeLessThan(RESET_STAGGER_MS);
    expect(quotaResumeAt('fill-a', T + 3_600_000)).toBe(at);
  });
  it('spreads many fills over the stagger window', () => {
    const shares = Array.from({ length: 200 }, (_, i) => stableShare(`fill-${i}`));
    expect(Math.min(...shares)).toBeLessThan(0.1);
    expect(Math.max(...shares)).toBeGreaterThan(0.9);
    expect(new Set(shares.map((s) => Math.floor(s * 10))).size).toBe(10);
  });
  it('follows DST: a fill parked on the fall-back day resumes 25 h after that day began', () => {
    const fallDayStart = Date.UTC(2026, 10, 1, 7);
    expect(quotaResumeAt('x', fallDayStart, 0) - fallDayStart).toBe(25 * 3_600_000);
  });
});
