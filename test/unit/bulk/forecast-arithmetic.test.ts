/** The forecast's arithmetic: time at the quota, the default window, prices by route, durations. */
import { describe, expect, it } from 'vitest';
import { formatDuration, quotaSeconds, sameRowKey } from '../../../src/bulk/forecast.js';
import { costOf, modelPrice, priceTable } from '../../../src/bulk/price-table.js';
import { defaultWindow } from '../../../src/bulk/window-size.js';
import { parseDuration } from '../../../src/cli/bulk-command.js';

const balanced = { requestsPerMinute: 60, tokensPerMinute: 1_000_000, requestsPerDay: 10_000 };

describe('quotaSeconds', () => {
  it('lets a minute burst go at once: N calls at R a minute need ⌈N/R⌉ − 1 minutes', () => {
    expect(quotaSeconds(balanced, 0, 0)).toBe(0);
    expect(quotaSeconds(balanced, 60, 1_000)).toBe(0);
    expect(quotaSeconds(balanced, 61, 1_000)).toBe(60);
    expect(quotaSeconds(balanced, 600, 1_000)).toBe(540);
  });
  it('is bound by tokens when they are scarcer', () => {
    expect(quotaSeconds(balanced, 10, 5_000_000)).toBe(240);
  });
  it('adds whole days beyond the daily request limit', () => {
    expect(quotaSeconds({ ...balanced, requestsPerDay: 100 }, 250, 0)).toBe(2 * 86_400);
  });
});

describe('defaultWindow', () => {
  it('is a minute of the quota: requests per minute over a row\'s calls', () => {
    expect(defaultWindow({ requestsPerMinute: 60, tokensPerMinute: 1_000_000 }, { calls: 2, promptTokens: 10_000 })).toBe(30);
    expect(defaultWindow({ requestsPerMinute: 1_000, tokensPerMinute: 4_000_000 }, { calls: 3, promptTokens: 12_000 })).toBe(334);
  });
  it('or tokens per minute over a row\'s tokens, when fewer', () => {
    expect(defaultWindow({ requestsPerMinute: 1_000, tokensPerMinute: 1_000_000 }, { calls: 1, promptTokens: 50_000 })).toBe(20);
  });
  it('stays within 2 and 500', () => {
    expect(defaultWindow({ requestsPerMinute: 10, tokensPerMinute: 250_000 }, { calls: 20, promptTokens: 0 })).toBe(2);
    expect(defaultWindow({ requestsPerMinute: 30_000, tokensPerMinute: 30_000_000 }, { calls: 1, promptTokens: 100 })).toBe(500);
  });
});

describe('price table', () => {
  it('prices flex and batch at half of standard', () => {
    const t = priceTable();
    const tokens = { promptTokens: 1_000_000, outputTokens: 100_000 };
    expect(costOf(t, 'gemini-2.5-flash', 'standard', tokens)).toBeCloseTo(0.55, 6);
    expect(costOf(t, 'gemini-2.5-flash', 'batch', tokens)).toBeCloseTo(0.275, 6);
    expect(costOf(t, 'gemini-2.5-flash', 'flex', tokens)).toBeCloseTo(0.275, 6);
  });
  it('finds a model by its name without prefix or version suffix, and knows none it was not given', () => {
    const t = priceTable();
    expect(modelPrice(t, 'models/gemini-2.5-flash')).toEqual(t.models['gemini-2.5-flash']);
    expect(modelPrice(t, 'gemini-2.5-flash-001')).toEqual(t.models['gemini-2.5-flash']);
    expect(costOf(t, 'my-model', 'standard', { promptTokens: 1, outputTokens: 1 })).toBeUndefined();
  });
  it('takes the configuration\'s models, date and shares over its own', () => {
    const t = priceTable({ asOf: '2027-01-01', models: { 'my-model': { input: 1, output: 2 } }, routeShare: { standard: 1, flex: 0.4, batch: 0.5 } });
    expect(t.asOf).toBe('2027-01-01');
    expect(costOf(t, 'my-model', 'flex', { promptTokens: 1_000_000, outputTokens: 0 })).toBeCloseTo(0.4, 6);
    expect(t.models['gemini-2.5-flash']).toBeDefined();
  });
});

describe('sameRowKey', () => {
  it('is the same for the same template and documents in any order', () => {
    expect(sameRowKey({ templateId: 't', documentIds: ['b', 'a'] })).toBe(sameRowKey({ templateId: 't', documentIds: ['a', 'b', 'a'] }));
    expect(sameRowKey({ templateId: 't', documentIds: ['a'] })).not.toBe(sameRowKey({ templateId: 'u', documentIds: ['a'] }));
  });
});

describe('durations', () => {
  it('reads --deadline durations', () => {
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('1d12h')).toBe(36 * 3_600_000);
    expect(() => parseDuration('tomorrow')).toThrow(/--deadline must be a duration/);
    expect(() => parseDuration('12h and')).toThrow(/--deadline/);
  });
  it('prints them short', () => {
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(3 * 3600 + 20 * 60)).toBe('3 h 20 min');
    expect(formatDuration(3 * 86_400 + 3600)).toBe('3 d 1 h');
  });
});
