/** @module acquirePermit: waits for the ledger in slices, on its own clock, and stops at a closed day. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquirePermit } from '../../../src/activities/quota-gate.js';
import { nextPacificMidnight } from '../../../src/core/pacific-day.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';

const T = Date.UTC(2026, 5, 15, 20);
const limits = { requestsPerMinute: 1, tokensPerMinute: 1_000, requestsPerDay: 2, minIntervalMs: 0 };
const bucket = { keyId: 'k', model: 'm' };

describe('acquirePermit', () => {
  it('waits until the window has room, sleeping no slice longer than 5 s, then reserves', async () => {
    const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), 'fillflow-gate-')), 'db.sqlite'));
    let clock = T;
    const slept: number[] = [];
    const opts = { now: () => clock, random: () => 0, sleep: async (ms: number) => void (slept.push(ms), (clock += ms)) };
    try {
      expect(await acquirePermit(store, bucket, limits, 10, opts)).toMatchObject({ ok: true, waitedMs: 0 });
      const second = await acquirePermit(store, bucket, limits, 10, opts);
      expect(second).toMatchObject({ ok: true, waitedMs: 61_000 });
      expect(Math.max(...slept)).toBeLessThanOrEqual(5_000);
      // The day holds 2: the third is told when the day resets, without waiting for it.
      clock += 61_000;
      expect(await acquirePermit(store, bucket, limits, 10, opts)).toEqual({ ok: false, resetAt: nextPacificMidnight(clock), waitedMs: 0 });
    } finally {
      await store.close();
    }
  });
});
