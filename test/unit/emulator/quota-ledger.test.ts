/** @module Unit tests of the emulator's quota windows and Pacific-day counter, on a fake clock. */
import { describe, expect, it } from 'vitest';
import {
  QuotaLedger,
  WINDOW_MS,
  requestWindowDelay,
  tokenWindowDelay,
} from '../../../src/emulator/quota-ledger.js';

/** A clock the test moves by hand. */
function fakeClock(start: number) {
  let t = start;
  return {
    now: () => t,
    set: (ms: number) => {
      t = ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

const T0 = Date.UTC(2026, 5, 15, 18, 0, 0); // 11:00 PDT, far from midnight

describe('requestWindowDelay', () => {
  const cases: Array<{ name: string; stamps: number[]; limit: number; now: number; want: number }> = [
    { name: 'empty window has room', stamps: [], limit: 1, now: 0, want: 0 },
    { name: 'below the limit has room', stamps: [0, 10], limit: 3, now: 20, want: 0 },
    { name: 'at the limit waits for the oldest', stamps: [0, 10, 20], limit: 3, now: 30, want: 59_970 },
    { name: 'over a lowered limit waits for enough to leave', stamps: [0, 10, 20], limit: 1, now: 30, want: 59_990 },
    { name: 'fractional stamps give fractional delays', stamps: [0.25], limit: 1, now: 1_000.5, want: 58_999.75 },
    { name: 'limit 0 never has room', stamps: [], limit: 0, now: 5, want: WINDOW_MS },
  ];
  for (const c of cases) {
    it(c.name, () => expect(requestWindowDelay(c.stamps, c.limit, c.now)).toBeCloseTo(c.want, 9));
  }
});

describe('tokenWindowDelay', () => {
  const entries = [
    { at: 0, tokens: 400 },
    { at: 10_000, tokens: 300 },
    { at: 20_000, tokens: 300 },
  ];
  const cases: Array<{ name: string; tokens: number; limit: number; want: number }> = [
    { name: 'fits under the limit', tokens: 0, limit: 1000, want: 0 },
    { name: 'exactly at the limit fits', tokens: 100, limit: 1100, want: 0 },
    { name: 'needs the first entry gone', tokens: 300, limit: 1000, want: 30_000 },
    { name: 'needs two entries gone', tokens: 500, limit: 1000, want: 40_000 },
    { name: 'bigger than the limit waits for an empty window', tokens: 2000, limit: 1000, want: 50_000 },
  ];
  for (const c of cases) {
    it(c.name, () => expect(tokenWindowDelay(entries, c.tokens, c.limit, 30_000)).toBe(c.want));
  }
  it('bigger than the limit with an empty window waits a full window', () => {
    expect(tokenWindowDelay([], 2000, 1000, 0)).toBe(WINDOW_MS);
  });
});

describe('QuotaLedger per-minute requests', () => {
  it('admits up to rpm, then names the exact wait, then admits when the oldest ages out', () => {
    const clock = fakeClock(T0);
    const ledger = new QuotaLedger(clock.now);
    expect(ledger.admit('k|m', { rpm: 2 }, 10)).toEqual({ ok: true });
    clock.advance(12_345);
    expect(ledger.admit('k|m', { rpm: 2 }, 10)).toEqual({ ok: true });
    clock.advance(1_000);
    expect(ledger.admit('k|m', { rpm: 2 }, 10)).toEqual({
      ok: false,
      violations: [{ quota: 'per-minute', limit: 2, retryAfterMs: 60_000 - 13_345 }],
    });
    clock.advance(60_000 - 13_345 - 1);
    expect(ledger.admit('k|m', { rpm: 2 }, 10).ok).toBe(false);
    clock.advance(1);
    expect(ledger.admit('k|m', { rpm: 2 }, 10)).toEqual({ ok: true });
  });

  it('reports fractional delays from a fractional clock', () => {
    const clock = fakeClock(T0 + 0.5);
    const ledger = new QuotaLedger(clock.now);
    ledger.admit('b', { rpm: 1 }, 1);
    clock.advance(20_000.25);
    const verdict = ledger.admit('b', { rpm: 1 }, 1);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.violations[0]?.retryAfterMs).toBeCloseTo(39_999.75, 6);
  });

  it('does not count refused requests, so retrying early does not extend the wait', () => {
    const clock = fakeClock(T0);
    const ledger = new QuotaLedger(clock.now);
    ledger.admit('b', { rpm: 1 }, 1);
    for (let i = 0; i < 5; i++) {
      clock.advance(10_000);
      expect(ledger.admit('b', { rpm: 1 }, 1).ok).toBe(false);
    }
    clock.advance(10_000);
    expect(ledger.admit('b', { rpm: 1 }, 1).ok).toBe(true);
    expect(ledger.usage('b')).toMatchObject({ requestsInWindow: 1, requestsToday: 2 });
  });

  it('keeps buckets apart', () => {
    const ledger = new QuotaLedger(() => T0);
    expect(ledger.admit('key1|m', { rpm: 1 }, 1).ok).toBe(true);
    expect(ledger.admit('key2|m', { rpm: 1 }, 1).ok).toBe(true);
    expect(ledger.admit('key1|other', { rpm: 1 }, 1).ok).toBe(true);
    expect(ledger.admit('key1|m', { rpm: 1 }, 1).ok).toBe(false);
  });
});

describe('QuotaLedger input tokens per minute', () => {
  it('counts input tokens over the sliding window', () => {
    const clock = fakeClock(T0);
    const ledger = new QuotaLedger(clock.now);
    expect(ledger.admit('b', { tpm: 1000 }, 600).ok).toBe(true);
    clock.advance(5_000);
    expect(ledger.admit('b', { tpm: 1000 }, 300).ok).toBe(true);
    clock.advance(5_000);
    expect(ledger.admit('b', { tpm: 1000 }, 200)).toEqual({
      ok: false,
      violations: [{ quota: 'tokens-per-minute', limit: 1000, retryAfterMs: 50_000 }],
    });
    expect(ledger.admit('b', { tpm: 1000 }, 100).ok).toBe(true);
    expect(ledger.usage('b').tokensInWindow).toBe(1000);
  });
});

describe('QuotaLedger requests per Pacific day', () => {
  it('refuses past rpd and reports the true time to Pacific midnight', () => {
    // 2026-06-15 23:59:00 PDT = 06:59:00Z on the 16th.
    const clock = fakeClock(Date.UTC(2026, 5, 16, 6, 59, 0));
    const ledger = new QuotaLedger(clock.now);
    expect(ledger.admit('b', { rpd: 1 }, 1).ok).toBe(true);
    expect(ledger.admit('b', { rpd: 1 }, 1)).toEqual({
      ok: false,
      violations: [{ quota: 'per-day', limit: 1, retryAfterMs: 60_000 }],
    });
    clock.advance(59_999);
    expect(ledger.admit('b', { rpd: 1 }, 1).ok).toBe(false);
    clock.advance(1);
    expect(ledger.admit('b', { rpd: 1 }, 1).ok).toBe(true);
    expect(ledger.usage('b')).toMatchObject({ day: '2026-06-16', requestsToday: 1 });
  });

  it('resets at 07:00Z on a PDT day but at 08:00Z on a PST day (the day is not a UTC day)', () => {
    const clock = fakeClock(Date.UTC(2026, 0, 10, 7, 30)); // 23:30 PST on Jan 9
    const ledger = new QuotaLedger(clock.now);
    ledger.admit('b', { rpd: 1 }, 1);
    clock.set(Date.UTC(2026, 0, 10, 7, 59, 59)); // still Jan 9 in Los Angeles
    expect(ledger.admit('b', { rpd: 1 }, 1).ok).toBe(false);
    clock.set(Date.UTC(2026, 0, 10, 8, 0, 0));
    expect(ledger.admit('b', { rpd: 1 }, 1).ok).toBe(true);
  });

  it('on the spring-forward day (23 h) the reset is 23 h after the previous one', () => {
    // 2026-03-08 00:00 PST = 08:00Z; DST starts at 02:00; 2026-03-09 00:00 PDT = 07:00Z.
    const clock = fakeClock(Date.UTC(2026, 2, 8, 8, 0, 0));
    const ledger = new QuotaLedger(clock.now);
    ledger.admit('b', { rpd: 1 }, 1);
    const refused = ledger.admit('b', { rpd: 1 }, 1);
    expect(refused).toEqual({ ok: false, violations: [{ quota: 'per-day', limit: 1, retryAfterMs: 23 * 3_600_000 }] });
    clock.set(Date.UTC(2026, 2, 9, 6, 59, 59));
    expect(ledger.admit('b', { rpd: 1 }, 1).ok).toBe(false);
    clock.set(Date.UTC(2026, 2, 9, 7, 0, 0));
    expect(ledger.admit('b', { rpd: 1 }, 1).ok).toBe(true);
  });

  it('on the fall-back day (25 h) the reset is 25 h after the previous one', () => {
    // 2026-11-01 00:00 PDT = 07:00Z; DST ends at 02:00; 2026-11-02 00:00 PST = 08:00Z.
    const clock = fakeClock(Date.UTC(2026, 10, 1, 7, 0, 0));
    const ledger = new QuotaLedger(clock.now);
    ledger.admit('b', { rpd: 1 }, 1);
    const refused = ledger.admit('b', { rpd: 1 }, 1);
    expect(refused).toEqual({ ok: false, violations: [{ quota: 'per-day', limit: 1, retryAfterMs: 25 * 3_600_000 }] });
    clock.set(Date.UTC(2026, 10, 2, 7, 59, 59)); // 23:59:59 PST on Nov 1
    expect(ledger.admit('b', { rpd: 1 }, 1).ok).toBe(false);
    clock.set(Date.UTC(2026, 10, 2, 8, 0, 0));
    expect(ledger.admit('b', { rpd: 1 }, 1).ok).toBe(true);
  });
});

describe('QuotaLedger several limits at once', () => {
  it('reports every broken quota in one verdict', () => {
    const clock = fakeClock(T0);
    const ledger = new QuotaLedger(clock.now);
    const limits = { rpm: 1, tpm: 10, rpd: 1 };
    expect(ledger.admit('b', limits, 10).ok).toBe(true);
    clock.advance(15_000);
    const verdict = ledger.admit('b', limits, 5);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.violations.map((v) => v.quota)).toEqual(['per-day', 'per-minute', 'tokens-per-minute']);
      expect(verdict.violations.filter((v) => v.quota !== 'per-day').map((v) => v.retryAfterMs)).toEqual([45_000, 45_000]);
    }
  });

  it('forgets everything on reset', () => {
    const ledger = new QuotaLedger(() => T0);
    ledger.admit('b', { rpm: 1 }, 1);
    ledger.reset();
    expect(ledger.admit('b', { rpm: 1 }, 1).ok).toBe(true);
  });
});
