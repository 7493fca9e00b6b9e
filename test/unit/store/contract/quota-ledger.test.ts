/** @module The store contract, on every store: the quota ledger's reserve-then-reconcile, 429s, the day, and its
 * exactness when processes race: two processes reserving at once are granted exactly the limit, at a fixed
 * instant and on the store's own clock. */
import { describe, expect, it } from 'vitest';
import { nextPacificMidnight } from '../../../../src/core/pacific-day.js';
import type { QuotaLimits } from '../../../../src/core/quota-decision.js';
import { runTogether, storeScript } from './child-processes.js';
import { STORE_KINDS, useStore } from './store-kinds.js';

const T = Date.UTC(2026, 5, 15, 20);
const bucket = { keyId: 'abc123', model: 'gemini-x' };
const LIMITS: QuotaLimits = { requestsPerMinute: 2, tokensPerMinute: 1_000, requestsPerDay: 5, minIntervalMs: 0 };

describe.each(STORE_KINDS)('$name store: quota ledger', (kind) => {
  const h = useStore(kind);

  it('grants a burst up to the per-minute limit, then says how long to wait', async () => {
    expect(await h.store.quotaReserve(bucket, LIMITS, 100, T)).toMatchObject({ ok: true });
    expect(await h.store.quotaReserve(bucket, LIMITS, 100, T)).toMatchObject({ ok: true });
    // A minute and the send margin (1 s) after the first call.
    expect(await h.store.quotaReserve(bucket, LIMITS, 100, T + 1_000)).toEqual({ ok: false, reason: 'per-minute', waitMs: 60_000 });
    expect(await h.store.quotaReserve(bucket, LIMITS, 100, T + 61_000)).toMatchObject({ ok: true });
  });

  it('hands out distinct reservation ids', async () => {
    const limits = { ...LIMITS, requestsPerMinute: 100 };
    const ids = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const r = await h.store.quotaReserve(bucket, limits, 1, T + i);
      if (!r.ok) throw new Error('refused');
      ids.add(r.reservationId);
    }
    expect(ids.size).toBe(5);
  });

  it('reconciles the estimate with the real token count, which frees (or takes) room in the window', async () => {
    const limits = { ...LIMITS, requestsPerMinute: 100 };
    const r = await h.store.quotaReserve(bucket, limits, 900, T);
    expect(await h.store.quotaReserve(bucket, limits, 200, T)).toMatchObject({ ok: false, reason: 'tokens-per-minute' });
    if (!r.ok) throw new Error('first reservation refused');
    await h.store.quotaReconcile(r.reservationId, 300);
    expect(await h.store.quotaReserve(bucket, limits, 200, T)).toMatchObject({ ok: true });
    expect((await h.store.quotaSnapshots(bucket, T))[0]).toMatchObject({ tokensInWindow: 500, requestsInWindow: 2 });
  });

  it('keeps buckets apart by key identity and model', async () => {
    const one = { ...LIMITS, requestsPerMinute: 1 };
    expect(await h.store.quotaReserve(bucket, one, 1, T)).toMatchObject({ ok: true });
    expect(await h.store.quotaReserve({ ...bucket, model: 'other' }, one, 1, T)).toMatchObject({ ok: true });
    expect(await h.store.quotaReserve({ ...bucket, keyId: 'def456' }, one, 1, T)).toMatchObject({ ok: true });
    expect(await h.store.quotaReserve(bucket, one, 1, T)).toMatchObject({ ok: false });
    expect((await h.store.quotaSnapshots(undefined, T)).map((s) => [s.keyId, s.model])).toEqual([
      ['abc123', 'gemini-x'],
      ['abc123', 'other'],
      ['def456', 'gemini-x'],
    ]);
  });

  it('closes the day at the daily count, and opens the next Pacific day', async () => {
    const limits = { ...LIMITS, requestsPerMinute: 100 };
    for (let i = 0; i < 5; i++) expect(await h.store.quotaReserve(bucket, limits, 1, T + i)).toMatchObject({ ok: true });
    expect(await h.store.quotaReserve(bucket, limits, 1, T + 10)).toEqual({ ok: false, reason: 'per-day', resetAt: nextPacificMidnight(T) });
    expect((await h.store.quotaSnapshots(bucket, T + 10))[0]).toMatchObject({ requestsToday: 5, day: '2026-06-15' });
    expect(await h.store.quotaReserve(bucket, limits, 1, nextPacificMidnight(T))).toMatchObject({ ok: true });
  });

  it('a per-day 429 closes the day; reopening (resume) lets calls go again that day', async () => {
    await h.store.quotaRecord429(bucket, 'per-day', T);
    expect(await h.store.quotaReserve(bucket, LIMITS, 1, T + 1)).toMatchObject({ ok: false, reason: 'per-day' });
    expect((await h.store.quotaSnapshots(bucket, T))[0]).toMatchObject({ exhaustedUntil: nextPacificMidnight(T) });
    await h.store.quotaReopen(bucket, T + 2);
    expect(await h.store.quotaReserve(bucket, LIMITS, 1, T + 3)).toMatchObject({ ok: true });
    expect((await h.store.quotaSnapshots(bucket, T + 3))[0]!.exhaustedUntil).toBeUndefined();
  });

  it('a per-minute 429 lowers the rate for every worker on the store, and it creeps back', async () => {
    const limits = { ...LIMITS, requestsPerMinute: 10, requestsPerDay: 100 };
    await h.store.quotaRecord429(bucket, 'per-minute', T);
    const other = await h.open();
    for (let i = 0; i < 7; i++) expect(await other.quotaReserve(bucket, limits, 1, T + i)).toMatchObject({ ok: true });
    expect(await other.quotaReserve(bucket, limits, 1, T + 10)).toMatchObject({ ok: false, reason: 'per-minute' });
    expect((await other.quotaSnapshots(bucket, T + 10))[0]).toMatchObject({ rateFactor: 0.7, limitedToday: 1 });
    await other.quotaRecord429(bucket, 'tokens-per-minute', T + 20);
    expect((await h.store.quotaSnapshots(bucket, T + 20))[0]).toMatchObject({ rateFactor: 0.49, limitedToday: 2 });
    expect((await other.quotaSnapshots(bucket, T + 3 * 60_000))[0]).toMatchObject({ rateFactor: 0.69 });
    expect((await other.quotaSnapshots(bucket, T + 7 * 60_000))[0]).toMatchObject({ rateFactor: 1 });
  });

  it('spaces calls when the profile asks for it', async () => {
    const spaced = { ...LIMITS, requestsPerMinute: 100, minIntervalMs: 2_000 };
    expect(await h.store.quotaReserve(bucket, spaced, 1, T)).toMatchObject({ ok: true });
    expect(await h.store.quotaReserve(bucket, spaced, 1, T + 500)).toEqual({ ok: false, reason: 'min-interval', waitMs: 1_500 });
    expect(await h.store.quotaReserve(bucket, spaced, 1, T + 2_000)).toMatchObject({ ok: true });
  });

  it('keeps run-time limit overrides for every worker, until cleared', async () => {
    expect(await h.store.quotaLimitOverrides()).toBeUndefined();
    await h.store.quotaSetLimits({ requestsPerMinute: 5, minIntervalMs: 2_000 });
    const other = await h.open();
    expect(await other.quotaLimitOverrides()).toEqual({ requestsPerMinute: 5, minIntervalMs: 2_000 });
    await other.quotaSetLimits({ requestsPerDay: 9 });
    expect(await h.store.quotaLimitOverrides()).toEqual({ requestsPerDay: 9 });
    await h.store.quotaSetLimits(null);
    expect(await other.quotaLimitOverrides()).toBeUndefined();
  });

  it('on its own clock when no time is given: a call counts in the window now', async () => {
    const limits = { ...LIMITS, requestsPerMinute: 1 };
    expect(await h.store.quotaReserve(bucket, limits, 7)).toMatchObject({ ok: true });
    const refused = await h.store.quotaReserve(bucket, limits, 7);
    expect(refused).toMatchObject({ ok: false, reason: 'per-minute' });
    // The wait is what is left of the first call's 61 s: a little under it, never more.
    expect(refused.ok ? 0 : 'waitMs' in refused ? refused.waitMs : 0).toBeGreaterThan(55_000);
    expect(refused.ok ? 0 : 'waitMs' in refused ? refused.waitMs : Infinity).toBeLessThanOrEqual(61_000);
    expect((await h.store.quotaSnapshots(bucket))[0]).toMatchObject({ requestsInWindow: 1, tokensInWindow: 7, requestsToday: 1 });
  });

  const race = (location: string, tokens: number, now: string) =>
    runTogether(storeScript('quota-reserver.ts'), [
      [location, '40', String(tokens), now],
      [location, '40', String(tokens), now],
    ]).then((outs) => outs.map((out) => Number(/granted (\d+)/.exec(out)?.[1])));

  it('under concurrent reservations from two processes, grants exactly the limit, never more', async () => {
    // 20 requests per minute and 1,000 tokens (quota-reserver.ts): at 10 tokens a call the request limit binds ...
    const [a, b] = await race(h.location, 10, String(T));
    // Which process wins each slot is up to the lock; that together they never exceed the limit is not.
    expect(a! + b!).toBe(20);
    expect((await h.store.quotaSnapshots({ keyId: 'k1', model: 'm' }, T))[0]).toMatchObject({ requestsInWindow: 20, tokensInWindow: 200 });

    // ... at 70 tokens a call the token limit does: 14 × 70 = 980 ≤ 1,000 < 15 × 70. (Ten minutes on: a new window.)
    const later = T + 10 * 60_000;
    const [c, d] = await race(h.location, 70, String(later));
    expect(c! + d!).toBe(14);
    expect((await h.store.quotaSnapshots({ keyId: 'k1', model: 'm' }, later))[0]).toMatchObject({ requestsInWindow: 14, tokensInWindow: 980 });
  }, 60_000);

  it('grants every reservation to four racing processes when the limit does not bind', async () => {
    // Each call is timed once its transaction holds the lock: a time read before waiting on another process
    // would file it behind calls that started later, and the window arithmetic would refuse room that is there.
    const outs = await runTogether(storeScript('quota-reserver.ts'), Array.from({ length: 4 }, () => [h.location, '100', '1', 'db', '1000']));
    expect(outs.map((out) => Number(/granted (\d+)/.exec(out)?.[1]))).toEqual([100, 100, 100, 100]);
  }, 60_000);

  it('grants exactly the limit to two racing processes on the store\'s own clock', async () => {
    const [a, b] = await race(h.location, 10, 'db');
    expect(a! + b!).toBe(20);
    expect((await h.store.quotaSnapshots({ keyId: 'k1', model: 'm' }))[0]).toMatchObject({ requestsInWindow: 20, tokensInWindow: 200 });
  }, 60_000);
});
