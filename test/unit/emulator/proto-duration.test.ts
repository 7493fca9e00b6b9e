/** @module Unit tests of protobuf Duration formatting, the form of RetryInfo.retryDelay. */
import { describe, expect, it } from 'vitest';
import { formatProtoDuration, parseProtoDuration } from '../../../src/emulator/proto-duration.js';

describe('formatProtoDuration', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [26_000, '26s'],
    [12_345, '12.345s'],
    [12_300, '12.300s'],
    [31_000.25, '31.000250s'],
    [45_837.906927, '45.837906927s'],
    [1, '0.001s'],
  ];
  for (const [ms, want] of cases) it(`${ms} ms → ${want}`, () => expect(formatProtoDuration(ms)).toBe(want));

  it('refuses negative and non-finite durations', () => {
    expect(() => formatProtoDuration(-1)).toThrow(/finite ms >= 0/);
    expect(() => formatProtoDuration(Number.NaN)).toThrow(/finite ms >= 0/);
  });

  it('round-trips through parseProtoDuration', () => {
    for (const ms of [0, 26_000, 12_345, 31_000.25]) {
      expect(parseProtoDuration(formatProtoDuration(ms))).toBeCloseTo(ms, 6);
    }
    expect(parseProtoDuration('soon')).toBeUndefined();
  });
});
