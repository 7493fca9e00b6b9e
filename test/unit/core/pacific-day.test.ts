/** @module Unit tests of core's Pacific calendar day (the workflow's reset time) and its midnight, across both DST changes. */
import { describe, expect, it } from 'vitest';
import { nextPacificMidnight, pacificDay } from '../../../src/core/pacific-day.js';

const HOUR = 3_600_000;

describe('pacificDay', () => {
  const cases: Array<{ name: string; at: number; want: string }> = [
    { name: 'UTC evening is the same Pacific day', at: Date.UTC(2026, 5, 15, 20), want: '2026-06-15' },
    { name: 'just before 07:00Z in summer is the previous day', at: Date.UTC(2026, 5, 16, 6, 59, 59), want: '2026-06-15' },
    { name: '07:00Z in summer is the new day', at: Date.UTC(2026, 5, 16, 7), want: '2026-06-16' },
    { name: '07:00Z in winter is still the previous day', at: Date.UTC(2026, 0, 16, 7), want: '2026-01-15' },
    { name: '08:00Z in winter is the new day', at: Date.UTC(2026, 0, 16, 8), want: '2026-01-16' },
    { name: 'new year in Los Angeles', at: Date.UTC(2027, 0, 1, 8), want: '2027-01-01' },
  ];
  for (const c of cases) it(c.name, () => expect(pacificDay(c.at)).toBe(c.want));
});

describe('nextPacificMidnight', () => {
  const cases: Array<{ name: string; at: number; want: number }> = [
    { name: 'summer day', at: Date.UTC(2026, 5, 15, 20), want: Date.UTC(2026, 5, 16, 7) },
    { name: 'winter day', at: Date.UTC(2026, 0, 15, 20), want: Date.UTC(2026, 0, 16, 8) },
    { name: 'exactly at midnight gives the next one', at: Date.UTC(2026, 5, 16, 7), want: Date.UTC(2026, 5, 17, 7) },
    { name: 'spring forward: 01:00 PST on Mar 8 → 00:00 PDT on Mar 9', at: Date.UTC(2026, 2, 8, 9), want: Date.UTC(2026, 2, 9, 7) },
    { name: 'the day before spring forward ends in PST', at: Date.UTC(2026, 2, 7, 20), want: Date.UTC(2026, 2, 8, 8) },
    { name: 'fall back: 01:30 PDT on Nov 1 → 00:00 PST on Nov 2', at: Date.UTC(2026, 10, 1, 8, 30), want: Date.UTC(2026, 10, 2, 8) },
    { name: 'fall back: the repeated 01:30 (PST) → same midnight', at: Date.UTC(2026, 10, 1, 9, 30), want: Date.UTC(2026, 10, 2, 8) },
  ];
  for (const c of cases) it(c.name, () => expect(nextPacificMidnight(c.at)).toBe(c.want));

  it('spring-forward day is 23 h long and fall-back day 25 h', () => {
    const springStart = Date.UTC(2026, 2, 8, 8);
    const fallStart = Date.UTC(2026, 10, 1, 7);
    expect(nextPacificMidnight(springStart) - springStart).toBe(23 * HOUR);
    expect(nextPacificMidnight(fallStart) - fallStart).toBe(25 * HOUR);
  });

  it('the midnight it returns starts a new Pacific day', () => {
    for (let at = Date.UTC(2026, 0, 1); at < Date.UTC(2027, 0, 1); at += 37 * HOUR) {
      const midnight = nextPacificMidnight(at);
      expect(pacificDay(midnight)).not.toBe(pacificDay(midnight - 1));
      expect(pacificDay(midnight - 1)).toBe(pacificDay(at));
    }
  });
});

describe('core and emulator agree', () => {
  it('on every day of a year, hour by hour around both DST changes', async () => {
    const emulator = await import('../../../src/emulator/pacific-day.js');
    for (let at = Date.UTC(2026, 2, 7); at < Date.UTC(2026, 2, 10); at += HOUR / 4) {
      expect(nextPacificMidnight(at)).toBe(emulator.nextPacificMidnight(at));
    }
    for (let at = Date.UTC(2026, 9, 31); at < Date.UTC(2026, 10, 3); at += HOUR / 4) {
      expect(nextPacificMidnight(at)).toBe(emulator.nextPacificMidnight(at));
    }
  });
});
