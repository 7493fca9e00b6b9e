/** Which quota binds a key's next calls, from its limits and the ledger's count; and what a model can answer. */
import { describe, expect, it } from 'vitest';
import { modelOutputTokens } from '../../../src/core/model-limits.js';
import type { QuotaLimits } from '../../../src/core/quota-decision.js';
import { quotaScarcity, type QuotaUse } from '../../../src/core/quota-scarcity.js';
import { PROFILES } from '../../../src/config.js';

const limits = (l: Partial<QuotaLimits> = {}): QuotaLimits => ({ requestsPerMinute: 60, tokensPerMinute: 1_000_000, requestsPerDay: 10_000, minIntervalMs: 0, ...l });
const use = (u: Partial<QuotaUse> = {}): QuotaUse => ({ requestsToday: 0, requestsInWindow: 0, tokensInWindow: 0, rateFactor: 1, ...u });

describe('quotaScarcity', () => {
  it.each([
    ['the free tier (conservative): few requests a day', 'conservative', 'requests'],
    ['balanced: neither', 'balanced', 'neither'],
    ['a paid tier (aggressive): each request may carry far less than a full call', 'aggressive', 'tokens'],
  ] as const)('%s', (_name, profile, scarce) => {
    const p = PROFILES[profile];
    expect(quotaScarcity(p, undefined, p.maxInputTokens).scarce).toBe(scarce);
  });

  it.each([
    ['the day running out', use({ requestsToday: 9_990 }), 'requests', /10 of 10,000 requests left today/],
    ['a day closed by a per-day 429', use({ exhaustedUntil: 1 }), 'requests', /0 of 10,000/],
    ['the minute out of requests with tokens to spare', use({ requestsInWindow: 59 }), 'requests', /1 of 60 requests left this minute/],
    ['the minute nearly out of tokens', use({ tokensInWindow: 990_000 }), 'tokens', /10,000 of 1,000,000 tokens left this minute/],
    ['a minute with room for both', use({ requestsInWindow: 10, tokensInWindow: 100_000 }), 'neither', /50 requests and 900,000 tokens left this minute/],
  ] as const)('reads the ledger: %s', (_name, u, scarce, reason) => {
    const s = quotaScarcity(limits(), u, 24_000);
    expect(s.scarce).toBe(scarce);
    expect(s.reason).toMatch(reason);
  });

  it('counts what the minute has left at the rate in force after 429s', () => {
    const s = quotaScarcity(limits(), use({ rateFactor: 0.5, requestsInWindow: 10, tokensInWindow: 100_000 }), 24_000);
    expect(s).toMatchObject({ requestsLeftThisMinute: 20, tokensLeftThisMinute: 400_000, requestsLeftToday: 10_000 });
  });

  it('judges a call of the fill\'s own budget: small calls on the same key find requests scarce first', () => {
    expect(quotaScarcity(limits(), undefined, 24_000).scarce).toBe('neither');
    expect(quotaScarcity(limits(), undefined, 4_000).scarce).toBe('requests');
    expect(quotaScarcity(limits(), undefined, 40_000).scarce).toBe('tokens');
  });
});

describe('modelOutputTokens', () => {
  it.each([
    ['gemini-3.5-flash', 65_536],
    ['gemini-3-flash-preview', 65_536],
    ['gemini-2.5-flash', 65_536],
    ['models/gemini-2.5-pro', 65_536],
    ['gemini-flash-latest', 65_536],
    ['gemini-2.0-flash', 8_192],
    ['gemini-1.5-pro', 8_192],
    ['some-proxy-model', 8_192],
  ])('%s: %i', (model, limit) => {
    expect(modelOutputTokens(model)).toBe(limit);
  });
});
