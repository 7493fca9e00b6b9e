/** The emulator's fault mix: shares laid end to end, checked at start, and 429 delays within the range given. */
import { describe, expect, it } from 'vitest';
import { checkFaultMix, drawFromMix, mixRetryDelay } from '../../../src/emulator/fault-mix.js';
import { parseProtoDuration } from '../../../src/emulator/proto-duration.js';
import { seededRandom } from '../../../src/emulator/seeded-random.js';

describe('fault mix', () => {
  it('draws each fault at about its share over many requests', () => {
    const mix = checkFaultMix({ rateLimit: 0.5, unavailable: 0.1, malformed: 0.05, truncated: 0.02 });
    const random = seededRandom(7);
    const counts: Record<string, number> = {};
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const k = drawFromMix(mix, random) ?? 'none';
      counts[k] = (counts[k] ?? 0) + 1;
    }
    const share = (k: string) => (counts[k] ?? 0) / n;
    expect(share('rate-limit')).toBeCloseTo(0.5, 1);
    expect(share('unavailable')).toBeCloseTo(0.1, 1);
    expect(share('malformed')).toBeGreaterThan(0.04);
    expect(share('malformed')).toBeLessThan(0.06);
    expect(share('truncated')).toBeGreaterThan(0.013);
    expect(share('truncated')).toBeLessThan(0.027);
    expect(share('none')).toBeCloseTo(0.33, 1);
  });

  it('refuses shares outside [0, 1], shares adding past 1, and a backwards delay range', () => {
    expect(() => checkFaultMix({ rateLimit: 1.2 })).toThrow(/faultMix.rateLimit/);
    expect(() => checkFaultMix({ rateLimit: 0.7, unavailable: 0.4 })).toThrow(/add up to/);
    expect(() => checkFaultMix({ retryDelayMs: { min: 5, max: 1 } })).toThrow(/retryDelayMs/);
  });

  it('gives 429 delays as protobuf durations within the range', () => {
    const mix = checkFaultMix({ rateLimit: 1, retryDelayMs: { min: 1_500, max: 2_500 } });
    const random = seededRandom(3);
    for (let i = 0; i < 200; i++) {
      const ms = parseProtoDuration(mixRetryDelay(mix, random))!;
      expect(ms).toBeGreaterThanOrEqual(1_500);
      expect(ms).toBeLessThanOrEqual(2_500);
    }
  });
});
